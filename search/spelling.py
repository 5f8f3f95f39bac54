""""Did you mean": nearby words from the index's own vocabulary (the ``words`` field).

Only chunks of the query that find nothing on their own are replaced, by the
most frequent vocabulary word within a small edit distance; hiragana input is
also tried in katakana (「ろぼと」 → 「ロボット」).
"""
from __future__ import annotations

from search.engine import unit_scores
from search.normalize import to_katakana, word_runs
from search.postings import SearcherData
from search.querying import Unit

MIN_CHARS = 2
# Short Latin words are too close to each other ("not" → "iot") to guess from.
MIN_LATIN_CHARS = 4
# Long chunks are sentences, not misspelt words; many chunks are not a query to correct.
MAX_CHARS = 20
MAX_CHUNKS = 6


def _finds_something(data: SearcherData, chunk: str) -> bool:
    return bool(unit_scores(data, Unit(chunk, ())))


def _closest(reader, chunk: str) -> str | None:
    variants = list(dict.fromkeys([chunk, to_katakana(chunk)]))
    for distance in (1, 2):
        if distance == 2 and len(chunk) < 5:
            break
        # prefix=1: the first character is rarely the mistaken one, and it keeps the scan short.
        found = {term for variant in variants for term in reader.terms_within("words", variant, distance, prefix=1)}
        found.discard(chunk)
        if found:
            return max(sorted(found), key=lambda term: reader.doc_frequency("words", term))
    return None


def _guessable(chunk: str) -> bool:
    minimum = MIN_LATIN_CHARS if chunk.isascii() else MIN_CHARS
    return minimum <= len(chunk) <= MAX_CHARS


def suggest(data: SearcherData, text: str) -> list[str]:
    """At most one corrected query for normalised ``text`` ([] when nothing better is known).

    Chunks without letters (「*」「?」) are left out of the suggestion.
    """
    reader = data.searcher.reader()
    words, changed = [], False
    for chunk in [c for c in text.split(" ") if word_runs(c)][:MAX_CHUNKS]:
        if not _guessable(chunk) or _finds_something(data, chunk):
            words.append(chunk)
            continue
        replacement = _closest(reader, chunk)
        words.append(replacement or chunk)
        changed = changed or replacement is not None
    return [" ".join(words)] if changed else []
