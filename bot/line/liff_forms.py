"""What the LIFF forms read and write: the same services as chat, web and Discord.

受信設定 goes through ``notifications.subscriptions.set_preferences``; a registration
through ``events.service.register`` (one adapter function, ``register_for_event``).
Each result is confirmed in the chat with a push to the friend.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.timefmt import datetime_ja
from events import party
from events import service as event_service
from events.models import Event, Registration
from messages.replies import BotResponse, Text
from notifications import subscriptions
from notifications.models import Subscriber
from notifications.service import push_to_subscribers
from notifications.topics import CHILD_STAGES, PERSONAS, QUIET_PREFS, TOPICS

CHANNEL = "line"


class FormProblem(ValueError):
    """Input the form cannot accept; ``field`` names the field, the message is Japanese."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def subscriber_for(session: Session, user_id: str, display_name: str = "") -> Subscriber:
    return subscriptions.get_or_create_subscriber(session, CHANNEL, user_id, display_name)


def _confirm_in_chat(session: Session, subscriber: Subscriber, text: str, reason: str) -> None:
    # A direct answer to what the friend just did: sent now, not held for quiet hours.
    push_to_subscribers(session, [subscriber.id], BotResponse([Text(text)]), reason=reason, urgent=True)


# -- 受信設定 ---------------------------------------------------------------------------------------------


def settings_state(subscriber: Subscriber) -> dict:
    return {"persona": subscriber.persona, "topics": sorted(subscriber.topics),
            "child_stage": subscriber.child_stage, "quiet_pref": subscriber.quiet_pref or "night"}


def _choice(data: Mapping, name: str, allowed: Mapping) -> str | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str) or value not in allowed:
        raise FormProblem(name, "選べない項目が含まれています。ページを開き直してください。")
    return value


def read_preferences(data: Mapping) -> subscriptions.Preferences:
    persona = _choice(data, "persona", PERSONAS)
    if persona is None:
        raise FormProblem("persona", "「あなたについて」を選んでください。")
    topics = data.get("topics")
    if not isinstance(topics, list) or not all(isinstance(t, str) and t in TOPICS for t in topics):
        raise FormProblem("topics", "選べない項目が含まれています。ページを開き直してください。")
    child_stage = _choice(data, "child_stage", CHILD_STAGES) if persona == "parent" else None
    return subscriptions.Preferences(persona, frozenset(topics), child_stage, _choice(data, "quiet_pref", QUIET_PREFS))


def settings_summary(subscriber: Subscriber) -> str:
    topics = [TOPICS[t] for t in TOPICS if t in subscriber.topics]
    lines = ["受信設定を保存しました。", f"あなたについて：{PERSONAS[subscriber.persona]}"]
    if subscriber.child_stage:
        lines.append(f"お子さま：{CHILD_STAGES[subscriber.child_stage]}")
    lines.append("受け取る情報：" + ("、".join(topics) if topics else "なし（お知らせは届きません）"))
    lines.append(f"届く時間帯：{QUIET_PREFS[subscriber.quiet_pref or 'night']}")
    return "\n".join(lines)


def save_settings(session: Session, user_id: str, data: Mapping) -> Subscriber:
    """Validate, write and confirm in the chat, all in one transaction."""
    prefs = read_preferences(data)
    subscriber = subscriber_for(session, user_id)
    try:
        subscriptions.set_preferences(session, subscriber, prefs)
    except ValueError as exc:
        session.rollback()
        raise FormProblem("form", str(exc)) from exc
    _confirm_in_chat(session, subscriber, settings_summary(subscriber), "liff_settings")
    session.commit()
    return subscriber


# -- event registration -------------------------------------------------------------------------------


def person_key(user_id: str) -> str:
    return event_service.Application(event_id=0, channel=CHANNEL, person_id=user_id).person_key


def last_registration(session: Session, user_id: str) -> Registration | None:
    return session.scalar(
        select(Registration).where(Registration.person_key == person_key(user_id), Registration.name.is_not(None))
        .order_by(Registration.created_at.desc(), Registration.id.desc()).limit(1)
    )


def registration_prefill(session: Session, user_id: str, event: Event, display_name: str) -> dict:
    """Fields as the friend filled them last time, else their LINE name."""
    last = last_registration(session, user_id)
    existing = event_service.active_registration(session, event.id, person_key(user_id))
    prefill = {"name": display_name, "contact": "", "adults": 1, "children": 1 if party.takes_children(event) else 0}
    if last is not None:
        prefill.update(name=last.name or display_name, contact=last.contact or "")
        if last.event.kind == event.kind:
            prefill.update(adults=last.adults, children=last.children)
    return {"prefill": prefill, "already": existing is not None}


@dataclass(frozen=True)
class RegistrationInput:
    adults: int
    children: int
    name: str
    contact: str
    consent: bool
    submission_key: str | None


def _count(data: Mapping, name: str, default: int) -> int:
    value = data.get(name, default)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormProblem(name, "人数は数字で入力してください。")
    return value


def read_registration(event: Event, data: Mapping) -> RegistrationInput:
    key = data.get("submission_key")
    return RegistrationInput(
        adults=_count(data, "adults", 1), children=_count(data, "children", 0) if party.takes_children(event) else 0,
        name=str(data.get("name") or ""), contact=str(data.get("contact") or ""),
        consent=data.get("consent") is True, submission_key=key if isinstance(key, str) and key else None,
    )


def register_for_event(session: Session, event: Event, user_id: str, given: RegistrationInput) -> Registration:
    """The one call into the events domain (party rules, waitlist and lottery live there)."""
    application = event_service.Application(
        event_id=event.id, channel=CHANNEL, person_id=user_id, adults=given.adults, children=given.children,
        name=given.name, contact=given.contact, consent=given.consent,
        submission_key=f"liff-{given.submission_key}"[:64] if given.submission_key else None,
    )
    return event_service.register(session, application)


STATUS_TEXT = {
    "confirmed": "お申し込みを受け付けました。",
    "waitlisted": "満席のため、キャンセル待ちで受け付けました。空きが出たらお知らせします。",
    "applied": "抽選にお申し込みいただきました。締め切りのあとに抽選し、結果をトークでお知らせします。",
    "held": "お申し込みを受け付けました。担当者が内容を確認してからご連絡します。",
}


def registration_summary(registration: Registration) -> str:
    event = registration.event
    people = f"{registration.adults}人" + (f"（子ども{registration.children}人）" if registration.children else "")
    lines = [STATUS_TEXT.get(registration.status, "お申し込みを受け付けました。"), f"「{event.title}」",
             f"日時：{datetime_ja(event.starts_at)}"]
    if event.place:
        lines.append(f"会場：{event.place}")
    lines += [f"人数：{people}", "内容の確認・キャンセルは「予約確認」と送ってください。"]
    return "\n".join(lines)


def confirm_registration(session: Session, user_id: str, registration: Registration) -> None:
    subscriber = subscriber_for(session, user_id)
    _confirm_in_chat(session, subscriber, registration_summary(registration), "liff_registration")
    session.commit()
