"""Party rules (one function for every channel), lottery reproducibility, abuse limits, cancelling an event."""
from __future__ import annotations

from datetime import timedelta

import pytest
from events_helpers import apply, make_event, make_staff, registrations
from sqlalchemy import select

from bot.discord import tour_flow
from core.db import utcnow
from events import abuse, editor, lottery, party
from events.forms import read_form
from events.models import ReminderLog
from events.service import RegistrationError


@pytest.fixture
def class_event(session):
    return make_event(session, kind="workshop", capacity=6, max_per_application=3, min_children=1,
                      adults_use_seats=False, age_min=6, age_max=11)


def test_same_party_same_message_on_web_discord_and_service(session, class_event):
    expected = party.party_problem(class_event, 2, 2).message
    assert "3人まで" in expected
    form, application = read_form(class_event, {"adults": "2", "children": "2", "name": "大田 花子",
                                                "contact": "hanako@example.jp", "consent": "yes"}, "k")
    assert application is None and form.errors["adults"] == expected
    _cleaned, problems = tour_flow.check_form(tour_flow.FormValues("2", "2", "大田 花子", "hanako@example.jp"),
                                              class_event)
    assert problems == [f"・{expected}"]
    with pytest.raises(RegistrationError) as raised:
        apply(class_event, "U1", adults=2, children=2)
    assert raised.value.message == expected
    with pytest.raises(RegistrationError, match="お子さまを1人以上"):
        apply(class_event, "U2", adults=2, children=0)


def test_accompanying_adults_do_not_use_seats(session, class_event):
    registration = apply(class_event, "U1", adults=2, children=1)
    assert registration.seat_count == 1 and registration.status == "confirmed"


def test_lottery_draw_is_reproducible_and_happens_once(session):
    event = make_event(session, kind="workshop", capacity=3, selection="lottery", adults_use_seats=False)
    entries = [apply(event, f"U{i}", children=1) for i in range(8)]
    assert {r.status for r in entries} == {"applied"}
    first = lottery.draw(session, event.id, seed="fixed-seed")
    assert first.winners == lottery.drawn_order("fixed-seed", [r.id for r in entries])[:3]
    again = lottery.draw(session, event.id, seed="another")
    assert again.already_drawn and again.waitlist == first.waitlist
    ranks = [r.lottery_rank for r in registrations(event.id) if r.status == "waitlisted"]
    assert sorted(ranks) == [1, 2, 3, 4, 5]


def test_scripted_and_rate_limited_applications(session, class_event):
    limits = abuse.Limits(per_source_hour=4, burst_count=3, burst_seconds=60, min_fill_seconds=3)
    fast = apply(class_event, "W1", channel="web", children=1, limits=limits, source_hash="ip", fill_seconds=0.5)
    assert fast.status == "held" and fast.held_reason == "fast_fill"
    apply(class_event, "W2", channel="web", children=1, limits=limits, source_hash="ip", fill_seconds=9)
    burst = apply(class_event, "W3", channel="web", children=1, limits=limits, source_hash="ip", fill_seconds=9)
    assert burst.status == "held" and burst.held_reason == "burst"
    apply(class_event, "W4", channel="web", children=1, limits=limits, source_hash="ip", fill_seconds=9)
    with pytest.raises(RegistrationError) as raised:
        apply(class_event, "W5", channel="web", children=1, limits=limits, source_hash="ip", fill_seconds=9)
    assert raised.value.code == "rate_limited"


def test_same_name_and_contact_on_another_channel_is_the_same_person(session, class_event):
    first = apply(class_event, "web-hash", channel="web", children=1, name="大田 花子", contact="hanako@example.jp")
    with pytest.raises(RegistrationError) as raised:
        apply(class_event, "U-line", channel="line", children=1, name="大田花子", contact="hanako@example.jp")
    assert raised.value.code == "duplicate_person" and raised.value.existing.id == first.id


def test_cancelling_an_event_tells_everyone_once_and_offers_nothing(app, session, class_event, pushes):
    staff = make_staff("ward")
    for i in range(8):
        apply(class_event, f"U{i}", children=1)
    assert editor.cancel_event(session, staff, class_event.id, app.config) == 8
    assert editor.cancel_event(session, staff, class_event.id, app.config) is None  # nothing happens twice
    assert {r.status for r in registrations(class_event.id)} == {"cancelled"}
    kinds = list(session.scalars(select(ReminderLog.kind)))
    assert kinds.count("cancelled") == 8 and "offer" not in kinds


def test_changing_the_date_tells_registrants(app, session, class_event, pushes):
    staff = make_staff("ward")
    apply(class_event, "U1", channel="staff", children=1)
    from events.editor_form import form_of, read_event_form

    values = form_of(class_event).values
    values["start_date"] = (utcnow() + timedelta(days=12)).strftime("%Y-%m-%d")
    _form, fields = read_event_form(values, set())
    _event, told = editor.update_event(session, staff, class_event.id, fields, app.config)
    assert told == 1
    notice = session.scalar(select(ReminderLog).where(ReminderLog.kind == "change-1"))
    assert notice.subject.startswith("【変更のお知らせ】") and notice.outcome == "unreachable"  # on the phone list
