"""X's weighted post length (twitter-text v3 rules), so the composer and the sender agree with X.

Text is NFC-normalised; each code point weighs 2 unless it lies in one of the light
ranges below (Latin, general punctuation...: 1); any URL weighs 23; with emoji parsing an
emoji sequence (ZWJ families, flags, keycaps, skin tones) weighs 2 in all. A post may weigh
at most 280. Ranges and indices are X's: UTF-16 code units, as X's own libraries count.
The same rules run in the browser (web/static/x-counter.js).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.x.emoji import find_emoji
from bot.x.urls import find_urls

MAX_WEIGHTED_LENGTH = 280
SCALE = 100
DEFAULT_WEIGHT = 200
URL_LENGTH = 23
LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))  # weight 100 = one character
INVALID_CHARACTERS = frozenset("\ufffe\ufeff\uffff")


@dataclass(frozen=True)
class Rules:
    max_weighted_length: int = MAX_WEIGHTED_LENGTH
    emoji_parsing: bool = True  # False = X's earlier v2 rules (each code point of an emoji counts)


X_RULES = Rules()


@dataclass(frozen=True)
class Count:
    weighted_length: int
    valid: bool
    permillage: int
    valid_range_end: int  # last UTF-16 index that still fits (of the text as given)
    display_range_end: int


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def char_weight(char: str) -> int:
    code = ord(char)
    return 100 if any(lo <= code <= hi for lo, hi in LIGHT_RANGES) else DEFAULT_WEIGHT


def _pieces(text: str, rules: Rules):
    """(text of the piece, weight) for every counted piece, in order."""
    entities = {span.start: (span.end, URL_LENGTH * SCALE) for span in find_urls(text)}
    if rules.emoji_parsing:
        for start, end in find_emoji(text):
            entities.setdefault(start, (end, DEFAULT_WEIGHT))
    index = 0
    while index < len(text):
        end, weight = entities.get(index, (index + 1, None))
        piece = text[index:end]
        yield piece, weight if weight is not None else char_weight(piece)
        index = end


def count(text: str, rules: Rules = X_RULES) -> Count:
    normalised = unicodedata.normalize("NFC", text)
    limit = rules.max_weighted_length * SCALE
    weighted, valid, unit_index, valid_index = 0, True, -1, 0
    for piece, weight in _pieces(normalised, rules):
        weighted += weight
        unit_index += _units(piece)
        if valid:
            valid = piece[-1] not in INVALID_CHARACTERS
        if valid and weighted <= limit:
            valid_index = unit_index
    length = weighted // SCALE
    valid = valid and 0 < length <= rules.max_weighted_length
    offset = _units(text) - _units(normalised)
    return Count(weighted_length=length, valid=valid, permillage=length * 1000 // rules.max_weighted_length,
                 valid_range_end=valid_index + offset, display_range_end=max(_units(text) - 1, 0))


def weighted_length(text: str) -> int:
    return count(text).weighted_length


def fits(text: str) -> bool:
    return count(text).valid
