"""Snippets around the match, as escaped HTML with <mark> and as plain text.

Matching happens on normalised, kana-folded text, but the snippet shows the
original characters: each original character is normalised on its own and a
position map leads back from the normalised text to the original.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from search.normalize import fold_kana, normalize

SNIPPET_CHARS = 110
MAX_MARKS = 12


@dataclass
class Snippet:
    html: str
    text: str


# A character with its (half-width) voicing marks: ﾌﾟ must become ぷ, not ふ + ゚.
_GRAPHEME = re.compile(r".[\u3099\u309a\uff9e\uff9f]*", re.S)


@lru_cache(maxsize=8192)
def _char(char: str) -> str:
    """One character as the index sees it (NFKC, case, kana fold); context rules aside."""
    return fold_kana(unicodedata.normalize("NFKC", char).casefold())


def _normalised_with_map(text: str) -> tuple[str, list[int] | range]:
    """Normalised, folded text and, for each of its characters, the original index."""
    whole = fold_kana(unicodedata.normalize("NFKC", text).casefold())
    if len(whole) == len(text):  # the usual case: nothing composed or expanded
        return whole, range(len(text))
    out: list[str] = []
    positions: list[int] = []
    for match in _GRAPHEME.finditer(text):
        norm = _char(match.group())
        out.append(norm)
        positions.extend([match.start()] * len(norm))
    return "".join(out), positions


def _spans(haystack: str, needles: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of the needles in normalised text."""
    found: list[tuple[int, int]] = []
    for needle in sorted({n for n in needles if n}, key=len, reverse=True):
        for match in re.finditer(re.escape(needle), haystack):
            span = (match.start(), match.end())
            if all(span[1] <= s or span[0] >= e for s, e in found):
                found.append(span)
    return sorted(found)


def _window(spans: list[tuple[int, int]], length: int, size: int) -> tuple[int, int]:
    """The window of ``size`` characters holding the most matches (starting a bit before one)."""
    if not spans:
        return 0, min(length, size)
    best_start, best_count = 0, -1
    for start, _ in spans:
        begin = max(0, start - size // 4)
        count = sum(1 for s, e in spans if s >= begin and e <= begin + size)
        if count > best_count:
            best_start, best_count = begin, count
    return best_start, min(length, best_start + size)


def _needles(terms: list[str]) -> list[str]:
    return list(_folded_terms(tuple(terms)))


@lru_cache(maxsize=256)
def _folded_terms(terms: tuple[str, ...]) -> tuple[str, ...]:
    """The terms as they appear in folded text (once per query, not once per hit)."""
    return tuple(fold_kana(normalize(term)).replace(" ", "") for term in terms)


@lru_cache(maxsize=128)
def _prepared(raw: str) -> tuple[str, str, list[int] | range]:
    """A document's text with spaces collapsed, its normalised form and the position map.

    Kept for the documents searched most recently: the same articles come up again and
    again (popular words), and normalising a whole article is most of a snippet's cost.
    """
    text = re.sub(r"\s+", " ", raw).strip()
    folded, positions = _normalised_with_map(text)
    return text, folded, positions


def build(text: str, terms: list[str], size: int = SNIPPET_CHARS) -> Snippet:
    """A snippet of ``text`` around the best cluster of ``terms``."""
    if not text or text.isspace():
        return Snippet("", "")
    text, folded, positions = _prepared(text)
    spans = _spans(folded, _needles(terms))
    begin, end = _window(spans, len(folded), size)
    start = positions[begin] if begin < len(positions) else 0
    stop = positions[end - 1] + 1 if end > begin else start
    marks = [(positions[s], positions[e - 1] + 1) for s, e in spans if s >= begin and e <= end][:MAX_MARKS]
    return _render(text, start, stop, marks)


def _render(text: str, start: int, stop: int, marks: list[tuple[int, int]]) -> Snippet:
    html, cursor = [], start
    for mark_start, mark_end in marks:
        html.append(escape(text[cursor:mark_start]))
        html.append(f"<mark>{escape(text[mark_start:mark_end])}</mark>")
        cursor = mark_end
    html.append(escape(text[cursor:stop]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if stop < len(text) else ""
    return Snippet(prefix + "".join(html) + suffix, prefix + text[start:stop] + suffix)
