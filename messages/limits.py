"""Platform limits enforced in the core, so every adapter can render replies as-is.

The tightest common limits (LINE's) are used: adapters never have to cut
anything, and the test validator (``bot.core.testing.violations``) checks them.
"""
from __future__ import annotations

from collections.abc import Iterable

from messages import postback
from messages.replies import BotResponse, Card, Cards, Choice
from messages.text import shorten

MAX_LABEL = 20  # quick-reply / template action labels
MAX_DATA = postback.MAX_DATA  # postback data
MAX_QUICK_REPLIES = 13
MAX_CARDS = 10  # LINE allows 12 bubbles; leave room for an adapter's own "more" bubble
MAX_MESSAGES = 5  # messages in one LINE reply
MAX_TEXT_UTF16 = 5000  # LINE text message, counted in UTF-16 code units
MAX_ALT_TEXT = 400
MAX_CONFIRM_TEXT = 240
MAX_DISPLAY_TEXT = 300  # postback displayText / message action text
MAX_CARD_TITLE = 80
MAX_CARD_BODY = 120


def label(text: str) -> str:
    return shorten(text, MAX_LABEL)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fit_text(text: str, limit: int = MAX_TEXT_UTF16) -> str:
    """Cut a message body so it fits LINE's UTF-16 length (emoji count twice)."""
    if utf16_len(text) <= limit:
        return text
    units = 0
    for index, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit - 1:  # keep one unit for the ellipsis
            return text[:index] + "…"
    return text


def action(text: str, act: str, display_text: str | None = None, **params: object) -> Choice:
    """A postback choice; the chat shows ``display_text`` (or the label) when tapped."""
    shown = shorten(display_text, MAX_DISPLAY_TEXT) if display_text else label(text)
    return Choice(label=label(text), data=postback.encode(act, **params), display_text=shown)


def say(text: str, message: str | None = None) -> Choice:
    """A choice that sends ``message`` (default: the label) as if the user typed it."""
    return Choice(label=label(text), text=shorten(message or text, MAX_DISPLAY_TEXT))


def link(text: str, url: str) -> Choice:
    return Choice(label=label(text), url=url)


def quick_replies(choices: Iterable[Choice | None]) -> list[Choice]:
    """At most 13 choices, no duplicate labels, Nones (choices that did not fit) dropped."""
    seen: set[str] = set()
    kept: list[Choice] = []
    for choice in choices:
        if choice is None or choice.label in seen or choice.url:
            continue  # LINE quick replies cannot open URLs; links belong in cards
        seen.add(choice.label)
        kept.append(choice)
    return kept[:MAX_QUICK_REPLIES]


def carousel(cards: Iterable[Card], alt_text: str) -> Cards:
    return Cards(cards=tuple(cards)[:MAX_CARDS], alt_text=shorten(alt_text, MAX_ALT_TEXT))


def bounded(response: BotResponse) -> BotResponse:
    """Last line of defence before a response leaves the core."""
    response.messages = response.messages[:MAX_MESSAGES]
    response.quick_replies = quick_replies(response.quick_replies)
    return response
