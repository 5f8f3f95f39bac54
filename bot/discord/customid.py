"""Component custom ids (≤ 100 characters) carrying the core's choices.

  p:<postback data>      a button or select option that sends a core postback
                         (signed ``reg`` payloads keep their signature as is)
  t:<text>               a choice that sends text as if the user typed it
  s:<n>                  a select menu of choices (each option's value is p:/t:)
  tour:pick              select menu of events to register for (value = event id)
  tour:open:<event id>   button that opens the registration form again
  tour:form:<event id>   the registration form (modal)

The core builds postbacks for LINE's 300 characters. Search payloads are
re-encoded with a shorter search word to fit; anything else too long is
dropped by the renderer (and logged), never sent for Discord to refuse.
"""
from __future__ import annotations

from bot.discord.limits import CUSTOM_ID
from messages import postback
from messages.replies import Choice

POSTBACK, TEXT, SELECT = "p:", "t:", "s:"
TOUR_PICK, TOUR_OPEN, TOUR_FORM = "tour:pick", "tour:open:", "tour:form:"
PAYLOAD_MAX = CUSTOM_ID - len(POSTBACK)


def fit_postback(data: str, limit: int = PAYLOAD_MAX) -> str | None:
    """``data`` if it fits; a search postback with a shorter word; else None."""
    if len(data) <= limit:
        return data
    parsed = postback.decode(data)
    if parsed is None or "q" not in parsed.params:
        return None
    word, others = parsed.get("q"), {k: v for k, v in parsed.params.items() if k != "q"}
    while len(word) > 1:
        word = word[: max(1, len(word) * 3 // 4)]
        shorter = postback.encode(parsed.action, q=word, **others)
        if len(shorter) <= limit:
            return shorter
    return None


def for_choice(choice: Choice) -> str | None:
    """The custom id (or select value) of a postback/text choice; None if it cannot fit."""
    if choice.data is not None:
        data = fit_postback(choice.data)
        return POSTBACK + data if data else None
    if choice.text is not None:
        text = choice.text.strip()
        return TEXT + text if text and len(TEXT + text) <= CUSTOM_ID else None
    return None


def parse(value: str) -> tuple[str, str] | None:
    """("postback", data) or ("text", text) for a p:/t: value; None otherwise."""
    if not isinstance(value, str) or len(value) > CUSTOM_ID:
        return None
    if value.startswith(POSTBACK) and len(value) > len(POSTBACK):
        return "postback", value[len(POSTBACK):]
    if value.startswith(TEXT) and value[len(TEXT):].strip():
        return "text", value[len(TEXT):]
    return None


def event_ref(value: str, prefix: str) -> int | None:
    """The event id in ``tour:open:<id>`` / ``tour:form:<id>``."""
    raw = value[len(prefix):] if value.startswith(prefix) else ""
    return int(raw) if raw.isdigit() and len(raw) < 10 else None
