"""Personal data of applicants (APPI): purge after the event, erase on request.

What goes: name, contact, the chat/contact id in ``person_key`` and the text
of queued mails. What stays: the registration row with its counts (adults,
children, status, attendance), so KPIs keep working with anonymous numbers.
"""
from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from core.db import utcnow
from events.models import Event, Registration, RegistrationDraft, ReminderLog
from events.service import ACTIVE

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 30


def retention_days(config=None) -> int:
    """REGISTRATION_RETENTION_DAYS (days after the event), default 30; bad values fall back."""
    raw = (config or {}).get("REGISTRATION_RETENTION_DAYS") or os.environ.get("REGISTRATION_RETENTION_DAYS")
    try:
        days = int(str(raw).strip()) if raw not in (None, "") else DEFAULT_RETENTION_DAYS
    except ValueError:
        log.warning("REGISTRATION_RETENTION_DAYS=%r is not a number; using %d", raw, DEFAULT_RETENTION_DAYS)
        return DEFAULT_RETENTION_DAYS
    return max(0, days)


def anonymise(registration: Registration, now: datetime) -> None:
    registration.name = None
    registration.contact = None
    registration.source_hash = None
    registration.person_key = f"{registration.channel}:purged-{registration.id}"
    registration.personal_data_purged_at = now


def _clear_mail_texts(session: Session, registration_ids: list[int]) -> None:
    if registration_ids:
        session.execute(
            update(ReminderLog).where(ReminderLog.registration_id.in_(registration_ids)).values(body=None)
        )


def purge_after_events(session: Session, days: int, now: datetime | None = None) -> int:
    """Anonymise registrations of events that ended more than ``days`` ago; commits; returns how many."""
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    ended = select(Event.id).where(Event.starts_at < now, Event.starts_at < cutoff)
    due = list(session.scalars(
        select(Registration).where(
            Registration.event_id.in_(ended), Registration.personal_data_purged_at.is_(None)
        ).options(selectinload(Registration.event))
    ))
    due = [r for r in due if (r.event.ends_at or r.event.starts_at) < cutoff]
    for registration in due:
        anonymise(registration, now)
    _clear_mail_texts(session, [r.id for r in due])
    session.execute(delete(RegistrationDraft).where(RegistrationDraft.expires_at < now))
    session.commit()
    return len(due)


def _lock_events(session: Session, event_ids: set[int]) -> None:
    # Same first write as the service: seat changes below are serialised with registrations.
    for event_id in sorted(event_ids):
        session.execute(update(Event).where(Event.id == event_id).values(seat_version=Event.seat_version + 1))


def erase_person(session: Session, person_key: str, now: datetime | None = None) -> list[int]:
    """Erase a person's registrations in the caller's transaction (no commit).

    Upcoming registrations are cancelled (their seats go to the waitlist via
    ``waitlist.offer_open_seats``, which the caller or the worker runs after
    committing); returns the ids of events that may now offer seats.
    """
    now = now or utcnow()
    registrations = list(session.scalars(select(Registration).where(Registration.person_key == person_key)))
    freed = {r.event_id for r in registrations if r.status in ACTIVE and r.event.starts_at > now}
    _lock_events(session, freed)
    for registration in registrations:
        session.refresh(registration)
        if registration.status in ACTIVE and registration.event.starts_at > now:
            registration.status, registration.cancelled_at, registration.offer_expires_at = "cancelled", now, None
        anonymise(registration, now)
    _clear_mail_texts(session, [r.id for r in registrations])
    session.flush()
    return sorted(freed)


def erase_chat_user(session: Session, channel: str, user_id: str) -> None:
    """Eraser for 「データ削除」 (``bot.core.privacy.DATA_ERASERS``): registrations and drafts."""
    session.execute(
        delete(RegistrationDraft).where(RegistrationDraft.channel == channel, RegistrationDraft.user_id == user_id)
    )
    erase_person(session, f"{channel}:{user_id}")
