"""抽選: applications until the deadline, then one seeded draw (worker job at the deadline).

The draw shuffles the applications with ``random.Random(seed)`` in id order, so the
same seed and applications always give the same result; the seed and the whole
result go into the audit log in the draw's own transaction. Winners are taken in
drawn order while their party fits the seats left (a big party that does not fit
is passed over for a smaller one behind it); everyone else waits, ranked in drawn
order, and freed seats are offered to them in that order (``service`` offer flow).
"""
from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from events import service
from events.models import Event, Registration
from staff import audit


@dataclass
class DrawResult:
    event_id: int
    seed: str
    winners: list[int] = field(default_factory=list)  # registration ids
    waitlist: list[int] = field(default_factory=list)  # registration ids, rank 1 first
    already_drawn: bool = False


def drawn_order(seed: str, registration_ids: list[int]) -> list[int]:
    """The applications in drawn order: the same seed and ids always give the same order."""
    ordered = sorted(registration_ids)
    random.Random(seed).shuffle(ordered)
    return ordered


def _applications(session: Session, event_id: int) -> dict[int, Registration]:
    query = select(Registration).where(Registration.event_id == event_id, Registration.status == "applied")
    return {r.id: r for r in session.scalars(query)}


def _assign(event: Event, order: list[int], applications: dict[int, Registration], taken: int) -> DrawResult:
    result = DrawResult(event.id, event.lottery_seed or "")
    free = event.capacity - taken
    for registration_id in order:
        registration = applications[registration_id]
        if registration.seat_count <= free:  # rank 0 marks a winner (told "当選", not "繰り上げ")
            registration.status, free = "confirmed", free - registration.seat_count
            registration.lottery_rank = 0
            result.winners.append(registration_id)
        else:
            registration.status = "waitlisted"
            result.waitlist.append(registration_id)
            registration.lottery_rank = len(result.waitlist)
    return result


def draw(session: Session, event_id: int, *, seed: str | None = None, now: datetime | None = None,
         staff=None) -> DrawResult:
    """Draw the lottery of one event (once: a second call returns the recorded result); commits."""
    now = now or utcnow()
    session.rollback()
    try:
        event = service._lock_event(session, event_id)  # the capacity rule: lock before counting
        if event.lottery_drawn_at is not None:
            session.commit()
            return recorded_result(session, event)
        event.lottery_seed = seed or secrets.token_hex(16)
        applications = _applications(session, event.id)
        order = drawn_order(event.lottery_seed, list(applications))
        result = _assign(event, order, applications, service.seats_taken(session, event.id))
        event.lottery_drawn_at = now
        audit.record(session, staff, "event.lottery_draw", "event", event.id,
                     {"seed": event.lottery_seed, "applications": sorted(applications), "order": order,
                      "winners": result.winners, "waitlist": result.waitlist, "capacity": event.capacity})
        session.commit()
    except Exception:
        session.rollback()
        raise
    return result


def recorded_result(session: Session, event: Event) -> DrawResult:
    query = select(Registration).where(Registration.event_id == event.id, Registration.lottery_rank > 0)
    ranked = sorted(session.scalars(query), key=lambda r: r.lottery_rank or 0)
    return DrawResult(event.id, event.lottery_seed or "", waitlist=[r.id for r in ranked], already_drawn=True)


def due_events(session: Session, now: datetime) -> list[int]:
    """Lottery events whose deadline has passed and that are not drawn yet (nor cancelled)."""
    query = select(Event.id).where(
        Event.selection == "lottery", Event.lottery_drawn_at.is_(None), Event.status != "cancelled",
        Event.deadline.is_not(None), Event.deadline < now,
    ).order_by(Event.id)
    return list(session.scalars(query))


def run_due_draws(session: Session, config: Mapping, now: datetime | None = None) -> dict[str, int]:
    """Worker job: draw every lottery at its deadline and tell everyone their result."""
    from events import results

    now = now or utcnow()
    drawn = told = 0
    for event_id in due_events(session, now):
        result = draw(session, event_id, now=now)
        drawn += not result.already_drawn
    told = results.tell_lottery_results(session, config)
    return {"drawn": drawn, "told": told}
