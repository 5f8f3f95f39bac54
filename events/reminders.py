"""Which registrations are due for which notice, and the worker's sending rounds.

- offer: every offered registration (normally sent at once by the offer hook;
  this catches offers made by erasures or a crashed hook);
- day_before: from noon (JST) of the day before, for confirmed participants;
- two_hours: within two hours of the start, for confirmed participants;
- thank_you: after the event ended, to those who were checked in (or to all
  confirmed participants when staff did not use the check-in at all).
Cancelled and waitlisted registrations never get reminders; each registration
gets each kind at most once (``ReminderLog``).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, time, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from core.db import utcnow
from core.timefmt import JST
from events import notice_texts, notices, waitlist
from events.models import Event, Registration, ReminderLog

log = logging.getLogger(__name__)

DAY_BEFORE_AT = time(12, 0)  # noon, far from the quiet hours
TWO_HOURS = timedelta(hours=2)
LAST_CALL = timedelta(hours=3)  # a day-before reminder later than this is pointless
THANK_YOU_AFTER = timedelta(hours=1)
THANK_YOU_WITHIN = timedelta(days=7)
DEFAULT_LENGTH = timedelta(hours=2)


def day_before_due_at(event: Event) -> datetime:
    start_day = event.starts_at.astimezone(JST).date() - timedelta(days=1)
    return datetime.combine(start_day, DAY_BEFORE_AT, tzinfo=JST)


def ends_at(event: Event) -> datetime:
    return event.ends_at or event.starts_at + DEFAULT_LENGTH


def _not_logged(kind: str):
    return ~exists().where(ReminderLog.registration_id == Registration.id, ReminderLog.kind == kind)


def _candidates(session: Session, status: str, kind: str, *conditions) -> list[Registration]:
    query = (
        select(Registration).join(Registration.event)
        .where(Registration.status == status, Registration.personal_data_purged_at.is_(None),
               _not_logged(kind), *conditions)
        .options(selectinload(Registration.event)).order_by(Registration.id)
    )
    return list(session.scalars(query))


def due_day_before(session: Session, now: datetime) -> list[Registration]:
    soon = _candidates(session, "confirmed", "day_before", Event.starts_at > now + LAST_CALL,
                       Event.starts_at <= now + timedelta(hours=36))
    return [r for r in soon if day_before_due_at(r.event) <= now]


def due_two_hours(session: Session, now: datetime) -> list[Registration]:
    return _candidates(session, "confirmed", "two_hours", Event.starts_at > now, Event.starts_at <= now + TWO_HOURS)


def _uses_checkin(session: Session, event_id: int) -> bool:
    return session.scalar(
        select(Registration.id).where(Registration.event_id == event_id, Registration.attended_at.is_not(None)).limit(1)
    ) is not None


def due_thank_you(session: Session, now: datetime) -> list[Registration]:
    recent = _candidates(session, "confirmed", "thank_you", Event.starts_at < now,
                         Event.starts_at > now - THANK_YOU_WITHIN)
    ended = [r for r in recent if ends_at(r.event) + THANK_YOU_AFTER <= now]
    checkin = {event_id: _uses_checkin(session, event_id) for event_id in {r.event_id for r in ended}}
    return [r for r in ended if r.attended_at is not None or not checkin[r.event_id]]


def due_offers(session: Session, now: datetime) -> list[Registration]:
    return [r for r in _candidates(session, "offered", "offer")
            if r.offer_expires_at is None or r.offer_expires_at > now]


def send_reminders(session: Session, config: Mapping, now: datetime | None = None) -> dict[str, int]:
    """One round of reminders and thank-yous; returns how many were sent per kind."""
    now = now or utcnow()
    rounds = {
        "day_before": (due_day_before, lambda r: notice_texts.reminder_notice(config, r, "day_before")),
        "two_hours": (due_two_hours, lambda r: notice_texts.reminder_notice(config, r, "two_hours")),
        "thank_you": (due_thank_you, lambda r: notice_texts.thank_you_notice(session, config, r)),
    }
    sent = {}
    for kind, (due, build) in rounds.items():
        sent[kind] = sum(1 for r in due(session, now) if notices.send_notice(session, config, r, kind, build))
    return sent


def send_offer(session: Session, config: Mapping, registration: Registration) -> None:
    notices.send_notice(session, config, registration, "offer", lambda r: notice_texts.offer_notice(config, r))


def run_offers(session: Session, config: Mapping, now: datetime | None = None) -> dict[str, int]:
    """Expire unanswered offers, offer seats left free, and send any offer not yet told."""
    now = now or utcnow()
    expired = waitlist.expire_offers(session, now)
    reoffered = sum(len(waitlist.offer_open_seats(session, event_id, now))
                    for event_id in waitlist.events_with_open_seats_and_waitlist(session, now))
    told = 0
    for registration in due_offers(session, now):
        told += notices.send_notice(session, config, registration, "offer",
                                    lambda r: notice_texts.offer_notice(config, r)) is not None
    return {"expired": expired, "reoffered": reoffered, "told": told}
