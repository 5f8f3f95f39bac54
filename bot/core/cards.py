"""Article and event cards: title, category label, short summary, hero image, tracked link."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.limits import MAX_CARD_BODY, MAX_CARD_TITLE
from bot.core.messages import Card
from bot.core.normalize import shorten
from bot.core.registration_actions import apply_buttons
from bot.core.turn import Turn
from core.timefmt import datetime_ja, jst

if TYPE_CHECKING:
    from content.models import Article
    from events.models import Event

CARD_IMAGE_WIDTH = 960  # wide enough for a chat bubble, small enough to load quickly on mobile
CARD_SUMMARY_CHARS = 60


def article_path(slug: str) -> str:
    return f"/articles/{slug}"


def hero_image_url(base_url: str, article: Article) -> str | None:
    """Absolute JPEG rendition URL: the largest width ≤ 960 (or the smallest there is)."""
    if not article.hero_image:
        return None
    sizes = sorted(int(w) for w in (article.hero_sizes or []) if str(w).isdigit())
    fitting = [w for w in sizes if w <= CARD_IMAGE_WIDTH]
    width = fitting[-1] if fitting else (sizes[0] if sizes else CARD_IMAGE_WIDTH)
    return f"{base_url}/media/{article.hero_image}-{width}.jpg"


def article_card(turn: Turn, article: Article, summary: str | None = None) -> Card:
    return Card(
        title=shorten(article.title, MAX_CARD_TITLE),
        url=turn.tracked(article_path(article.slug), article_id=article.id),
        label=article.category_label,
        body=shorten(summary if summary is not None else article.summary, CARD_SUMMARY_CHARS),
        image_url=hero_image_url(turn.base_url, article),
    )


def event_details(event: Event) -> str:
    starts = jst(event.starts_at)
    when = datetime_ja(event.starts_at)
    if event.ends_at and jst(event.ends_at).date() == starts.date():
        when += f"〜{jst(event.ends_at):%H:%M}"
    lines = [f"日時：{when}"]
    if event.place:
        lines.append(f"会場：{event.place}")
    if event.audience:
        lines.append(f"対象：{event.audience}")
    if event.capacity:
        lines.append(f"定員：{event.capacity}名")
    return shorten("\n".join(lines), MAX_CARD_BODY)


def event_card(turn: Turn, event: Event) -> Card:
    article = event.article
    path = article_path(article.slug) if article is not None and article.is_public else f"/events/{event.id}"
    return Card(
        title=shorten(event.title, MAX_CARD_TITLE),
        url=turn.tracked(path, article_id=article.id if article is not None else None),
        label=event.kind_label,
        body=event_details(event),
        image_url=hero_image_url(turn.base_url, article) if article is not None else None,
        button_label="詳しく見る",
        extra_buttons=apply_buttons(turn, event),
    )

