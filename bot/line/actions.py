"""Choice → LINE action object (quick replies, confirm templates, Flex buttons)."""
from __future__ import annotations

import logging
from functools import lru_cache

from bot.line import limits
from messages.replies import Choice

log = logging.getLogger(__name__)


def is_web_url(url: str | None, max_length: int = limits.URI_MAX) -> bool:
    return bool(url) and url.startswith(("https://", "http://")) and len(url) <= max_length


def action(choice: Choice, label_max: int = limits.ACTION_LABEL_MAX) -> dict | None:
    """The LINE action for a choice, or None when it cannot be sent within the limits.

    A fresh dict each call; the work is done once per distinct choice (most replies carry
    the same menu of quick replies, and counting UTF-16 units of every label added up)."""
    made = _action(choice, label_max)
    return dict(made) if made is not None else _refused(choice)


@lru_cache(maxsize=2048)
def _action(choice: Choice, label_max: int) -> dict | None:
    return _build(choice, label_max)


def _refused(choice: Choice) -> None:
    """Say why a choice cannot be sent (each time: these are bugs to see in the log)."""
    if choice.data is not None:
        log.warning("dropped a choice: postback data empty or over %d", limits.POSTBACK_DATA_MAX)
    else:
        log.warning("dropped a choice %r: no usable data, text or url", choice.label)


def _build(choice: Choice, label_max: int) -> dict | None:
    label = limits.truncate(limits.non_empty(choice.label), label_max)
    if choice.data is not None:
        if limits.utf16_len(choice.data) > limits.POSTBACK_DATA_MAX or not choice.data:
            return None
        shown = limits.truncate(choice.display_text or choice.label, limits.ACTION_TEXT_MAX)
        return {"type": "postback", "label": label, "data": choice.data, "displayText": limits.non_empty(shown)}
    if choice.text is not None:
        text = limits.truncate(limits.non_empty(choice.text), limits.ACTION_TEXT_MAX)
        return {"type": "message", "label": label, "text": text}
    if is_web_url(choice.url):
        return {"type": "uri", "label": label, "uri": choice.url}
    return None
