"""What the Discord bot says itself (the core's replies have their own wording)."""
from __future__ import annotations

from bot.core.wording import TOPIC_SHORT
from notifications.topics import TOPICS

COMMANDS_OVERVIEW = (
    "`/検索` 記事をキーワードで探す（例：旋盤、宇宙）\n"
    "`/新着` 最新の記事（カテゴリも選べます）\n"
    "`/イベント一覧` これからの企業見学会・子ども向け体験教室\n"
    "`/申し込み` 見学会・体験教室の申し込み／予約の確認／キャンセル\n"
    "`/通知を受け取る` `/通知を止める` 受け取るお知らせの設定\n"
    "`/ヘルプ` この説明"
)
HELP_TITLE = "「新しいものづくり」ボットの使い方"
HELP_BODY = (
    "大田区の町工場と「新しいものづくり」の情報をお届けするボットです。\n\n"
    f"{COMMANDS_OVERVIEW}\n\n"
    "英語表示のDiscordでは /search /latest /events /tour /subscribe /unsubscribe /help の名前で表示されます。"
)
TOPICS_TITLE = "受け取れるお知らせ"
DM_NOTE = "ダイレクトメッセージでも使えます（サーバーのロールはサーバー内でだけ変わります）。"

SEARCH_HELP = (
    "「/検索」のあとに、探したい言葉を入れてください（例：/検索 キーワード:旋盤）。\n"
    "・言葉をスペースで区切ると、しぼり込んで探せます（例：親子 ワークショップ）\n"
    "・「カテゴリ」を選ぶと、特集記事やお知らせだけを探せます\n"
    "・カテゴリごとの最新記事は「/新着」で見られます"
)
EMPTY_QUERY = "探したい言葉を入力してください（例：旋盤、宇宙、ワークショップ）。"
TOO_LONG = "入力が長すぎます。{limit}文字以内で入力してください。"
UNKNOWN_CHOICE = "「{value}」は選べる項目にありません。候補の中から選んでください。"
COMMAND_FAILED = "ごめんなさい、うまく処理できませんでした。少し時間をおいて、もう一度お試しください。"
SEND_FAILED_LOG = "Discord reply could not be delivered"

NO_OPEN_EVENTS = "いま申し込みを受け付けているイベントはありません。"
PICK_EVENT = "申し込むイベントを選んでください。選ぶと入力フォームが開きます。"
PICK_PLACEHOLDER = "申し込むイベントを選ぶ"
NO_REGISTRATIONS = "キャンセルできるお申し込みはありません。「/申し込み 確認」で予約の内容を確認できます。"
PICK_CANCEL = "キャンセルするお申し込みを選んでください。"
FORM_PROBLEMS = "入力内容を確認してください。\n{problems}\n\n下の「入力し直す」からもう一度入力できます。"
FORM_AGAIN = "入力し直す"
FORM_TITLE = "申し込み：{title}"

ROLE_NO_PERMISSION = (
    "お知らせの設定は保存しました。ただ、ボットにサーバーのロールを変更する権限がないため、"
    "ロール（メンション用）は変更できませんでした。運営に連絡済みです。"
)
ROLE_FAILED = "お知らせの設定は保存しましたが、ロールの変更に失敗しました。運営に連絡済みです。"
ROLE_STAFF_DETAIL = (
    "トピックのロールを付け外しできません。ボットに「ロールの管理」権限を与え、"
    "ボットのロールを通知用ロールより上に並べてください。"
)
WELCOME_GREETING = "{mention} さん、ようこそ！"
WELCOME_TITLE = "「新しいものづくり」コミュニティへようこそ"
WELCOME_BODY = (
    "大田区の町工場の記事、企業見学会や子ども向け体験教室のお知らせをお届けしています。\n\n"
    f"{COMMANDS_OVERVIEW}\n\n"
    "`/通知を受け取る` でトピックを選ぶと、そのお知らせの時にメンションが届きます。"
)


def topics_text() -> str:
    return "\n".join(f"・{name}" for name in TOPICS.values())


def topic_short(topic: str) -> str:
    return TOPIC_SHORT.get(topic, TOPICS.get(topic, topic))
