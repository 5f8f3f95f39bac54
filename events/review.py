"""Staff review: admit a held (scripted-looking) or unconfirmed registration, or confirm by link."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.db import utcnow
from events import service, waitlist
from events.models import Registration
from events.service import NO_SEAT_YET, RegistrationError
from staff import audit


def _admit(session: Session, registration: Registration, now: datetime, staff=None) -> Registration:
    """Give it the place it would have had: the lottery, a seat, or the waitlist (under the event lock)."""
    session.rollback()
    try:
        event = service._lock_event(session, registration.event_id)
        session.refresh(registration)
        if registration.status not in ("held", "pending"):
            session.commit()
            return registration
        if event.status == "cancelled" or now >= event.starts_at:
            raise RegistrationError("closed", "このイベントはもう受け付けられません。")
        registration.status = service.seat_status(session, event, registration.seat_count)
        if registration.status == "waitlisted" and event.lottery_drawn_at is not None:
            registration.lottery_rank = waitlist.last_rank(session, event.id) + 1
        registration.held_reason = None
        if staff is not None:
            audit.record(session, staff, "event.registration_admit", "registration", registration.id,
                         {"event_id": event.id, "status": registration.status})
        session.commit()
    except Exception:
        session.rollback()
        raise
    return registration


def admit(session: Session, staff, registration: Registration, now: datetime | None = None) -> Registration:
    if registration.status not in NO_SEAT_YET:
        raise RegistrationError("not_held", "このお申し込みは保留中ではありません。")
    return _admit(session, registration, now or utcnow(), staff)


def confirm_by_link(session: Session, registration: Registration, now: datetime | None = None) -> Registration:
    """The applicant opened the e-mailed link: a ``pending`` registration takes its place now."""
    if registration.status != "pending":
        return registration
    return _admit(session, registration, now or utcnow())
