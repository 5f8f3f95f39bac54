"""Text normalisation shared by indexing and querying.

Both sides must agree exactly, so every rule lives here: NFKC (full-/half-width
and ｶﾀｶﾅ), case folding, control characters, long-vowel marks, and the
katakana → hiragana fold used by the character-bigram field.
"""
from __future__ import annotations

import re
import unicodedata

# Dash-like characters that people (and IMEs) type instead of the long-vowel mark ー.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff0d\uff70\u002d\u2500\u2501"
_KATAKANA = "\u30a1-\u30fa"
_DASH_AFTER_KATAKANA = re.compile(f"(?<=[{_KATAKANA}])[{re.escape(_DASHES)}]+")
# JIS Z 8301 style: プリンター and プリンタ are the same word. Like Lucene's
# katakana stemmer, drop a final ー from katakana words of four or more characters.
_KATAKANA_LONG_VOWEL_END = re.compile(f"(?<=[{_KATAKANA}ー]{{2}}[{_KATAKANA}])ー(?![{_KATAKANA}ー])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Zero-width and bidi formatting characters would split a word in two.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_SPACES = re.compile(r"\s+")
# A "word" for the bigram field: letters, digits, kana, kanji and the long-vowel mark.
WORD_RUN = re.compile(
    "[0-9a-z\u00c0-\u024f"                      # digits, Latin letters (after case folding)
    "\u3041-\u3096\u309d\u309e"                 # hiragana
    "\u30a1-\u30fa\u30fc\u30fd\u30fe"           # katakana and ー
    "\u3005\u3006\u4e00-\u9fff\uf900-\ufaff]+"  # 々 〆 and kanji
)

_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KATA_TO_HIRA.update({0x30FD: 0x309D, 0x30FE: 0x309E})
_HIRA_TO_KATA = {hira: kata for kata, hira in _KATA_TO_HIRA.items()}


def normalize(text: str) -> str:
    """NFKC, lower case, no control characters, unified long-vowel marks, single spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text)).casefold()
    text = _DASH_AFTER_KATAKANA.sub("ー", text)
    text = _KATAKANA_LONG_VOWEL_END.sub("", text)
    return _SPACES.sub(" ", text).strip()


def strip_long_vowel(word: str) -> str:
    """Apply the katakana long-vowel rule to one already normalised word."""
    return _KATAKANA_LONG_VOWEL_END.sub("", word)


def fold_kana(text: str) -> str:
    """Katakana → hiragana, so まちこうば finds マチコウバ (bigram field only)."""
    return text.translate(_KATA_TO_HIRA)


def to_katakana(text: str) -> str:
    return text.translate(_HIRA_TO_KATA)


def word_runs(text: str) -> list[str]:
    """Runs of word characters in normalised text (punctuation and spaces split runs)."""
    return WORD_RUN.findall(text)


def bigrams(run: str) -> list[str]:
    """Overlapping character bigrams of one run, plus its last character alone.

    The trailing unigram lets a one-character query (「鉄」) find 製鉄 through a
    prefix match: every occurrence of a character starts some indexed term.
    """
    if len(run) < 2:
        return [run] if run else []
    return [run[i:i + 2] for i in range(len(run) - 1)] + [run[-1]]


def bigram_terms(text: str, *, hiragana_pairs: bool = True, folded: str | None = None) -> list[str]:
    """Bigram terms (kana folded) of already normalised text, in order.

    ``hiragana_pairs=False`` leaves out bigrams of two hiragana characters *as
    written* (before folding, so katakana words keep theirs): in running text they
    are mostly grammar (ます, して, こと), a third of all postings. ``folded``:
    ``fold_kana(text)`` when the caller has it already.
    """
    if folded is None:
        folded = fold_kana(text)
    if hiragana_pairs:
        return [term for run in word_runs(folded) for term in bigrams(run)]
    terms: list[str] = []
    for match in WORD_RUN.finditer(text):
        start, end = match.span()
        run = match.group()
        if end - start == 1:
            terms.append(folded[start])
            continue
        for i in range(start, end - 1):
            if not ("\u3041" <= run[i - start] <= "\u309f" and "\u3041" <= run[i - start + 1] <= "\u309f"):
                terms.append(folded[i:i + 2])
        terms.append(folded[end - 1])
    return terms
