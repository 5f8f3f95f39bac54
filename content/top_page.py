"""The editable top page (①): hero text, featured articles and the order of sections.

Ward staff and administrators publish their edits at once; a contractor's edit waits
for a ward member's approval (nothing goes out on the ward's site without it).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from content import publishing
from content.models import Article, TopPageSettings
from core.db import utcnow
from staff import audit

SECTIONS: dict[str, str] = {
    "featured": "おすすめ記事", "feature": "特集記事", "events": "参加できるイベント", "series": "テーマ別記事",
    "news": "お知らせ", "local": "地域情報", "admin": "行政情報", "connect": "LINE・Discordの案内",
}
DEFAULT = {
    "hero_title": "町工場で、未来をつくろう。",
    "hero_text": ("宇宙へ飛ぶ部品も、病院で働く器具も、大田区の町工場から生まれています。"
                  "つくる人、つくる技術、参加できるイベントを、わくわくする記事でお届けします。"),
    "featured": [],
    "order": list(SECTIONS),
}
MAX_FEATURED = 6


class TopPageError(ValueError):
    """Invalid top-page input; the message is Japanese, for staff."""


def _row(session: Session) -> TopPageSettings:
    row = session.get(TopPageSettings, 1)
    if row is None:
        row = TopPageSettings(id=1, live=dict(DEFAULT))
        session.add(row)
    return row


def live(session: Session) -> dict:
    row = session.get(TopPageSettings, 1)
    return {**DEFAULT, **(row.live if row else {})}


def pending(session: Session) -> dict | None:
    row = session.get(TopPageSettings, 1)
    return row.pending if row is not None else None


def featured_articles(session: Session, slugs: list[str]) -> list[Article]:
    if not slugs:
        return []
    found = {a.slug: a for a in session.scalars(select(Article).where(Article.slug.in_(slugs)))}
    return [found[s] for s in slugs if s in found and found[s].is_public]


def chosen(session: Session, slugs: list[str]) -> list[dict]:
    """The picked articles in their order, as the console lists them (title, category, public or not)."""
    found = {a.slug: a for a in session.scalars(select(Article).where(Article.slug.in_(slugs)))} if slugs else {}
    out = []
    for slug in dict.fromkeys(slugs):
        article = found.get(slug)
        out.append({"slug": slug, "title": article.title if article else "見つからない記事（削除された可能性があります）",
                    "category": article.category_label if article else "", "public": bool(article and article.is_public)})
    return out


def find_published(session: Session, words: str, exclude: list[str] = (), limit: int = 20) -> list[Article]:
    """Published articles whose title contains every word (the newest first); all of them without words."""
    query = select(Article).where(Article.status == "published", Article.published_at.is_not(None),
                                  Article.published_at <= utcnow())
    for word in words.replace("\u3000", " ").split()[:5]:
        escaped = word[:50].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Article.title.ilike(f"%{escaped}%", escape="\\"))
    if exclude:
        query = query.where(Article.slug.not_in(list(exclude)))
    return list(session.scalars(query.order_by(Article.published_at.desc(), Article.id.desc()).limit(limit)))


def clean(session: Session, hero_title: str, hero_text: str, featured: list[str], order: list[str]) -> dict:
    hero_title, hero_text = hero_title.strip(), hero_text.strip()
    if not hero_title or len(hero_title) > 60:
        raise TopPageError("見出しは1〜60文字で入力してください")
    if len(hero_text) > 300:
        raise TopPageError("紹介文は300文字以内にしてください")
    featured = [s for s in dict.fromkeys(s.strip() for s in featured) if s]
    if len(featured) > MAX_FEATURED:
        raise TopPageError(f"おすすめ記事は{MAX_FEATURED}件までです。どれかを外してから追加してください")
    known = {a.slug: a for a in session.scalars(select(Article).where(Article.slug.in_(featured)))} if featured else {}
    missing = [s for s in featured if s not in known]
    if missing:
        raise TopPageError("おすすめ記事に選んだ記事が見つかりません（削除された可能性があります）。一覧から選び直してください")
    hidden = [known[s].title for s in featured if not known[s].is_public]
    if hidden:
        raise TopPageError(f"公開されていない記事はおすすめにできません（{'、'.join(hidden)}）。外してから保存してください")
    order = [k for k in dict.fromkeys(order) if k in SECTIONS]
    order += [k for k in SECTIONS if k not in order]
    return {"hero_title": hero_title, "hero_text": hero_text, "featured": featured, "order": order}


def save(session: Session, staff, values: dict) -> str:
    """Publish (ward, admin) or submit for approval (contractor); returns "live" or "pending"."""
    row = _row(session)
    if publishing.is_reviewer(staff):
        row.live, row.pending, row.pending_by_id = values, None, None
        audit.record(session, staff, "top_page.publish", "top_page", "1", values)
        return "live"
    row.pending, row.pending_by_id = values, staff.id
    audit.record(session, staff, "top_page.submit", "top_page", "1", values)
    return "pending"


def approve(session: Session, staff) -> None:
    if not publishing.is_reviewer(staff):
        raise publishing.NotAllowed("承認は区職員または管理者のみ行えます")
    row = _row(session)
    if not row.pending:
        raise TopPageError("承認を待っている変更はありません")
    row.live, row.pending, row.pending_by_id = row.pending, None, None
    audit.record(session, staff, "top_page.approve", "top_page", "1", row.live)


def send_back(session: Session, staff) -> None:
    if not publishing.is_reviewer(staff):
        raise publishing.NotAllowed("差し戻しは区職員または管理者のみ行えます")
    row = _row(session)
    row.pending, row.pending_by_id = None, None
    audit.record(session, staff, "top_page.send_back", "top_page", "1", {})
