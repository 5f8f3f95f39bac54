"""Turning a broadcast into X posts: one post, or (when staff ask) a numbered thread "1/3 …"."""
from __future__ import annotations

from urllib.parse import urlencode

from bot.x.counter import MAX_WEIGHTED_LENGTH, URL_LENGTH, weighted_length

INTENT_URL = "https://x.com/intent/post"

NUMBER_ROOM = len(" 10/10")  # weight of the widest numbering we add (ASCII: 1 each)


def post_text(text: str, link: str | None) -> str:
    return "\n".join(part for part in (text.strip(), link) if part)


def post_weight(text: str, link: str | None) -> int:
    """Our link is always a real address X shortens to 23 (even a local test server's)."""
    body = text.strip()
    return weighted_length(body) + ((1 if body else 0) + URL_LENGTH if link else 0)


def _cut(text: str, budget: int) -> tuple[str, str]:
    """The longest head of ``text`` weighing at most ``budget``, preferring a line or sentence end."""
    low, high = 0, len(text)
    while low < high:  # binary search on code points; the weight only grows with length
        middle = (low + high + 1) // 2
        if weighted_length(text[:middle]) <= budget:
            low = middle
        else:
            high = middle - 1
    head = text[:low]
    for mark in ("\n", "。", "！", "？", ". ", "、", " "):
        at = head.rfind(mark)
        if at > len(head) // 2:
            return head[:at + len(mark)].rstrip(), text[at + len(mark):].lstrip()
    return head, text[low:].lstrip()


def split_thread(text: str, link: str | None) -> list[str]:
    """Numbered posts each within 280; the link goes in the first post (the one people see)."""
    whole = post_text(text, link)
    if post_weight(text, link) <= MAX_WEIGHTED_LENGTH:
        return [whole]
    budget_first = MAX_WEIGHTED_LENGTH - NUMBER_ROOM - (24 if link else 0)
    head, rest = _cut(text.strip(), budget_first)
    parts = [post_text(head, link)]
    while rest:
        head, rest = _cut(rest, MAX_WEIGHTED_LENGTH - NUMBER_ROOM)
        parts.append(head)
    total = len(parts)
    return [f"{part} {number}/{total}" for number, part in enumerate(parts, start=1)]


def intent_url(text: str) -> str:
    """X's post screen with the text filled in (「手動で投稿」)."""
    return f"{INTENT_URL}?{urlencode({'text': text})}"
