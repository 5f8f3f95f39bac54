"""Article cards → a Flex carousel in the site's design.

Each bubble: a 20:13 hero photo, a small coloured category chip, the title,
a short summary and a violet button that opens the (tracked) article link.
"""
from __future__ import annotations

import json
import logging

from bot.line import limits, style
from bot.line.actions import action, is_web_url
from messages.colours import label_colour
from messages.replies import Card, Cards, Choice

log = logging.getLogger(__name__)

TITLE_MAX = 80
BODY_MAX = 160
CHIP_MAX = 20
EXTRA_BUTTONS_MAX = 2


def _chip(label: str) -> dict:
    chip = {
        "type": "box", "layout": "vertical", "flex": 0, "cornerRadius": "12px",
        "backgroundColor": label_colour(label),
        "paddingStart": "8px", "paddingEnd": "8px", "paddingTop": "2px", "paddingBottom": "2px",
        "contents": [{"type": "text", "text": limits.truncate(label, CHIP_MAX), "size": "xxs",
                      "color": style.WHITE, "weight": "bold"}],
    }
    return {"type": "box", "layout": "horizontal", "contents": [chip]}


def line_image_url(url: str | None) -> str | None:
    """``url`` if LINE can show it, else None: LINE loads images over HTTPS only (≤ 2,000 units).

    A bubble without a photo beats a refused message; the playground applies the same rule.
    """
    if not url or not url.startswith("https://") or limits.utf16_len(url) > limits.IMAGE_URL_MAX:
        return None
    return url


def photos_dropped_warning(base_url: str) -> str | None:
    """One line for operators when BASE_URL makes every LINE photo disappear, else None."""
    if base_url.startswith("https://"):
        return None
    return (f"LINE messages are sent without photos: BASE_URL {base_url} is not https "
            "and LINE loads images over HTTPS only")


def _hero(card: Card) -> dict | None:
    url = line_image_url(card.image_url)
    if url is None:
        return None
    return {"type": "image", "url": url, "size": "full", "aspectRatio": "20:13",
            "aspectMode": "cover", "action": {"type": "uri", "label": "開く", "uri": card.url}}


def _body(card: Card) -> dict:
    contents = [_chip(card.label)] if card.label.strip() else []
    contents.append({"type": "text", "text": limits.truncate(limits.non_empty(card.title), TITLE_MAX),
                     "weight": "bold", "size": "md", "color": style.INK, "wrap": True, "maxLines": 3})
    if card.body.strip():
        contents.append({"type": "text", "text": limits.truncate(card.body, BODY_MAX), "size": "sm",
                         "color": style.INK_SOFT, "wrap": True, "maxLines": 4})
    return {"type": "box", "layout": "vertical", "spacing": "sm", "contents": contents}


def _button(act: dict, primary: bool) -> dict:
    button = {"type": "button", "height": "sm", "action": act,
              "style": "primary" if primary else "secondary"}
    if primary:
        button["color"] = style.PRIMARY
    return button


def _footer(card: Card) -> dict:
    main = action(Choice(label=card.button_label or "記事を読む", url=card.url), limits.FLEX_BUTTON_LABEL_MAX)
    extras = [action(c, limits.FLEX_BUTTON_LABEL_MAX) for c in card.extra_buttons[:EXTRA_BUTTONS_MAX]]
    buttons = [_button(main, True)] + [_button(a, False) for a in extras if a]
    return {"type": "box", "layout": "vertical", "spacing": "sm", "contents": buttons}


def bubble(card: Card) -> dict | None:
    if not is_web_url(card.url):
        log.warning("card %r skipped: its link is not a usable URL", card.title[:40])
        return None
    out = {"type": "bubble", "size": "kilo", "body": _body(card), "footer": _footer(card),
           "styles": {"body": {"backgroundColor": style.WHITE}, "footer": {"backgroundColor": style.PAPER}}}
    hero = _hero(card)
    if hero:
        out["hero"] = hero
    return out


def _json_bytes(value) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode())


_CAROUSEL_WRAPPER_BYTES = _json_bytes({"type": "carousel", "contents": []})
_SEPARATOR_BYTES = len(", ")  # between the bubbles in json.dumps' default layout


def _within_byte_limits(bubbles: list[dict]) -> list[dict]:
    sized = [(b, size) for b in bubbles if (size := _json_bytes(b)) <= limits.BUBBLE_BYTES_MAX]
    kept = [b for b, _ in sized]
    # The carousel's size, from its bubbles' (what _json_bytes of the whole carousel gives, without encoding it again).
    total = _CAROUSEL_WRAPPER_BYTES + sum(size for _, size in sized) + _SEPARATOR_BYTES * max(len(sized) - 1, 0)
    while kept and total > limits.CAROUSEL_BYTES_MAX:
        total -= sized[len(kept) - 1][1] + (_SEPARATOR_BYTES if len(kept) > 1 else 0)
        kept.pop()
    if len(kept) < len(bubbles):
        log.warning("carousel cut from %d to %d bubbles to stay under LINE's size limits", len(bubbles), len(kept))
    return kept


def carousel_message(cards: Cards) -> dict | None:
    bubbles = [b for b in (bubble(c) for c in cards.cards[: limits.CAROUSEL_BUBBLES_MAX]) if b]
    bubbles = _within_byte_limits(bubbles)
    if not bubbles:
        return None
    alt = limits.truncate(limits.non_empty(cards.alt_text, "記事の一覧"), limits.ALT_TEXT_MAX)
    return {"type": "flex", "altText": alt, "contents": {"type": "carousel", "contents": bubbles}}
