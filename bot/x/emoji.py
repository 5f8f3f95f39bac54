"""Emoji sequences X counts as one character of weight 2 (twitter-text v3 emoji parsing).

A keycap, a flag, a tag sequence (subdivision flags) or a chain of pictographs joined by
ZWJ, each with optional presentation selector and skin tone, is one emoji. © and ®
count as emoji only with the emoji presentation selector (they are Latin-1 text otherwise).
"""
from __future__ import annotations

import re

_PICTOGRAPH = (
    "\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf\u23e9-\u23f3\u23f8-\u23fa"
    "\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u27bf\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c"
    "\u2b50\u2b55\u3030\u303d\u3297\u3299\U0001F000-\U0001F1E5\U0001F200-\U0001F3FA\U0001F400-\U0001FAFF"
)
_MODIFIER = "\U0001F3FB-\U0001F3FF"
_ELEMENT = rf"(?:[{_PICTOGRAPH}](?:\ufe0f)?[{_MODIFIER}]?|[\u00a9\u00ae]\ufe0f)"
EMOJI = re.compile(
    rf"[#*0-9]\ufe0f?\u20e3"  # keycap
    rf"|[\U0001F1E6-\U0001F1FF]{{2}}"  # flag
    rf"|\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F"  # subdivision flag
    rf"|{_ELEMENT}(?:\u200d{_ELEMENT})*"  # pictograph, ZWJ sequence
    rf"|[{_MODIFIER}]"
)


def find_emoji(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in EMOJI.finditer(text)]
