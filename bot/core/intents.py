"""What a typed message asks for. Anything that is not a command is a search.

Commands are matched on a normalised key (see ``normalize``), so 全角/半角,
ひらがな/カタカナ, spaces, punctuation and polite endings do not matter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from messages.text import clean_text, compact_key, polite_candidates, search_query


@dataclass(frozen=True)
class Intent:
    name: str  # latest | events | settings | help | search_help | site | erase | my_registrations | greeting | thanks | search | empty
    category: str | None = None  # latest: article category key
    kind: str | None = None  # events: event kind key
    query: str = ""  # search


_COMMAND_WORDS: dict[Intent, tuple[str, ...]] = {
    Intent("latest"): ("新着", "最新", "新着記事", "最新記事", "最新の記事", "新着の記事", "新しい記事", "最近の記事", "しんちゃく", "さいしん",
                       "新着ニュース", "最新ニュース", "new", "news", "latest"),
    Intent("events"): ("イベント", "催し", "催し物", "行事", "イベント見学", "イベント・見学", "event", "events",
                       "参加できるイベント"),
    Intent("events", kind="tour"): ("見学", "工場見学", "見学会", "企業見学", "企業見学会", "見学ツアー", "けんがく",
                                    "オープンファクトリー", "tour"),
    Intent("events", kind="workshop"): ("ワークショップ", "体験教室", "子ども向け体験教室", "子供向け体験教室",
                                        "親子イベント", "親子教室", "こども教室", "workshop", "ws"),
    Intent("settings"): ("受信設定", "通知", "通知設定", "設定", "配信設定", "受信", "通知の設定", "受信の設定",
                         "設定変更", "通知を変更", "通知を止める", "通知停止", "じゅしんせってい", "つうち", "settings"),
    Intent("help"): ("ヘルプ", "使い方", "使いかた", "つかいかた", "メニュー", "何ができる", "なにができる",
                     "できること", "機能", "help", "menu", "はじめる", "スタート", "start"),
    Intent("search_help"): ("検索のしかた", "検索の仕方", "検索方法", "検索のやり方", "探し方", "検索", "けんさく",
                            "検索したい", "search"),
    Intent("site"): ("サイト", "ホームページ", "ウェブサイト", "webサイト", "web", "hp", "ポータル", "サイトを開く",
                     "url", "リンク", "新しいものづくり", "ポータルサイト"),
    Intent("erase"): ("データ削除", "データを削除", "データの削除", "私のデータを削除", "個人データ削除",
                      "個人情報削除", "個人情報の削除", "データ消去", "データを消して", "退会", "登録解除", "削除",
                      "でーたさくじょ", "さくじょ"),
    Intent("my_registrations"): ("予約確認", "予約の確認", "予約内容", "私の予約", "予約", "申し込み確認", "申込確認",
                                 "申し込みの確認", "申し込み内容", "予約キャンセル", "申し込みキャンセル", "よやくかくにん"),
    Intent("greeting"): ("こんにちは", "こんばんは", "おはよう", "おはようございます", "はじめまして", "hello", "hi",
                         "やあ", "どうも"),
    Intent("thanks"): ("ありがとう", "ありがとうございます", "ありがとうございました", "サンキュー", "thanks",
                       "thank you", "thx", "助かりました", "了解", "わかりました", "ok", "おk"),
}
# Categories a 新着 request may name (「新着 特集」「お知らせの最新」), and bare category names.
_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "feature": ("特集", "特集記事", "とくしゅう", "feature"),
    "series": ("テーマ別", "テーマ別記事", "テーマ", "シリーズ", "連載", "series"),
    "news": ("お知らせ", "おしらせ", "ニュース", "news"),
    "local": ("地域", "地域情報", "地域のイベント", "地元", "local"),
    "admin": ("行政", "行政情報", "就職支援", "支援制度", "admin"),
    "about": ("サイト概要", "概要", "about"),
}
_BARE_CATEGORY_WORDS = ("特集記事", "テーマ別記事", "お知らせ", "地域情報", "行政情報", "サイト概要")


def _index(table: dict) -> dict[str, object]:
    return {compact_key(word): value for value, words in table.items() for word in words}


_COMMANDS = _index(_COMMAND_WORDS)
_CATEGORIES = _index(_CATEGORY_WORDS)
_BARE_CATEGORIES = {key: value for key, value in _CATEGORIES.items()
                    if key in {compact_key(w) for w in _BARE_CATEGORY_WORDS}}
_LATEST_KEYS = sorted((k for k, v in _COMMANDS.items() if v == Intent("latest")), key=len, reverse=True)

_SEARCH_VERBS = r"(?:検索|けんさく|ケンサク|探して|さがして|探す|さがす|調べて|しらべて)"
_SEARCH_PREFIX = re.compile(rf"^{_SEARCH_VERBS}\s*[:：]?\s*(?P<q>.+)$")
_SEARCH_SUFFIX = re.compile(rf"^(?P<q>.+?)\s*(?:を|で|の|について)?\s*{_SEARCH_VERBS}\S{{0,6}}$")
_QUOTES = "「」『』\"'“”‘’"


def _lookup(key: str) -> Intent | None:
    for candidate in polite_candidates(key):
        if candidate in _COMMANDS:
            return _COMMANDS[candidate]
        if candidate in _BARE_CATEGORIES:
            return Intent("latest", category=_BARE_CATEGORIES[candidate])
    return None


def _category_of(rest: str) -> str | None:
    return next((_CATEGORIES[c] for c in polite_candidates(rest) if c in _CATEGORIES), None)


def _latest_with_category(key: str) -> Intent | None:
    """「新着 特集」「新着の特集」「特集の新着」「お知らせの最新を教えて」."""
    for candidate in polite_candidates(key):
        for word in _LATEST_KEYS:
            if candidate.startswith(word):
                category = _category_of(candidate[len(word):].removeprefix("の").removeprefix("は"))
            elif candidate.endswith(word):
                category = _category_of(candidate[: -len(word)].removesuffix("の"))
            else:
                continue
            if category:
                return Intent("latest", category=category)
    return None


def _explicit_search(text: str) -> Intent | None:
    """「検索 旋盤」「旋盤を検索」「旋盤について調べて」 → a search for 旋盤."""
    cleaned = clean_text(text)
    for pattern in (_SEARCH_PREFIX, _SEARCH_SUFFIX):
        match = pattern.match(cleaned)
        if match:
            query = search_query(match.group("q").strip(_QUOTES + " "))
            if query:
                return Intent("search", query=query)
    return None


def parse(text: str) -> Intent:
    key = compact_key(text)
    if not key:
        return Intent("empty", query=search_query(text))
    return (
        _lookup(key)
        or _latest_with_category(key)
        or _explicit_search(text)
        or Intent("search", query=search_query(text).strip(_QUOTES + " ") or search_query(text))
    )
