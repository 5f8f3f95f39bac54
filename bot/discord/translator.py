"""Japanese names and descriptions of the slash commands (discord.py localisation).

Commands are declared with English ``locale_str`` texts (the fallback every
other locale sees); this translator answers the Japanese for ``ja``, and
discord.py puts it into ``name_localizations`` / ``description_localizations``
when the commands are synced. Names must be lower case letters/numbers without
spaces (Discord's rule), which Japanese words satisfy.
"""
from __future__ import annotations

from discord import Locale, app_commands

JAPANESE: dict[str, str] = {
    # commands and groups
    "search": "検索",
    "Search the articles of the portal": "ポータルの記事をキーワードで探します",
    "latest": "新着",
    "Show the newest articles": "最新の記事を表示します",
    "events": "イベント一覧",
    "Upcoming company tours and children's workshops": "これからの企業見学会・子ども向け体験教室",
    "tour": "申し込み",
    "Register for a tour or workshop, or check and cancel": "見学会・体験教室の申し込み、予約の確認とキャンセル",
    "register": "申し込む",
    "Register for a company tour or children's workshop": "企業見学会・子ども向け体験教室に申し込みます",
    "view": "確認",
    "Show your registrations": "あなたのお申し込みを表示します",
    "cancel": "キャンセル",
    "Cancel one of your registrations": "お申し込みをキャンセルします",
    "subscribe": "通知を受け取る",
    "Receive announcements of a topic": "選んだトピックのお知らせを受け取ります",
    "unsubscribe": "通知を止める",
    "Stop announcements of a topic": "選んだトピックのお知らせを止めます",
    "help": "ヘルプ",
    "How to use this bot": "このボットの使い方を表示します",
    # parameters
    "query": "キーワード",
    "Words to search for (e.g. lathe, space)": "探したい言葉（例：旋盤、宇宙）",
    "category": "カテゴリ",
    "Only articles of this category": "このカテゴリの記事だけにします",
    "kind": "種類",
    "Only events of this kind": "この種類のイベントだけにします",
    "topic": "トピック",
    "The topic (leave empty to see all settings)": "トピック（空のままなら設定の一覧）",
    # choices
    "Features": "特集記事",
    "Series (companies, people, products)": "テーマ別記事",
    "News": "お知らせ",
    "Local information": "地域情報",
    "Public services and jobs": "行政情報",
    "Company tours": "企業見学会",
    "Children's workshops": "子ども向け体験教室",
    "Other events": "そのほかのイベント",
    "Feature articles": "特集記事",
    "Series articles": "テーマ別記事（企業・人・製品）",
    "Local events": "地域のイベント",
    "Children's workshops (for parents)": "子ども向け体験教室（保護者向け）",
    "Job support and public services": "就職支援・行政情報",
}


def ja(text: str) -> str | None:
    return JAPANESE.get(text)


class JapaneseTranslator(app_commands.Translator):
    """Japanese for the ``ja`` locale; None (= the English text) for every other locale."""

    async def translate(self, string: app_commands.locale_str, locale: Locale,
                        context: app_commands.TranslationContext) -> str | None:
        if locale is not Locale.japanese:
            return None
        return ja(string.message)
