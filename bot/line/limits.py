"""LINE Messaging API limits the renderer enforces, and UTF-16 aware truncation.

LINE counts text length in UTF-16 code units (an emoji outside the BMP
counts 2), so every length check here does too.
"""
from __future__ import annotations

MESSAGES_PER_REQUEST = 5
TEXT_MAX = 5000
ALT_TEXT_MAX = 1500  # Flex messages
TEMPLATE_ALT_TEXT_MAX = 400  # template messages (confirm) allow far less
CONFIRM_TEXT_MAX = 240
CAROUSEL_BUBBLES_MAX = 12
BUBBLE_BYTES_MAX = 30 * 1024
CAROUSEL_BYTES_MAX = 50 * 1024
QUICK_REPLY_ITEMS_MAX = 13
ACTION_LABEL_MAX = 20  # quick replies, templates, rich menus
FLEX_BUTTON_LABEL_MAX = 40
POSTBACK_DATA_MAX = 300
ACTION_TEXT_MAX = 300  # message action text, postback displayText
URI_MAX = 1000
IMAGE_URL_MAX = 2000
ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-16 units, ending in … when cut."""
    if utf16_len(text) <= limit:
        return text
    budget = limit - utf16_len(ELLIPSIS)
    out, used = [], 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > budget:
            break
        out.append(char)
        used += width
    return "".join(out) + ELLIPSIS


def non_empty(text: str, fallback: str = "…") -> str:
    """LINE rejects empty texts and labels."""
    return text if text.strip() else fallback
