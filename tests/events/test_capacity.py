"""The capacity rule under concurrency, on every backend."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from core import signals
from core.db import db, utcnow
from events import service, waitlist
from events.models import Event, Registration
from events.service import Application, RegistrationError


@pytest.fixture
def event(session):
    event = Event(
        kind="workshop", title="親子でつくろう！テスト教室", capacity=10,
        starts_at=utcnow() + timedelta(days=10), deadline=utcnow() + timedelta(days=3),
    )
    session.add(event)
    session.commit()
    return event


def apply(event_id, person, adults=1, children=0):
    return Application(event_id=event_id, channel="line", person_id=person, adults=adults,
                       children=children, name=f"テスト {person}", contact="test@example.jp", consent=True)


def _register_in_thread(app, event_id, person, results, errors):
    with app.app_context():
        session = db.new_session()
        try:
            results.append(service.register(session, apply(event_id, person)).status)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            session.close()


def test_fifty_concurrent_registrations_for_ten_seats(app, event):
    results, errors = [], []
    threads = [
        threading.Thread(target=_register_in_thread, args=(app, event.id, f"U{i:03d}", results, errors))
        for i in range(50)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results).count("confirmed") == 10
    assert results.count("waitlisted") == 40
    with app.app_context():
        fresh = db.new_session()
        assert service.seats_taken(fresh, event.id) == 10
        assert fresh.query(Registration).count() == 50
        fresh.close()


def test_capacity_counts_participants_not_registrations(session, event):
    first = service.register(session, apply(event.id, "A", adults=1, children=2))
    second = service.register(session, apply(event.id, "B", adults=2, children=4))
    third = service.register(session, apply(event.id, "C", adults=1, children=1))
    assert (first.status, second.status, third.status) == ("confirmed", "confirmed", "waitlisted")
    assert service.remaining_seats(session, event) == 1


def test_same_person_cannot_register_twice(session, event):
    service.register(session, apply(event.id, "A"))
    with pytest.raises(RegistrationError) as info:
        service.register(session, apply(event.id, "A"))
    assert info.value.code == "duplicate"


@pytest.mark.parametrize("adults,children", [(0, 0), (-1, 0), (999, 0), (1, -1), (True, 0)])
def test_bad_participant_counts_rejected(session, event, adults, children):
    with pytest.raises(RegistrationError) as info:
        service.register(session, apply(event.id, "A", adults=adults, children=children))
    assert info.value.code == "participants"
    assert session.scalar(select(Registration.id)) is None


def test_closed_after_deadline_and_past_events(session, event):
    with pytest.raises(RegistrationError) as info:
        service.register(session, apply(event.id, "A"), now=event.deadline + timedelta(minutes=1))
    assert info.value.code == "closed"
    with pytest.raises(RegistrationError) as info:
        service.register(session, apply(event.id, "B"), now=event.starts_at + timedelta(minutes=1))
    assert info.value.code == "past"


def test_consent_is_required(session, event):
    application = Application(event_id=event.id, channel="web", person_id="x", consent=False)
    with pytest.raises(RegistrationError) as info:
        service.register(session, application)
    assert info.value.code == "consent"


def test_cancellation_offers_seat_to_first_waitlisted_that_fits(session, event):
    big = service.register(session, apply(event.id, "A", adults=2, children=8))
    assert big.status == "confirmed"
    too_big = service.register(session, apply(event.id, "B", adults=1, children=5))
    fits = service.register(session, apply(event.id, "C", adults=1, children=1))
    assert (too_big.status, fits.status) == ("waitlisted", "waitlisted")
    small = service.register(session, apply(event.id, "D", adults=1))
    assert small.status == "waitlisted"

    offered_ids = []

    def remember(registration, session):
        offered_ids.append(registration.id)

    with signals.seat_offered.connected_to(remember):
        offered = waitlist.cancel(session, big)
    # B (6) fits in 10 and is first; C (2) and D (1) still fit after B.
    assert [r.person_key for r in offered] == ["line:B", "line:C", "line:D"]
    assert offered_ids == [r.id for r in offered]
    assert waitlist.cancel(session, big) == []  # idempotent: nothing offered twice


def test_offer_accept_and_expiry(session, event):
    full = service.register(session, apply(event.id, "A", adults=10))
    waiting = service.register(session, apply(event.id, "B"))
    late = service.register(session, apply(event.id, "C"))
    waitlist.cancel(session, full)
    session.refresh(waiting)
    assert waiting.status == "offered" and waiting.offer_expires_at is not None
    expired_at = waiting.offer_expires_at + timedelta(minutes=1)
    with pytest.raises(RegistrationError):
        waitlist.accept_offer(session, waiting, now=expired_at)
    assert waitlist.expire_offers(session, now=expired_at) == 2  # B and C were both offered
    session.refresh(late)
    assert late.status == "cancelled"


def test_accept_offer_confirms(session, event):
    full = service.register(session, apply(event.id, "A", adults=10))
    waiting = service.register(session, apply(event.id, "B"))
    waitlist.cancel(session, full)
    assert waitlist.accept_offer(session, waiting).status == "confirmed"
    assert waitlist.accept_offer(session, waiting).status == "confirmed"  # replay harmless
