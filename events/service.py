"""Registration for tours and workshops: capacity and the waitlist (offers and cancellation:
events.waitlist).

Rules (issue "Company tours and children's workshops"):
- capacity counts participants, not registrations, and is never exceeded;
- a person holds at most one active registration per event;
- closed after the deadline or once the event has started;
- a full event puts the person on the waitlist; a freed seat is offered to the
  first waitlisted registration that fits, with a deadline to confirm.

Every seat-changing function starts its transaction with an UPDATE of the
event row (``_lock_event``). That first write takes the row lock on PostgreSQL
and the database write lock on SQLite *before* seats are counted, so
concurrent registrations are serialised per event without a stale read.
These functions commit: the lock must cover the count and the write.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import utcnow
from events import abuse, party
from events.models import Event, Registration
from events.party import MAX_PARTICIPANTS  # noqa: F401  (callers' default limit)
from events.validation import CONTACT_MAX, NAME_MAX, FieldError, clean_contact, clean_name  # noqa: F401

MAX_GROUP = 40  # no event takes more people in one application
PURPOSE_VERSION = "2026-11"
PURPOSE_OF_USE = (
    "お名前と連絡先は、このイベントの受付・当日のご案内・緊急時の連絡のためにだけ使います。"
    "イベント終了後、一定期間が過ぎると削除し、人数などの匿名の集計だけを残します。"
)
SEAT_HOLDING = ("confirmed", "offered")
NO_SEAT_YET = ("applied", "held", "pending")  # lottery entry, staff review, waiting for the e-mailed link
ACTIVE = ("confirmed", "offered", "waitlisted", *NO_SEAT_YET)


class RegistrationError(Exception):
    """A rule the applicant hit; ``message`` is shown to them as is (Japanese).

    ``existing``: for "duplicate_person", the registration the same person already has.
    """

    def __init__(self, code: str, message: str, existing: Registration | None = None):
        super().__init__(message)
        self.code, self.message, self.existing = code, message, existing


@dataclass(frozen=True)
class Application:
    event_id: int
    channel: str
    person_id: str
    adults: int = 1
    children: int = 0
    name: str | None = None
    contact: str | None = None
    consent: bool = False
    submission_key: str | None = None  # a form / confirmation id: resubmitting returns the same registration
    limits: abuse.Limits | None = None  # public channels: rate limits and scripted-look checks apply
    source_hash: str | None = None  # keyed hash of the web client's address
    fill_seconds: float | None = None  # how long the web form was open before it was sent
    confirm_first: bool = False  # 先着 with a confirmation link: no seat until the link is opened

    @property
    def person_key(self) -> str:
        return f"{self.channel}:{self.person_id}"


def _check_counts(adults: int, children: int) -> None:
    for value in (adults, children):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RegistrationError("participants", "参加人数は0以上の数字で入力してください。")
    if adults + children < 1:
        raise RegistrationError("participants", "参加人数を1人以上にしてください。")
    if adults + children > MAX_GROUP:
        raise RegistrationError("participants", f"1回のお申し込みは{MAX_GROUP}人までです。")


def validate_application(app_: Application) -> Application:
    if not app_.consent:
        raise RegistrationError("consent", "個人情報の利用目的への同意が必要です。")
    _check_counts(app_.adults, app_.children)
    try:  # every channel asks for both; checked here so each gives the same message for the same mistake
        name = clean_name(app_.name) if app_.name is not None else None
        contact = clean_contact(app_.contact) if app_.contact is not None else None
    except FieldError as exc:
        raise RegistrationError(exc.field, exc.message) from exc
    return replace(app_, consent=True, name=name, contact=contact,
                   submission_key=(app_.submission_key or None) and app_.submission_key[:64])


def _lock_event(session: Session, event_id: int) -> Event:
    bumped = session.execute(
        update(Event).where(Event.id == event_id).values(seat_version=Event.seat_version + 1)
    )
    if bumped.rowcount != 1:
        raise RegistrationError("not_found", "イベントが見つかりません。")
    return session.scalars(
        select(Event).where(Event.id == event_id).execution_options(populate_existing=True)
    ).one()


SEATS_USED = func.coalesce(Registration.seats, Registration.adults + Registration.children)
WAITLIST_ORDER = (func.coalesce(Registration.lottery_rank, 0), Registration.created_at, Registration.id)


def seats_taken(session: Session, event_id: int) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(SEATS_USED), 0)).where(
            Registration.event_id == event_id, Registration.status.in_(SEAT_HOLDING)
        )
    )
    return int(total or 0)


def seats_left(capacity: int, taken: int | None) -> int:
    """Seats still free, given the seats the seat-holding registrations use."""
    return max(0, capacity - int(taken or 0))


def seats_taken_subquery(event_id):
    """``seats_taken`` as a scalar subquery for ``event_id`` (a column of an outer query); the
    statuses written out, so the statement can be compiled once (content.page_parts)."""
    return (select(func.coalesce(func.sum(SEATS_USED), 0))
            .where(Registration.event_id == event_id, or_(*(Registration.status == s for s in SEAT_HOLDING)))
            .scalar_subquery())


def remaining_seats(session: Session, event: Event) -> int:
    return seats_left(event.capacity, seats_taken(session, event.id))


def remaining_seats_for(session: Session, events: list[Event]) -> dict[int, int]:
    """``remaining_seats`` of many events in one query (listings: the top page, /events)."""
    ids = [event.id for event in events]
    if not ids:
        return {}
    taken = dict(session.execute(
        select(Registration.event_id, func.sum(SEATS_USED))
        .where(Registration.event_id.in_(ids), Registration.status.in_(SEAT_HOLDING))
        .group_by(Registration.event_id)
    ).all())
    return {event.id: seats_left(event.capacity, taken.get(event.id)) for event in events}


def is_open(event: Event, now: datetime | None = None) -> bool:
    now = now or utcnow()
    closes_at = event.deadline or event.starts_at
    if event.status != "open" or (event.is_lottery and event.lottery_drawn_at is not None):
        return False
    return now <= closes_at and now < event.starts_at


CANCELLED_EVENT = "このイベントは中止になりました。"


def _check_open(event: Event, now: datetime, *, by_staff: bool = False) -> None:
    if event.status == "cancelled":
        raise RegistrationError("closed", CANCELLED_EVENT)
    if now >= event.starts_at:
        raise RegistrationError("past", "このイベントはすでに開催済み（または開催中）のため申し込めません。")
    if not by_staff and not is_open(event, now):  # staff may still add a phoned-in applicant
        raise RegistrationError("closed", "申し込みの締め切りを過ぎています。")


def active_registration(session: Session, event_id: int, person_key: str) -> Registration | None:
    return session.scalar(
        select(Registration).where(
            Registration.event_id == event_id, Registration.person_key == person_key,
            Registration.status.in_(ACTIVE),
        )
    )


def _new_registration(app_: Application, status: str, seats: int, now: datetime) -> Registration:
    return Registration(
        event_id=app_.event_id, channel=app_.channel, person_key=app_.person_key, status=status,
        adults=app_.adults, children=app_.children, name=app_.name, contact=app_.contact, seats=seats,
        purpose_version=PURPOSE_VERSION, consented_at=now, token=secrets.token_urlsafe(24),
        submission_key=app_.submission_key, source_hash=app_.source_hash, created_at=now,
    )


def by_submission_key(session: Session, key: str | None) -> Registration | None:
    return session.scalar(select(Registration).where(Registration.submission_key == key)) if key else None


BeforeCommit = Callable[[Session, Registration], None]


DUPLICATE = "このイベントにはすでにお申し込み済みです。「予約確認」から内容を確認できます。"
SAME_PERSON = "同じお名前と連絡先で、このイベントにはすでにお申し込みがあります。新しいお申し込みはせず、いまのお申し込みをご案内します。"


def check_party(event: Event, adults: int, children: int) -> int:
    """The seats the party takes; ``RegistrationError`` when it breaks the event's party rules."""
    try:
        party.check_party(event, adults, children)
    except party.PartyProblem as exc:
        raise RegistrationError("participants" if exc.field == "adults" else exc.field, exc.message) from exc
    return party.seats_needed(event, adults, children)


def seat_status(session: Session, event: Event, seats: int) -> str:
    """Where an admitted application goes now: the lottery, a seat, or the waitlist."""
    if event.is_lottery and event.lottery_drawn_at is None:
        return "applied"
    return "confirmed" if seats_taken(session, event.id) + seats <= event.capacity else "waitlisted"


def _check_person(session: Session, event: Event, application: Application, now: datetime) -> None:
    if active_registration(session, event.id, application.person_key):
        raise RegistrationError("duplicate", DUPLICATE)
    existing = abuse.same_person(session, event.id, application.name, application.contact, ACTIVE)
    if existing is not None:
        raise RegistrationError("duplicate_person", SAME_PERSON, existing)
    limits = application.limits
    if limits is not None and abuse.over_limit(session, limits, application.source_hash, application.contact, now):
        raise RegistrationError("rate_limited", abuse.RATE_LIMITED)


def _first_status(session: Session, event: Event, application: Application, seats: int,
                  now: datetime) -> tuple[str, str | None]:
    limits = application.limits
    held = limits and abuse.held_reason(session, limits, application.source_hash, application.fill_seconds, now)
    if held:
        return "held", held
    if application.confirm_first and not event.is_lottery:
        return "pending", None
    return seat_status(session, event, seats), None


def _insert(session: Session, application: Application, now: datetime, by_staff: bool,
            before_commit: BeforeCommit | None) -> Registration:
    """The registration itself, inside the event lock (the caller commits)."""
    event = _lock_event(session, application.event_id)
    earlier = by_submission_key(session, application.submission_key)
    if earlier is not None:
        return earlier
    _check_open(event, now, by_staff=by_staff)
    seats = check_party(event, application.adults, application.children)
    _check_person(session, event, application, now)
    status, reason = _first_status(session, event, application, seats, now)
    registration = _new_registration(application, status, seats, now)
    registration.held_reason = reason
    session.add(registration)
    if before_commit is not None:
        session.flush()
        before_commit(session, registration)
    return registration


def register(session: Session, application: Application, now: datetime | None = None, *,
             by_staff: bool = False, before_commit: BeforeCommit | None = None) -> Registration:
    """Confirm the application if it fits, otherwise put it on the waitlist.

    Resubmitting the same ``submission_key`` (a double click, a replayed
    confirmation) returns the registration it made instead of an error.
    ``before_commit`` runs inside the same transaction (a staff audit entry).
    """
    application = validate_application(application)
    session.rollback()  # start a fresh transaction whose first statement is the lock
    try:
        registration = _insert(session, application, now or utcnow(), by_staff, before_commit)
        session.commit()
    except IntegrityError as exc:  # a concurrent duplicate slipped past the check
        session.rollback()
        earlier = by_submission_key(session, application.submission_key)
        if earlier is not None:
            return earlier
        raise RegistrationError("duplicate", DUPLICATE) from exc
    except Exception:
        session.rollback()
        raise
    return registration
