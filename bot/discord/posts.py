"""Broadcasts and pushes as Discord messages: an embed in the category colour and a link button."""
from __future__ import annotations

from core.site import SITE_NAME
from messages.colours import label_colour
from messages.replies import BotResponse, Card, Cards
from messages.text import shorten

EMBED_DESCRIPTION_MAX = 1000
DISCORD_CONTENT_MAX = 1900  # 2000 minus room for a role mention


def colour_value(label: str) -> int:
    """The site's category colour as Discord's integer colour."""
    return int(label_colour(label).lstrip("#"), 16)


def discord_payload(content) -> dict:
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
