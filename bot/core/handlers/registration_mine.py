"""予約確認 actions on one registration: cancel, take an offered seat, give it up.

Each asks first (cancel, release) and acts on the confirmed answer; replays
are harmless because the service's cancel and accept are idempotent.
"""
from __future__ import annotations

from bot.core import menus
from bot.core.handlers import registration_views as views
from bot.core.turn import Turn
from core.db import utcnow
from events import waitlist
from events.chat_actions import reg_choice, user_key
from events.models import Registration
from events.service import RegistrationError
from messages.replies import BotResponse, Confirm, Text

NOT_FOUND = "このお申し込みは見つかりませんでした。「予約確認」と送ると、いまのお申し込みを確認できます。"


def _own(turn: Turn, registration_id: int | None) -> Registration | None:
    """The registration, only if it belongs to this chat user."""
    registration = turn.session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.person_key != user_key(turn.channel, turn.user_id):
        return None
    return registration


def _ask(turn: Turn, registration: Registration, step: str, question: str, yes: str) -> BotResponse:
    key = user_key(turn.channel, turn.user_id)
    confirm = Confirm(text=question,
                      yes=reg_choice(turn.config, key, yes, step, registration.id, 1, display_text=yes),
                      no=reg_choice(turn.config, key, "やめる", step, registration.id, 0, display_text="やめる"))
    return BotResponse([confirm])


def _done(text: str) -> BotResponse:
    return BotResponse([Text(text)], [views.mine_choice()] + menus.main_menu())


def _cancel(turn: Turn, registration: Registration, value: str, releasing: bool) -> BotResponse:
    title = registration.event.title
    if registration.status == "cancelled":
        return _done(f"「{title}」のお申し込みは、すでにキャンセル済みです。")
    if releasing and registration.status != "offered":
        return views.registered(turn, registration, replay=True)
    if utcnow() >= registration.event.starts_at:
        return _done("開催後のため、キャンセルはできません。")
    step = "release" if releasing else "cancel"
    if value == "":
        question = f"「{title}」の{'お席を辞退' if releasing else 'お申し込みをキャンセル'}しますか？"
        return _ask(turn, registration, step, question[:240], "辞退する" if releasing else "キャンセルする")
    if value != "1":
        return _done("キャンセルせず、そのままにしました。")
    waitlist.cancel(turn.session, registration)
    done = "お席を辞退しました。次にお待ちの方にご案内します。" if releasing else "キャンセルしました。ご連絡ありがとうございました。"
    return _done(f"「{title}」の{done}")


def _accept(turn: Turn, registration: Registration) -> BotResponse:
    try:
        waitlist.accept_offer(turn.session, registration)
    except RegistrationError as exc:
        return _done(exc.message)
    return views.registered(turn, registration)


def act(turn: Turn, step: str, registration_id: int | None, value: str) -> BotResponse:
    registration = _own(turn, registration_id)
    if registration is None:
        return _done(NOT_FOUND)
    if step == "accept":
        return _accept(turn, registration)
    return _cancel(turn, registration, value, releasing=step == "release")


def choose_stage(turn: Turn, stage: str | None) -> BotResponse:
    """A parent picks (or drops) their child's school stage: workshop alerts then fit that stage."""
    from events import alert_stages as alerts

    chosen = alerts.toggle_stage(turn.session, turn.channel, turn.user_id, stage or "")
    turn.session.commit()
    if chosen is None:
        return BotResponse([Text(alerts.STAGE_HELP)], alerts.stage_choices(turn.config) + menus.main_menu())
    text = alerts.stage_summary(chosen)
    return BotResponse([Text(text)], alerts.stage_choices(turn.config) + menus.main_menu())
