"""Everything the bot says, in one place so tone stays consistent (warm, short, polite)."""
from __future__ import annotations

from collections.abc import Iterable

from notifications.topics import PERSONAS, TOPICS

# Short topic names for buttons (labels are limited to 20 characters).
TOPIC_SHORT: dict[str, str] = {
    "features": "特集記事",
    "series": "テーマ別記事",
    "news": "お知らせ",
    "local": "地域イベント",
    "workshops": "子ども体験教室",
    "tours": "企業見学会",
    "admin": "就職・行政情報",
}

ABOUT = "大田区の町工場と「新しいものづくり」の情報をお届けする公式アカウントです。"
WELCOME_BODY = (
    f"{ABOUT}\n\n"
    "・気になる言葉を送ると記事を探します（例：旋盤、宇宙）\n"
    "・「新着」「イベント」で最新情報をチェックできます\n"
    "・工場見学や親子ワークショップのお知らせも届きます"
)
DEFAULT_SET_HINT = (
    "あなたに近いものを選ぶと、おすすめのお知らせに切り替わります。"
    "「受信設定」からいつでも変えられます。"
)
HELP = (
    "このアカウントでできること\n\n"
    "🔍 言葉を送る → 記事を検索（例：旋盤、宇宙、ワークショップ）\n"
    "🆕「新着」→ 最新の記事（「新着 特集」のようにカテゴリも選べます）\n"
    "📅「イベント」「見学」「ワークショップ」→ これからの予定\n"
    "📝「予約確認」→ 申し込んだイベントの確認・キャンセル\n"
    "🔔「受信設定」→ 受け取るお知らせの変更\n"
    "🌐「サイト」→ ウェブサイトを開く\n"
    "🗑「データ削除」→ このアカウントに保存されたあなたのデータを削除"
)
SEARCH_HELP = (
    "探したい言葉をそのまま送ってください。\n"
    "例：「旋盤」「宇宙」「親子 ワークショップ」\n\n"
    "・言葉をスペースで区切ると、しぼり込んで探せます\n"
    "・カテゴリごとの新着は「新着 特集」「新着 お知らせ」のように送ってください"
)
EMPTY = "メッセージありがとうございます！\n探したい言葉（例：旋盤、宇宙、ワークショップ）を送ってみてください。"
GREETING = f"こんにちは！{ABOUT}\n気になる言葉を送ってみてください。"
THANKS = "どういたしまして！またいつでも話しかけてください。"
SITE = "ウェブサイト「新しいものづくり」では、すべての記事とイベントをご覧いただけます。"
SITE_CARD_TITLE = "新しいものづくり（大田区）"
SITE_CARD_BODY = "大田区の町工場の今を伝えるポータルサイト"
UNKNOWN_ACTION = (
    "ごめんなさい、このボタンはもう使えないか、うまく読み取れませんでした。\n下のメニューから選び直してください。"
)
FAILURE = "ごめんなさい、うまく処理できませんでした。少し時間をおいて、もう一度お試しください。"
SEARCH_FAILURE = "ごめんなさい、いま検索がうまく動いていません。少し時間をおいて、もう一度お試しください。"
ERASE_QUESTION = (
    "このアカウントに保存されているあなたのデータ（受信設定、イベントのお申し込みなど）をすべて削除します。"
    "開催前のお申し込みはキャンセルになります。"
    "削除すると、お知らせは届かなくなります。よろしいですか？"
)
ERASED = (
    "あなたのデータを削除しました。お知らせは届かなくなります。\n"
    "またお知らせを受け取りたくなったら、「受信設定」からいつでも設定できます。"
)
ERASE_CANCELLED = "データの削除を取りやめました。これまでの設定はそのままです。"
PERSONA_QUESTION = "あなたに近いものを選んでください。おすすめのお知らせを設定します。"
NO_TOPICS = "いま受け取るお知らせはありません。"


def welcome(display_name: str, topics: Iterable[str] = ()) -> str:
    """The first message: what the account is, what the new friend will receive, how to change it."""
    greeting = f"{display_name}さん、" if display_name else ""
    return f"{greeting}友だち追加ありがとうございます！\n{WELCOME_BODY}\n\n{topic_lines(topics)}\n\n{DEFAULT_SET_HINT}"


def topic_lines(topics: Iterable[str]) -> str:
    chosen = [TOPICS[t] for t in TOPICS if t in set(topics)]
    if not chosen:
        return NO_TOPICS
    return "いま受け取るお知らせ：\n" + "\n".join(f"・{name}" for name in chosen)


def welcome_back(topics: Iterable[str]) -> str:
    return f"おかえりなさい！以前の受信設定をそのまま引き継いでいます。\n\n{topic_lines(topics)}"


def persona_set(persona: str, topics: Iterable[str]) -> str:
    return (
        f"「{PERSONAS[persona]}」で設定しました。\n\n{topic_lines(topics)}\n\n"
        "変更は「受信設定」からいつでもできます。"
    )


def settings_overview(persona: str | None, topics: Iterable[str]) -> str:
    on = set(topics)
    rows = "\n".join(f"{'✅' if t in on else '⬜'} {name}" for t, name in TOPICS.items())
    who = PERSONAS.get(persona or "", "未設定")
    return f"受信設定（あなた：{who}）\n\n{rows}\n\n下のボタンで、お知らせごとにオン・オフを切り替えられます。"


def topic_changed(topic: str, on: bool, topics: Iterable[str]) -> str:
    state = "受け取るようにしました" if on else "止めました"
    return f"「{TOPICS[topic]}」のお知らせを{state}。\n\n{topic_lines(topics)}"


def topics_reset(persona: str, topics: Iterable[str]) -> str:
    return f"「{PERSONAS[persona]}」のおすすめ設定に戻しました。\n\n{topic_lines(topics)}"


def search_header(query: str, total: int, page: int, pages: int) -> str:
    where = f"（{page}/{pages}ページ）" if pages > 1 else ""
    return f"「{query}」に関する記事が{total}件見つかりました{where}。"


def zero_hits(query: str) -> str:
    return (
        f"「{query}」に合う記事は見つかりませんでした。\n"
        "別の言葉で試すか、下のカテゴリや人気のタグから探してみてください。"
    )


def latest_header(category_label: str | None) -> str:
    return f"{category_label}の新着記事です。" if category_label else "新着記事です。"


def no_latest(category_label: str | None) -> str:
    return f"{category_label}の記事はまだありません。" if category_label else "まだ記事がありません。"


def events_header(kind_label: str | None, count: int) -> str:
    return f"これからの{kind_label or 'イベント'}（{count}件）です。"


def no_events(kind_label: str | None) -> str:
    return (
        f"いま予定されている{kind_label or 'イベント'}はありません。\n"
        "新しい予定が決まったら、受信設定に合わせてお知らせします。"
    )
