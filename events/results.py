"""Telling registrants what happened: lottery results, a cancelled event, a changed date or place.

Each goes through ``notices.send_notice`` (the applicant's own channel: LINE/Discord
push, e-mail, or the staff phone list), at most once per registration and kind; a
change notice's kind carries the event's change round ("change-2"), so a second
change is told again while a retried round is not.
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from events import notices
from events.models import Event, Registration, ReminderLog
from events.notice_texts import Notice, _link, _mail, facts, registration_path
from messages.replies import BotResponse, Text

PHONE_LIST_KINDS = ("offer", "lottery_won", "lottery_wait", "cancelled", "change")


def _notice(config: Mapping, registration: Registration, subject: str, body: str, campaign: str) -> Notice:
    link = _link(config, registration, registration_path(registration), campaign)
    response = BotResponse([Text(f"{body}\n\nお申し込み内容の確認・キャンセル：\n{link}")])
    return Notice(subject + registration.event.title, response, _mail(registration.name, body, link))


def won_notice(config: Mapping, registration: Registration) -> Notice:
    body = (f"「{registration.event.title}」の抽選の結果、当選しました。参加が確定しています。\n"
            "行けなくなった場合は、お待ちの方のためにキャンセルをお願いします。\n\n" + facts(registration))
    return _notice(config, registration, "【当選のお知らせ】", body, "event-lottery")


def waitlist_notice(config: Mapping, registration: Registration) -> Notice:
    body = (f"「{registration.event.title}」は申し込みが多く、抽選の結果、キャンセル待ち"
            f"（{registration.lottery_rank}番目）となりました。\n"
            "空きが出たら、順番にこの連絡先へご案内します。\n\n" + facts(registration))
    return _notice(config, registration, "【抽選結果のお知らせ】", body, "event-lottery")


def cancelled_notice(config: Mapping, registration: Registration) -> Notice:
    body = (f"申し訳ありません。「{registration.event.title}」は中止になりました。"
            "お申し込みは取り消しとなります。\n\n" + facts(registration))
    return _notice(config, registration, "【中止のお知らせ】", body, "event-cancelled")


def change_notice(config: Mapping, registration: Registration, what: str) -> Notice:
    body = (f"「{registration.event.title}」の{what}が変更になりました。新しい内容をご確認ください。\n"
            "ご都合が合わなくなった場合は、キャンセルをお願いします。\n\n" + facts(registration))
    return _notice(config, registration, "【変更のお知らせ】", body, "event-change")


def _untold(session: Session, kind: str, *conditions) -> list[Registration]:
    told = exists().where(ReminderLog.registration_id == Registration.id, ReminderLog.kind == kind)
    query = (select(Registration).join(Registration.event).where(~told, *conditions)
             .options(selectinload(Registration.event)).order_by(Registration.id))
    return list(session.scalars(query))


def tell_lottery_results(session: Session, config: Mapping) -> int:
    """Winners and the ranked waitlist of drawn lotteries, each told once (retried next round)."""
    drawn = Event.lottery_drawn_at.is_not(None), Event.status != "cancelled"
    rounds = (("lottery_won", won_notice, (Registration.lottery_rank == 0, Registration.status == "confirmed")),
              ("lottery_wait", waitlist_notice, (Registration.lottery_rank > 0,
                                                 Registration.status.in_(("waitlisted", "offered")))))
    told = 0
    for kind, build, conditions in rounds:
        for registration in _untold(session, kind, *drawn, *conditions):
            told += notices.send_notice(session, config, registration, kind, lambda r, b=build: b(config, r)) is not None
    return told


def tell_cancelled(session: Session, config: Mapping, event_id: int, cancelled_at) -> int:
    """Everyone whose registration the cancellation of the event ended (at ``cancelled_at``), once each."""
    ended = _untold(session, "cancelled", Registration.event_id == event_id, Registration.status == "cancelled",
                    Registration.cancelled_at == cancelled_at)
    return sum(notices.send_notice(session, config, r, "cancelled", lambda x: cancelled_notice(config, x))
               is not None for r in ended)


def tell_change(session: Session, config: Mapping, event: Event, what: str) -> int:
    from events.service import ACTIVE

    kind = f"change-{event.change_round}"
    waiting = _untold(session, kind, Registration.event_id == event.id, Registration.status.in_(ACTIVE))
    return sum(notices.send_notice(session, config, r, kind, lambda x: change_notice(config, x, what))
               is not None for r in waiting)
