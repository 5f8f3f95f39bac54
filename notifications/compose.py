"""What a broadcast says on each channel: a LINE bubble, a Discord embed, a web post.

One neutral description (text + optional article card) is rendered per
channel. Links are tracked per broadcast and channel, never per recipient:
the 200 multicast requests of a 100,000-person broadcast share one body.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.core.cards import article_path, hero_image_url
from bot.core.messages import BotResponse, Card, Cards, Text
from bot.core.normalize import shorten
from kpi.links import tracked_url

TITLE_MAX = 80
SUMMARY_MAX = 120
ALT_TEXT_MAX = 400
EMBED_DESCRIPTION_MAX = 1000
DISCORD_CONTENT_MAX = 1900  # 2000 minus room for a role mention
SITE_NAME = "大田区 新しいものづくり"


@dataclass(frozen=True)
class Draft:
    """The neutral content of a broadcast, before any channel renders it."""

    title: str
    text: str
    card: Card | None


def headline(text: str, article=None) -> str:
    if article is not None:
        return shorten(article.title, TITLE_MAX)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return shorten(first_line, 40) or "お知らせ"


def article_card(config, article, channel: str | None, broadcast_id: int | None) -> Card:
    """The article as a card; ``channel=None`` links straight to the page (previews, web)."""
    path = article_path(article.slug)
    if channel is None:
        url = f"{config['BASE_URL']}{path}"
    else:
        url = tracked_url(config, path, channel=channel, article_id=article.id, broadcast_id=broadcast_id)
    return Card(
        title=shorten(article.title, TITLE_MAX), url=url, label=article.category_label,
        body=shorten(article.summary, SUMMARY_MAX), image_url=hero_image_url(config["BASE_URL"], article),
    )


def draft(config, text: str, article=None, channel: str | None = None, broadcast_id: int | None = None) -> Draft:
    card = article_card(config, article, channel, broadcast_id) if article is not None else None
    return Draft(title=headline(text, article), text=text.strip(), card=card)


def bot_response(content: Draft) -> BotResponse:
    response = BotResponse()
    if content.text:
        response.add(Text(content.text))
    if content.card is not None:
        alt = shorten(f"{content.card.label}：{content.card.title}", ALT_TEXT_MAX)
        response.add(Cards((content.card,), alt_text=alt))
    return response


def line_messages(response: BotResponse) -> list[dict]:
    from bot.line.render import render  # LINE-specific; imported only where LINE is rendered

    return render(response)


def colour_value(label: str) -> int:
    """The category colour of the LINE bubbles, reused for the Discord embed."""
    from bot.line.style import label_colour

    return int(label_colour(label).lstrip("#"), 16)


def discord_payload(content: Draft) -> dict:
    """Create-message JSON without the per-row parts (role ping, nonce)."""
    payload: dict = {}
    card = content.card
    if card is None:
        payload["embeds"] = [{"title": shorten(content.title, 256),
                              "description": shorten(content.text, EMBED_DESCRIPTION_MAX),
                              "color": colour_value("お知らせ"), "footer": {"text": SITE_NAME}}]
        return payload
    if content.text:
        payload["content"] = shorten(content.text, DISCORD_CONTENT_MAX)
    embed = {"title": shorten(card.title, 256), "url": card.url,
             "description": shorten(card.body, EMBED_DESCRIPTION_MAX) or None,
             "color": colour_value(card.label), "footer": {"text": f"{card.label}｜{SITE_NAME}"}}
    if card.image_url:
        embed["image"] = {"url": card.image_url}
    payload["embeds"] = [{k: v for k, v in embed.items() if v is not None}]
    payload["components"] = [{"type": 1, "components": [
        {"type": 2, "style": 5, "label": card.button_label, "url": card.url}]}]
    return payload


def _card_embed(card: Card) -> dict:
    embed = {"title": shorten(card.title, 256), "url": card.url, "color": colour_value(card.label),
             "description": shorten(card.body, EMBED_DESCRIPTION_MAX) or None}
    if card.image_url:
        embed["image"] = {"url": card.image_url}
    return {k: v for k, v in embed.items() if v is not None}


def discord_from_response(response: BotResponse) -> dict:
    """A neutral reply (pushes: reminders, waitlist offers) as one Discord message."""
    texts = [getattr(m, "text", "") for m in response.messages if not isinstance(m, Cards)]
    cards = [card for m in response.messages if isinstance(m, Cards) for card in m.cards][:5]
    payload: dict = {}
    content = "\n\n".join(t for t in texts if t)
    if content:
        payload["content"] = shorten(content, DISCORD_CONTENT_MAX)
    if cards:
        payload["embeds"] = [_card_embed(card) for card in cards]
        payload["components"] = [{"type": 1, "components": [
            {"type": 2, "style": 5, "label": shorten(card.button_label, 80), "url": card.url} for card in cards]}]
    return payload


def plain_text(response: BotResponse) -> str:
    """What a push said, for the report (first text or card title)."""
    for message in response.messages:
        if isinstance(message, Cards) and message.cards:
            return message.cards[0].title
        if getattr(message, "text", ""):
            return message.text
    return ""
