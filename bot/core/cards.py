"""Article and event cards: title, category label, short summary, hero image, tracked link."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.turn import Turn
from content.urls import article_site_path as article_path
from content.urls import hero_image_url
from core.timefmt import datetime_ja, jst
from events.chat_actions import apply_buttons
from messages.limits import MAX_CARD_BODY, MAX_CARD_TITLE, link
from messages.replies import Card
from messages.text import shorten

if TYPE_CHECKING:
    from content.models import Article
    from events.models import Event

CARD_SUMMARY_CHARS = 60


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
        extra_buttons=apply_buttons(turn, event) + form_buttons(turn, event),
    )


def form_buttons(turn: Turn, event: Event) -> tuple:
    """「フォームで申し込む」: the registration form inside the chat app (LINE: LIFF), prefilled."""
    from events.service import is_open

    url = turn.form_url("register", event=event.id) if is_open(event) else None
    return (link("フォームで申し込む", url),) if url else ()

