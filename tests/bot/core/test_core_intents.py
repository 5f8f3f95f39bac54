"""Typed messages → intents, forgiving of width, kana, spaces, punctuation and politeness."""
from __future__ import annotations

import pytest

from bot.core.intents import Intent, parse


@pytest.mark.parametrize("text", [
    "新着", "最新", "新着を教えて", "新着を教えてください", "最新記事", "ｼﾝﾁｬｸ", "しんちゃく", "シンチャク",
    " 新着！ ", "新着情報は？", "最新の記事を見せて", "新着一覧",
])
def test_latest_variants(text):
    assert parse(text) == Intent("latest")


@pytest.mark.parametrize("text, category", [
    ("新着 特集", "feature"), ("新着　特集", "feature"), ("新着の特集", "feature"), ("特集の新着", "feature"),
    ("新着 お知らせ", "news"), ("お知らせの最新を教えて", "news"), ("最新 テーマ別", "series"),
    ("新着 地域", "local"), ("新着 行政情報", "admin"), ("お知らせ", "news"), ("特集記事", "feature"),
])
def test_latest_with_category(text, category):
    assert parse(text) == Intent("latest", category=category)


@pytest.mark.parametrize("text, kind", [
    ("イベント", None), ("イベントある？", None), ("イベントはありますか", None), ("次のイベントは？", None),
    ("いべんと", None), ("ｲﾍﾞﾝﾄ", None), ("イベント・見学", None), ("イベント一覧", None),
    ("見学", "tour"), ("工場見学", "tour"), ("見学会はある？", "tour"), ("けんがく", "tour"),
    ("ワークショップ", "workshop"), ("わーくしょっぷ", "workshop"), ("ﾜｰｸｼｮｯﾌﾟ", "workshop"),
    ("ワークショップを教えて", "workshop"), ("体験教室", "workshop"),
])
def test_event_variants(text, kind):
    assert parse(text) == Intent("events", kind=kind)


@pytest.mark.parametrize("text, name", [
    ("受信設定", "settings"), ("じゅしんせってい", "settings"), ("通知", "settings"), ("つうち", "settings"),
    ("通知設定を変更したい", "settings"), ("設定", "settings"),
    ("ヘルプ", "help"), ("ＨＥＬＰ", "help"), ("help", "help"), ("使い方", "help"), ("使い方を教えて", "help"),
    ("つかいかた", "help"), ("何ができる？", "help"),
    ("サイト", "site"), ("ｻｲﾄ", "site"), ("ホームページ", "site"), ("サイトを開いて", "site"),
    ("データ削除", "erase"), ("データを削除してください", "erase"), ("でーたさくじょ", "erase"),
    ("検索のしかた", "search_help"), ("検索方法", "search_help"),
    ("こんにちは", "greeting"), ("ありがとう！", "thanks"), ("ありがとうございます", "thanks"),
])
def test_command_variants(text, name):
    assert parse(text).name == name


@pytest.mark.parametrize("text, query", [
    ("旋盤", "旋盤"), ("宇宙 部品", "宇宙 部品"), ("検索 旋盤", "旋盤"), ("旋盤を検索", "旋盤"),
    ("旋盤について調べて", "旋盤"), ("「溶接」", "溶接"), ("旋盤を教えてください", "旋盤"),
    ("見学できる工場は？", "見学できる工場"), ("めがね", "めがね"), ("ＣＮＣ旋盤", "CNC旋盤"),
])
def test_anything_else_is_a_search(text, query):
    assert parse(text) == Intent("search", query=query)


def test_a_command_word_inside_a_longer_sentence_is_a_search():
    assert parse("大田区の新着工場で働きたい").name == "search"


@pytest.mark.parametrize("text", ["", "   ", "\u3000", "😀", "!!!", "\x00\x07"])
def test_nothing_to_read_is_empty(text):
    assert parse(text).name == "empty"


def test_long_input_is_bounded():
    intent = parse("旋盤" * 2500)
    assert intent.name == "search" and len(intent.query) <= 100


def test_control_characters_do_not_reach_the_query():
    intent = parse("旋\x00盤\x1b[31m")
    assert intent.name == "search" and "\x00" not in intent.query and "\x1b" not in intent.query
