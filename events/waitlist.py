"""Freed seats: cancellation, offers to the waitlist, confirmation and expiry of offers.

A seat freed by a cancellation, an expired offer, an erasure or a larger capacity is offered
to the first waitlisted registration that fits, with a deadline to confirm. Like
``events.service``, every function here starts its transaction with ``_lock_event`` and commits.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import signals
from core.db import utcnow
from events.models import Event, Registration
from events.service import WAITLIST_ORDER, BeforeCommit, RegistrationError, _lock_event, is_open, seats_taken

OFFER_HOURS = 48


def _offer_deadline(event: Event, now: datetime) -> datetime:
    return min(now + timedelta(hours=OFFER_HOURS), event.starts_at - timedelta(hours=3))


def _offer_freed_seats(session: Session, event: Event, now: datetime) -> list[Registration]:
    free = event.capacity - seats_taken(session, event.id)
    offered = []
    waitlist = session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == "waitlisted")
        .order_by(*WAITLIST_ORDER)
    )
    for candidate in waitlist:
        if free <= 0:
            break
        if candidate.seat_count <= free:  # the first one that fits, in rank (or application) order
            candidate.status = "offered"
            candidate.offer_expires_at = _offer_deadline(event, now)
            free -= candidate.seat_count
            offered.append(candidate)
    return offered


def _notify_offers(session: Session, offered: list[Registration]) -> None:
    for registration in offered:
        signals.seat_offered.send(registration, session=session)


def _notify_seats_opened(session: Session, event: Event) -> None:
    signals.seats_opened.send(event, session=session)


def _release_and_reoffer(session: Session, registration: Registration, now: datetime,
                         before_commit: BeforeCommit | None = None) -> list[Registration]:
    session.rollback()
    try:
        event = _lock_event(session, registration.event_id)
        session.refresh(registration)
        if registration.status == "cancelled":
            session.commit()
            return []
        was_full = seats_taken(session, event.id) >= event.capacity
        registration.status, registration.cancelled_at = "cancelled", now
        registration.offer_expires_at = None
        # An offer nobody could answer in time (the event is hours away) helps nobody.
        offered = _offer_freed_seats(session, event, now) if _offer_deadline(event, now) > now else []
        session.flush()
        opened = was_full and is_open(event, now) and seats_taken(session, event.id) < event.capacity
        if before_commit is not None:
            before_commit(session, registration)
        session.commit()
    except Exception:
        session.rollback()
        raise
    _notify_offers(session, offered)
    if opened:
        _notify_seats_opened(session, event)
    return offered


def cancel(session: Session, registration: Registration, now: datetime | None = None, *,
           before_commit: BeforeCommit | None = None) -> list[Registration]:
    """Cancel (idempotent); returns the waitlisted registrations now offered a seat."""
    return _release_and_reoffer(session, registration, now or utcnow(), before_commit)


def accept_offer(session: Session, registration: Registration, now: datetime | None = None) -> Registration:
    now = now or utcnow()
    session.rollback()
    try:
        _lock_event(session, registration.event_id)
        session.refresh(registration)
        if registration.status == "confirmed":
            session.commit()
            return registration
        if registration.status != "offered" or (registration.offer_expires_at and now > registration.offer_expires_at):
            raise RegistrationError("offer_expired", "お席のご案内の期限が切れたか、すでに取り消されています。")
        registration.status, registration.offer_expires_at = "confirmed", None
        session.commit()
    except Exception:
        session.rollback()
        raise
    return registration


def expire_offers(session: Session, now: datetime | None = None) -> int:
    """Release offers not confirmed in time, offering the seats onwards (worker job)."""
    now = now or utcnow()
    expired = list(session.scalars(
        select(Registration).where(Registration.status == "offered", Registration.offer_expires_at < now)
    ))
    for registration in expired:
        _release_and_reoffer(session, registration, now)
    return len(expired)


def offer_open_seats(session: Session, event_id: int, now: datetime | None = None) -> list[Registration]:
    """Offer seats that are free while people wait (after an erasure or a capacity change)."""
    now = now or utcnow()
    session.rollback()
    try:
        event = _lock_event(session, event_id)
        offered = _offer_freed_seats(session, event, now) if _offer_deadline(event, now) > now else []
        session.commit()
    except Exception:
        session.rollback()
        raise
    _notify_offers(session, offered)
    return offered


def events_with_open_seats_and_waitlist(session: Session, now: datetime | None = None) -> list[int]:
    """Upcoming events where someone waits although seats are free (worker safety net)."""
    now = now or utcnow()
    waiting = select(Registration.event_id).where(Registration.status == "waitlisted").distinct()
    candidates = session.scalars(select(Event).where(Event.id.in_(waiting), Event.starts_at > now))
    return [event.id for event in candidates if seats_taken(session, event.id) < event.capacity]


def last_rank(session: Session, event_id: int) -> int:
    return int(session.scalar(select(func.max(Registration.lottery_rank)).where(
        Registration.event_id == event_id)) or 0)
