"""BotResponse → JSON for the playground page, capped like the LINE renderer."""
from __future__ import annotations

from bot.line import limits
from bot.line.flex import line_image_url
from messages.colours import label_colour
from messages.replies import BotResponse, Cards, Choice, Confirm, Text


def choice_json(choice: Choice) -> dict:
    return {
        "label": limits.truncate(choice.label, limits.ACTION_LABEL_MAX),
        "data": choice.data, "text": choice.text, "url": choice.url,
        "display_text": choice.display_text or choice.label,
    }


def _cards_json(reply: Cards) -> dict:
    cards = [
        {"title": card.title, "url": card.url, "label": card.label, "label_colour": label_colour(card.label),
         "body": card.body, "image_url": line_image_url(card.image_url), "button_label": card.button_label,
         "buttons": [choice_json(c) for c in card.extra_buttons]}
        for card in reply.cards[: limits.CAROUSEL_BUBBLES_MAX]
    ]
    # Photos LINE would not load are left out here too, so the preview shows what LINE users get.
    return {"type": "cards", "alt_text": reply.alt_text, "cards": cards}


def reply_json(reply) -> dict | None:
    if isinstance(reply, Text):
        return {"type": "text", "text": limits.truncate(reply.text, limits.TEXT_MAX)}
    if isinstance(reply, Cards):
        return _cards_json(reply)
    if isinstance(reply, Confirm):
        return {"type": "confirm", "text": limits.truncate(reply.text, limits.CONFIRM_TEXT_MAX),
                "yes": choice_json(reply.yes), "no": choice_json(reply.no)}
    return None


def response_json(response: BotResponse) -> dict:
    messages = [m for m in (reply_json(r) for r in response.messages) if m]
    return {
        "messages": messages[: limits.MESSAGES_PER_REQUEST],
        "quick_replies": [choice_json(c) for c in response.quick_replies[: limits.QUICK_REPLY_ITEMS_MAX]],
    }
