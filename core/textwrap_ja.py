"""Line breaking for Japanese titles drawn into images.

Titles are cut into phrases (文節-like chunks: a word with its particles and
suffixes, found with janome) and filled greedily by measured width, with the
usual kinsoku rules on top: no line starts with closing punctuation or small
kana (it hangs on the previous line instead), no line ends with an opening
bracket, and Latin words and numbers stay whole. A phrase wider than the line
is broken between characters, still following the kinsoku rules.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

NO_LINE_START = set("、。，．,.・：；？！!?)）」』】〕〉》〟’”…‥ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々ゝゞヽヾ〜")
NO_LINE_END = set("（(「『【〔〈《〝‘“")
_ASCII_WORD = re.compile(r"[A-Za-z0-9.\-_'%/&+]")
_FALLBACK_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_'%/&+]*|\s+|.", re.DOTALL)
# Parts of speech that belong to the word before them.
_ATTACHING = ("助詞", "助動詞", "名詞,非自立", "名詞,接尾", "動詞,非自立", "動詞,接尾", "形容詞,非自立")

Measure = Callable[[str], float]


@lru_cache(maxsize=1)
def _tokenizer():
    try:
        from janome.tokenizer import Tokenizer
    except ImportError:  # janome is a dependency, but wrapping must never fail
        return None
    return Tokenizer()


def _joins_previous(surface: str, pos: str, previous: str) -> bool:
    if surface[0] in NO_LINE_START or pos.startswith(_ATTACHING):
        return True
    return bool(_ASCII_WORD.match(surface[0]) and _ASCII_WORD.match(previous[-1]))


def phrases(text: str) -> list[str]:
    """Unbreakable pieces: phrases with their particles, spaces kept as their own pieces."""
    text = " ".join(text.split())
    tokenizer = _tokenizer()
    if tokenizer is None:
        return _FALLBACK_TOKEN.findall(text)
    chunks: list[str] = []
    glue_next = False
    for token in tokenizer.tokenize(text):
        surface, pos = token.surface, token.part_of_speech
        if surface.isspace():
            chunks.append(" ")
            glue_next = False
        elif chunks and (glue_next or _joins_previous(surface, pos, chunks[-1])) and chunks[-1] != " ":
            chunks[-1] += surface
        else:
            chunks.append(surface)
        glue_next = surface[-1] in NO_LINE_END or pos.startswith("接頭詞")
    return chunks


def _split_chars(phrase: str, measure: Measure, width: float) -> list[str]:
    """Break an over-long phrase between characters, honouring kinsoku."""
    pieces: list[str] = []
    current = ""
    for char in phrase:
        if current and measure(current + char) > width and char not in NO_LINE_START:
            carried = ""
            while len(current) > 1 and current[-1] in NO_LINE_END:
                current, carried = current[:-1], current[-1] + carried
            pieces.append(current)
            current = carried
        current += char
    return pieces + ([current] if current else [])


def wrap_text(text: str, measure: Measure, width: float) -> list[str]:
    """Lines no wider than ``width`` (hanging punctuation may overflow a little)."""
    lines: list[str] = []
    current = ""
    for phrase in phrases(text):
        if phrase == " ":
            current += " " if current else ""
            continue
        if measure(current + phrase) <= width:
            current += phrase
            continue
        if current.strip():
            lines.append(current.rstrip())
        current = ""
        if measure(phrase) <= width:
            current = phrase
            continue
        *full, current = _split_chars(phrase, measure, width)
        lines.extend(full)
    if current.strip():
        lines.append(current.rstrip())
    return lines
