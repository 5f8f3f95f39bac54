"""What the registration conversation says: questions, confirmations, 予約確認 cards."""
from __future__ import annotations

from bot.core import menus
from bot.core.turn import Turn
from core.timefmt import datetime_ja
from events import queries
from events.chat_actions import reg_choice, user_key
from events.models import Registration, RegistrationDraft
from events.service import PURPOSE_OF_USE
from messages.limits import MAX_CARD_BODY, MAX_CARD_TITLE, action, carousel
from messages.replies import BotResponse, Card, Choice, Confirm, Text
from messages.text import shorten

EVENT_GONE = "このイベントは見つかりませんでした。「イベント」と送ると、募集中のイベントを確認できます。"
CLOSED = "このイベントの申し込み受付は終了しました。「イベント」と送ると、ほかの募集中のイベントを確認できます。"
STALE = "このボタンは期限切れです。お手数ですが、イベントの「申し込む」からもう一度お試しください。"
TAMPERED = "ボタンの内容を確認できませんでした。お手数ですが、イベントの「申し込む」からもう一度お試しください。"
ALREADY_ANSWERED = "その質問にはすでにお答えいただいています。次の質問にお進みください。"
STOPPED = "お申し込みをやめました。入力いただいた内容は削除しました。"
STATUS = {"confirmed": "参加確定", "waitlisted": "キャンセル待ち", "offered": "空きのご案内中", "cancelled": "キャンセル済み",
          "applied": "抽選待ち", "held": "確認のため保留中", "pending": "確定待ち"}
QUESTIONS = {
    "adults_workshop": "参加する大人（保護者）の人数を選ぶか、数字で送ってください。\n（会場の定員を守るためにお聞きしています）",
    "adults_tour": "参加する人数を選ぶか、数字で送ってください。\n（会場の定員を守るためにお聞きしています）",
    "kids": "参加するお子さまの人数を選ぶか、数字で送ってください。\n（材料や道具を人数分そろえるためにお聞きしています）",
    "name": "代表の方のお名前を送ってください。\n（当日の受付でお申し込みを確認するためにお聞きしています）",
    "contact": "連絡先として、メールアドレスか電話番号を送ってください。\n（中止など急なお知らせのためにお聞きしています）",
}


def say(text: str) -> BotResponse:
    return BotResponse([Text(text)], menus.main_menu())


def count_problem(lowest: int, highest: int, most: int = 10) -> str:
    return f"{lowest}〜{highest}の数字で選んでください（1回のお申し込みは合わせて{most}人までです）。"


def same_person(existing: Registration) -> BotResponse:
    """The same name and contact already applied (maybe on another channel): no second registration."""
    text = (f"同じお名前と連絡先で、このイベントにはすでにお申し込みがあります（受付番号{existing.id}・"
            f"{STATUS.get(existing.status, existing.status)}）。新しいお申し込みは作っていません。"
            "内容の確認やキャンセルは、はじめにお申し込みいただいたLINE・Discord・メールのご案内からできます。")
    return say(text)


def mine_choice() -> Choice:
    return action("予約確認", "reg", display_text="予約確認", s="mine")


def _stop_choice(turn: Turn, draft: RegistrationDraft) -> Choice:
    return reg_choice(turn.config, user_key(turn.channel, turn.user_id), "やめる", "stop", draft.id,
                      display_text="申し込みをやめる")


def _count_choices(turn: Turn, draft: RegistrationDraft, step: str, values: range) -> list[Choice]:
    key = user_key(turn.channel, turn.user_id)
    return [reg_choice(turn.config, key, f"{n}人", step, draft.id, n, display_text=f"{n}人") for n in values]


def summary(draft: RegistrationDraft) -> str:
    people = f"大人{draft.adults}名" + (f"・子ども{draft.children}名" if draft.event.kind == "workshop" else "")
    return (f"この内容でお申し込みします。\n\nイベント：{draft.event.title}\n日時：{datetime_ja(draft.event.starts_at)}\n"
            f"人数：{people}\nお名前：{draft.name}\n連絡先：{draft.contact}")


def _yes_no(turn: Turn, draft: RegistrationDraft, text: str, yes: str) -> Confirm:
    key = user_key(turn.channel, turn.user_id)
    return Confirm(text=text, yes=reg_choice(turn.config, key, yes, draft.step, draft.id, 1, display_text=yes),
                   no=reg_choice(turn.config, key, "やめる", draft.step, draft.id, 0, display_text="やめる"))


def ask(turn: Turn, draft: RegistrationDraft, problem: str | None = None) -> BotResponse:
    """The question of the draft's current step (after ``problem``, when the last answer was not usable)."""
    lead = [Text(problem)] if problem else []
    stop = _stop_choice(turn, draft)
    if draft.step == "adults":
        question = QUESTIONS["adults_workshop" if draft.event.kind == "workshop" else "adults_tour"]
        return BotResponse(lead + [Text(question)], _count_choices(turn, draft, "adults", range(1, 6)) + [stop])
    if draft.step == "kids":
        return BotResponse(lead + [Text(QUESTIONS["kids"])], _count_choices(turn, draft, "kids", range(0, 6)) + [stop])
    if draft.step in ("name", "contact"):
        return BotResponse(lead + [Text(QUESTIONS[draft.step])], [stop])
    if draft.step == "agree":
        question = _yes_no(turn, draft, "上の利用目的に同意して、お申し込みを続けますか？", "同意する")
        return BotResponse(lead + [Text(f"お名前と連絡先の利用目的\n\n{PURPOSE_OF_USE}"), question])
    if draft.step == "ok":
        return BotResponse(lead + [Text(summary(draft)), _yes_no(turn, draft, "この内容で申し込みますか？", "申し込む")])
    return say(STALE)


def intro(turn: Turn, draft: RegistrationDraft, seats: int) -> BotResponse:
    event = draft.event
    seat_line = f"残り{seats}席です。" if seats > 0 else "ただいま満席のため、キャンセル待ちでのお申し込みになります。"
    opening = Text(f"「{event.title}」（{datetime_ja(event.starts_at)}）のお申し込みを始めます。{seat_line}\n"
                   "質問は5つほどです。途中でやめるときは「やめる」を押してください。")
    question = ask(turn, draft)
    return BotResponse([opening] + question.messages, question.quick_replies)


def registration_card(turn: Turn, registration: Registration) -> Card:
    event = registration.event
    people = f"大人{registration.adults}名" + (f"・子ども{registration.children}名" if registration.children else "")
    body = f"{STATUS[registration.status]}\n日時：{datetime_ja(event.starts_at)}\n人数：{people}"
    url = turn.tracked(f"/registrations/{registration.token}", campaign="registration")
    return Card(title=shorten(event.title, MAX_CARD_TITLE), url=url, label="予約内容",
                body=shorten(body, MAX_CARD_BODY), button_label="詳細・QRコード",
                extra_buttons=tuple(_card_actions(turn, registration)))


def _card_actions(turn: Turn, registration: Registration) -> list[Choice]:
    key, ref = user_key(turn.channel, turn.user_id), registration.id
    if registration.status == "offered":
        return [reg_choice(turn.config, key, "参加する", "accept", ref, display_text="参加します"),
                reg_choice(turn.config, key, "辞退する", "release", ref, display_text="辞退します")]
    if registration.status in ("confirmed", "waitlisted", "applied", "held"):
        return [reg_choice(turn.config, key, "キャンセルする", "cancel", ref, display_text="キャンセルしたい")]
    return []


def _status_text(turn: Turn, registration: Registration) -> str:
    number = f"（受付番号 {registration.id}）"
    if registration.status == "confirmed":
        return (f"お申し込みが確定しました！{number}\n当日は受付で、予約内容のページにあるQRコードをお見せください。"
                "前日と2時間前にこのトークでお知らせします。")
    if registration.status == "applied":
        return f"抽選にお申し込みいただきました。{number}\n締め切り後に抽選し、結果をこのトークでお知らせします。"
    if registration.status == "held":
        return f"確認のため、受付を保留しています。{number}\n職員が確認してからお知らせします。"
    if registration.status == "waitlisted":
        position = queries.waitlist_position(turn.session, registration)
        return f"満席のため、キャンセル待ち（{position}番目）で受け付けました。{number}\n空きが出たら、このトークでお知らせします。"
    if registration.status == "offered":
        return f"空きが出ています。{datetime_ja(registration.offer_expires_at)}までに、参加するかどうかお知らせください。{number}"
    return f"このお申し込みはキャンセル済みです。{number}"


def registered(turn: Turn, registration: Registration, replay: bool = False) -> BotResponse:
    lead = "このお申し込みはすでに受け付けています。\n" if replay else ""
    card = carousel([registration_card(turn, registration)], "予約内容とQRコード")
    return BotResponse([Text(lead + _status_text(turn, registration)), card], [mine_choice()] + menus.main_menu())


def already_registered(turn: Turn, registration: Registration) -> BotResponse:
    text = f"このイベントにはすでにお申し込み済みです（{STATUS[registration.status]}）。内容の確認やキャンセルはこちらから。"
    card = carousel([registration_card(turn, registration)], "予約内容")
    return BotResponse([Text(text), card], [mine_choice()] + menus.main_menu())


def mine(turn: Turn) -> BotResponse:
    """予約確認: the user's upcoming registrations, each with its actions."""
    found = queries.person_registrations(turn.session, user_key(turn.channel, turn.user_id))
    if not found:
        return BotResponse([Text("いまお申し込み中のイベントはありません。")], menus.event_choices() + menus.main_menu())
    cards = carousel([registration_card(turn, r) for r in found], f"お申し込み中のイベント（{len(found)}件）")
    return BotResponse([Text(f"お申し込み中のイベントは{len(found)}件です。"), cards], menus.main_menu())
