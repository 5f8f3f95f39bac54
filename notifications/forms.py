"""The broadcast composer form: parsing request data into checked values."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.models import Article
from core import signals
from notifications.validation import BroadcastError

JST = ZoneInfo("Asia/Tokyo")
ARTICLE_CHOICES = 100


@dataclass
class ComposerInput:
    channels: list[str] = field(default_factory=list)
    audience: str = "everyone"  # everyone | topics
    topics: list[str] = field(default_factory=list)
    personas: list[str] = field(default_factory=list)
    article_slug: str = ""
    text: str = ""
    timing: str = "now"  # now | later
    at_local: str = ""  # value of the datetime-local input, Japan time
    urgent: bool = False
    unit: str = ""
    thread: bool = False  # 「スレッドに分けて投稿」
    card: str = ""  # another page attached instead of an article, e.g. "video:<YouTube id>"

    @classmethod
    def from_form(cls, form) -> ComposerInput:
        return cls(
            channels=form.getlist("channels"), audience=form.get("audience", "everyone"),
            topics=form.getlist("topics"), personas=form.getlist("personas"),
            article_slug=form.get("article", "").strip(), text=form.get("text", ""),
            timing=form.get("timing", "now"), at_local=form.get("at", "").strip(),
            urgent=form.get("urgent") == "1", unit=form.get("unit", "").strip(),
            thread=form.get("thread") == "1", card=form.get("card", "").strip()[:80],
        )

    @property
    def audience_topics(self) -> list[str]:
        return self.topics if self.audience == "topics" else []

    def scheduled_at(self) -> datetime | None:
        if self.timing != "later":
            return None
        if not self.at_local:
            raise BroadcastError("予約配信の日時を入力してください")
        try:
            moment = datetime.fromisoformat(self.at_local)
        except ValueError:
            raise BroadcastError(f"配信日時が読み取れません: {self.at_local}") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=JST)

    def check_audience(self) -> None:
        if self.audience == "topics" and not self.topics:
            raise BroadcastError("トピックを1つ以上選ぶか、「全員」を選んでください")


def find_article(session: Session, slug: str) -> Article | None:
    if not slug:
        return None
    article = session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise BroadcastError(f"記事が見つかりません: {slug}")
    return article


def find_shared(session: Session, ref: str) -> dict | None:
    """The card of a page another domain owns ("video:<id>"), asked through a signal; None without one."""
    if not ref:
        return None
    kind, _, key = ref.partition(":")
    for _receiver, card in signals.share_card_requested.send(kind, session=session, key=key):
        if card:
            return {**card, "ref": ref}
    raise BroadcastError("添付するページが見つかりません（削除された可能性があります）。一覧から選び直してください")


def article_choices(session: Session) -> list[Article]:
    query = (select(Article).where(Article.status == "published")
             .order_by(Article.published_at.desc(), Article.id.desc()).limit(ARTICLE_CHOICES))
    return list(session.scalars(query))
