"""Read-only questions about events and registrations (views, bots, staff console)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, selectinload

from core.db import utcnow
from events import service
from events.models import Event, Registration
from events.service import ACTIVE

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def by_token(session: Session, token: str) -> Registration | None:
    """The registration behind a private link; None for anything malformed or unknown."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    return session.scalar(
        select(Registration).where(Registration.token == token).options(selectinload(Registration.event))
    )


def get_event(session: Session, event_id: int) -> Event | None:
    return session.get(Event, event_id) if 0 < event_id < 2**31 else None


def person_registrations(session: Session, person_key: str, now: datetime | None = None) -> list[Registration]:
    """A person's active registrations for events that have not started, soonest first."""
    now = now or utcnow()
    query = (
        select(Registration).join(Registration.event)
        .where(Registration.person_key == person_key, Registration.status.in_(ACTIVE), Event.starts_at > now)
        .options(selectinload(Registration.event))
        .order_by(Event.starts_at, Registration.id)
    )
    return list(session.scalars(query))


def event_registrations(session: Session, event_id: int) -> list[Registration]:
    """Every registration of an event in application order, the lottery's waitlist in rank order (staff, CSV)."""
    query = select(Registration).where(Registration.event_id == event_id).order_by(*service.WAITLIST_ORDER)
    return list(session.scalars(query))


def waitlist_position(session: Session, registration: Registration) -> int | None:
    if registration.status != "waitlisted":
        return None
    if registration.lottery_rank:  # the lottery's rank among those still waiting
        rank_ahead = Registration.lottery_rank < registration.lottery_rank
    else:
        rank_ahead = (Registration.created_at < registration.created_at) | (
            (Registration.created_at == registration.created_at) & (Registration.id < registration.id))
    ahead = session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.event_id == registration.event_id, Registration.status == "waitlisted", rank_ahead,
        )
    )
    return int(ahead or 0) + 1


@dataclass(frozen=True)
class EventCounts:
    """Anonymous numbers per event: what stays after personal data is purged."""

    confirmed: int = 0  # registrations
    confirmed_people: int = 0
    adults: int = 0
    children: int = 0
    offered_people: int = 0
    waitlisted: int = 0
    waitlisted_people: int = 0
    attended: int = 0  # registrations checked in
    attended_people: int = 0
    cancelled: int = 0


def _sum_if(condition, value=1):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def counts_query() -> Select:
    people = Registration.adults + Registration.children
    confirmed = Registration.status == "confirmed"
    waiting = Registration.status == "waitlisted"
    attended = Registration.attended_at.is_not(None)
    return select(
        Registration.event_id,
        _sum_if(confirmed), _sum_if(confirmed, people), _sum_if(confirmed, Registration.adults),
        _sum_if(confirmed, Registration.children), _sum_if(Registration.status == "offered", people),
        _sum_if(waiting), _sum_if(waiting, people), _sum_if(attended), _sum_if(attended, people),
        _sum_if(Registration.status == "cancelled"),
    ).group_by(Registration.event_id)


def event_counts(session: Session, event_ids: list[int]) -> dict[int, EventCounts]:
    if not event_ids:
        return {}
    rows = session.execute(counts_query().where(Registration.event_id.in_(event_ids))).all()
    found = {row[0]: EventCounts(*(int(v) for v in row[1:])) for row in rows}
    return {event_id: found.get(event_id, EventCounts()) for event_id in event_ids}


def remaining_by_event(session: Session, events: list[Event]) -> dict[int, int]:
    return service.remaining_seats_for(session, events)


def staff_events(session: Session, upcoming: bool = True, now: datetime | None = None) -> list[Event]:
    now = now or utcnow()
    query = select(Event).options(selectinload(Event.company))
    if upcoming:
        query = query.where(Event.starts_at >= now).order_by(Event.starts_at, Event.id)
    else:
        query = query.where(Event.starts_at < now).order_by(Event.starts_at.desc(), Event.id.desc()).limit(100)
    return list(session.scalars(query))


def public_event(session: Session, event_id: int) -> Event | None:
    """An event the public may see: no article, or a published one (a draft must not leak)."""
    event = get_event(session, event_id)
    if event is None or event.article is None:
        return event
    article = event.article
    visible = article.status == "published" and article.published_at is not None and article.published_at <= utcnow()
    return event if visible else None
