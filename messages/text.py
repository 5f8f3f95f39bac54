"""Text normalisation so intents survive width, kana and punctuation differences.

「ｼﾝﾁｬｸ」「しんちゃく」「新着！」「新着を教えてください」 all reduce to a key
that the intent table can compare with plain equality.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache

MAX_QUERY_CHARS = 100  # longer searches are cut: nobody types more, and the index gains nothing

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
# Anything that is not a letter/number/mark (punctuation, symbols, emoji) or a space.
_NOISE_CATEGORIES = ("P", "S", "C", "Z")
# Polite wrappers people put around a command, written as typed; compared after
# ``compact_key`` (so kana/kanji/width variants of each entry are covered).
_POLITE_SUFFIX_WORDS = (
    "を教えてください", "教えてください", "を教えて下さい", "教えて下さい", "を教えて", "教えて",
    "をおしえて", "おしえて", "を見せてください", "見せてください", "を見せて", "見せて", "みせて",
    "はありますか", "ありますか", "はありませんか", "ありませんか", "はあるの", "あるの", "はある", "ある",
    "はない", "ない", "が知りたい", "を知りたい", "知りたい", "しりたい", "を開く", "開く", "を開いて", "開いて",
    "をください", "ください", "下さい", "をお願いします", "お願いします", "おねがいします", "お願い",
    "ですか", "です", "をしたい", "したい", "をする", "する", "をして", "して", "について", "って何", "は何",
    "とは", "はどこ", "どこ", "はいつ", "いつ", "が見たい", "を見たい", "見たい", "を見る", "見る", "かな",
    "ね", "よ", "か", "を", "は", "が",
)
# Words that only qualify the request (「次のイベント」「今後の見学会」「新着一覧」).
_QUALIFIER_PREFIX_WORDS = ("あの", "ねえ", "すみません", "すいません", "ちょっと", "次の", "今後の", "今度の",
                           "近日の", "直近の", "近くの", "おすすめの", "今月の", "今週の", "最近の")
_QUALIFIER_SUFFIX_WORDS = ("一覧", "情報", "予定", "日程", "スケジュール", "リスト", "まとめ", "を変更", "を変えたい",
                           "を変える", "の変更")


@cache
def _keys(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({compact_key(w) for w in words}, key=len, reverse=True))


def clean_text(text: str) -> str:
    """NFKC, control characters removed, whitespace collapsed (kept for searching)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(" " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in text)
    return re.sub(r" +", " ", text).strip()


def to_hiragana(text: str) -> str:
    return text.translate(_KATAKANA_TO_HIRAGANA)


def compact_key(text: str) -> str:
    """Lower-case hiragana key without spaces, punctuation, symbols or emoji."""
    text = to_hiragana(clean_text(text).lower())
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(_NOISE_CATEGORIES))


def _strip_prefixes(key: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix):]
    return key


def polite_candidates(key: str, max_strips: int = 4) -> list[str]:
    """The key and its shorter forms with polite/qualifier endings removed, fewest removals first.

    Every way of stripping is tried (「いべんとは」 can lose 「は」 or 「とは」), so the
    caller can pick the first form that is a known command.
    """
    suffixes = _keys(_POLITE_SUFFIX_WORDS + _QUALIFIER_SUFFIX_WORDS)
    level = [_strip_prefixes(key, _keys(_QUALIFIER_PREFIX_WORDS))]
    found = [key] + [k for k in level if k != key]
    for _ in range(max_strips):
        level = [k[: -len(s)] for k in level for s in suffixes if k.endswith(s) and len(k) > len(s)]
        level = [k for k in dict.fromkeys(level) if k not in found]
        found += level
    return found


# Multi-character endings only: stripping a lone particle from a search word
# would damage words such as 「めがね」.
_SEARCH_SUFFIXES = tuple(sorted((w for w in _POLITE_SUFFIX_WORDS if len(w) > 1), key=len, reverse=True))


def search_query(text: str) -> str:
    """The user's text made safe to hand to search: cleaned, polite endings removed, bounded."""
    query = clean_text(text)[: MAX_QUERY_CHARS * 2]
    query = query.rstrip("?？!！。、.,… ").strip()
    for suffix in _SEARCH_SUFFIXES:
        if query.endswith(suffix) and len(query) > len(suffix):
            query = query[: -len(suffix)].rstrip()
            break
    return _drop_trailing_particle(query)[:MAX_QUERY_CHARS].strip()


def _is_hiragana(ch: str) -> bool:
    return "ぁ" <= ch <= "ゖ"


def _drop_trailing_particle(query: str) -> str:
    """「工場は」→「工場」, but 「めがね」 stays: only after a non-hiragana character."""
    if len(query) > 1 and query[-1] in "はをがか" and not _is_hiragana(query[-2]):
        return query[:-1]
    return query


def shorten(text: str | None, limit: int, ellipsis: str = "…") -> str:
    """At most ``limit`` characters, cut with an ellipsis (line breaks are kept)."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ellipsis), 0)].rstrip() + ellipsis
