"""What a broadcast says, before any channel renders it: a title, a text and an article card.

Each channel (``channels.registry``) renders this one neutral description in its own style. Links are tracked per broadcast and channel, never per recipient:
the 200 multicast requests of a 100,000-person broadcast share one body.
"""
from __future__ import annotations

from dataclasses import dataclass

from channels.links import tracked_url
from content.urls import article_site_path as article_path
from content.urls import hero_image_url
from messages.replies import BotResponse, Card, Cards, Text
from messages.text import shorten

TITLE_MAX = 80
SUMMARY_MAX = 120
ALT_TEXT_MAX = 400


@dataclass(frozen=True)
class Draft:
    """The neutral content of a broadcast, before any channel renders it."""

    title: str
    text: str
    card: Card | None
    thread: bool = False  # staff allow splitting a long text into a numbered thread (X)


def headline(text: str, article=None, shared: dict | None = None) -> str:
    if article is not None:
        return shorten(article.title, TITLE_MAX)
    if shared:
        return shorten(shared["title"], TITLE_MAX)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return shorten(first_line, 40) or "お知らせ"


def article_card(config, article, channel: str | None, broadcast_id: int | None, segment: str | None = None) -> Card:
    """The article as a card; ``channel=None`` links straight to the page (previews, web)."""
    path = article_path(article.slug)
    if channel is None:
        url = f"{config['BASE_URL']}{path}"
    else:
        url = tracked_url(config, path, channel=channel, article_id=article.id, broadcast_id=broadcast_id,
                          segment=segment)
    return Card(
        title=shorten(article.title, TITLE_MAX), url=url, label=article.category_label,
        body=shorten(article.summary, SUMMARY_MAX), image_url=hero_image_url(config["BASE_URL"], article),
    )


def shared_card(config, shared: dict, channel: str | None, broadcast_id: int | None,
                segment: str | None = None) -> Card:
    """Another domain's page (e.g. a video, see core.signals.share_card_requested) as a card,
    tracked like an article's; ``shared`` is the snapshot kept in the broadcast's options."""
    path = shared["path"]
    url = f"{config['BASE_URL']}{path}" if channel is None else tracked_url(
        config, path, channel=channel, broadcast_id=broadcast_id, segment=segment)
    image = shared.get("image_path")
    return Card(title=shorten(shared["title"], TITLE_MAX), url=url, label=shared.get("label") or "",
                body=shorten(shared.get("summary") or "", SUMMARY_MAX),
                image_url=f"{config['BASE_URL']}{image}" if image else None,
                button_label=shared.get("button") or "詳しく見る")


def draft(config, text: str, article=None, channel: str | None = None, broadcast_id: int | None = None,
          segment: str | None = None, thread: bool = False, shared: dict | None = None) -> Draft:
    if article is not None:
        card = article_card(config, article, channel, broadcast_id, segment)
    elif shared:
        card = shared_card(config, shared, channel, broadcast_id, segment)
    else:
        card = None
    return Draft(title=headline(text, article, shared), text=text.strip(), card=card, thread=thread)


def bot_response(content: Draft) -> BotResponse:
    response = BotResponse()
    if content.text:
        response.add(Text(content.text))
    if content.card is not None:
        alt = shorten(f"{content.card.label}：{content.card.title}", ALT_TEXT_MAX)
        response.add(Cards((content.card,), alt_text=alt))
    return response


def plain_text(response: BotResponse) -> str:
    """What a push said, for the report (first text or card title)."""
    for message in response.messages:
        if isinstance(message, Cards) and message.cards:
            return message.cards[0].title
        if getattr(message, "text", ""):
            return message.text
    return ""
