"""The private link's actions: cancel, answer an offer, the survey; jobs wiring."""
from __future__ import annotations

from datetime import timedelta

from events_helpers import apply, form_tokens, make_event, registrations

from core.db import utcnow
from events import service, waitlist
from events.models import SurveyAnswer


def test_cancel_asks_first_then_cancels_once(client, workshop):
    registration = apply(workshop, "A", channel="web")
    page = client.get(f"/registrations/{registration.token}/cancel").get_data(as_text=True)
    assert "キャンセルしますか" in page and registrations()[0].status == "confirmed"
    tokens = form_tokens(client, f"/registrations/{registration.token}/cancel")
    response = client.post(f"/registrations/{registration.token}/cancel", data=tokens)
    assert response.status_code == 303 and "notice=cancelled" in response.headers["Location"]
    assert registrations()[0].status == "cancelled"
    again = client.post(f"/registrations/{registration.token}/cancel", data=tokens)
    assert again.status_code == 303  # replay: nothing changes
    assert "キャンセル済み" in client.get(f"/registrations/{registration.token}").get_data(as_text=True)


def test_cancel_without_csrf_changes_nothing(client, workshop):
    registration = apply(workshop, "A", channel="web")
    assert client.post(f"/registrations/{registration.token}/cancel").status_code == 400
    assert registrations()[0].status == "confirmed"


def test_offer_accept_and_release_on_the_web(client, session, workshop):
    full = apply(workshop, "A", adults=5)
    rest = apply(workshop, "B", adults=5)
    first = apply(workshop, "C", channel="web", adults=5)
    second = apply(workshop, "D", channel="web", adults=5)
    waitlist.cancel(session, full)
    waitlist.cancel(session, rest)
    page = client.get(f"/registrations/{first.token}").get_data(as_text=True)
    assert "参加する" in page and "までに、参加するかどうか" in page
    tokens = form_tokens(client, f"/registrations/{first.token}")
    assert client.post(f"/registrations/{first.token}/accept", data=tokens).status_code == 303
    release_tokens = form_tokens(client, f"/registrations/{second.token}/release")
    assert client.post(f"/registrations/{second.token}/release", data=release_tokens).status_code == 303
    statuses = {r.id: r.status for r in registrations()}
    assert statuses[first.id] == "confirmed" and statuses[second.id] == "cancelled"


def test_expired_offer_cannot_be_accepted(client, session, workshop):
    full = apply(workshop, "A", adults=10)
    waiting = apply(workshop, "B", channel="web")
    waitlist.cancel(session, full)
    session.refresh(waiting)
    waiting.offer_expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    tokens = form_tokens(client, f"/registrations/{waiting.token}")
    response = client.post(f"/registrations/{waiting.token}/accept", data=tokens)
    assert response.status_code == 409 and "期限が切れた" in response.get_data(as_text=True)
    assert registrations()[1].status == "offered"


def test_survey_after_the_event_once(client, session):
    event = make_event(session, starts_at=utcnow() + timedelta(hours=1), deadline=None)
    registration = apply(event, "A", channel="web")
    assert client.get(f"/registrations/{registration.token}/survey").status_code == 409  # not yet
    event.starts_at = utcnow() - timedelta(hours=3)
    session.commit()
    tokens = form_tokens(client, f"/registrations/{registration.token}/survey")
    bad = client.post(f"/registrations/{registration.token}/survey", data={**tokens, "satisfaction": "9"})
    assert bad.status_code == 422 and "1〜5" in bad.get_data(as_text=True)
    good = client.post(f"/registrations/{registration.token}/survey",
                       data={**tokens, "satisfaction": "5", "next_step": "job"})
    assert "ありがとうございました" in good.get_data(as_text=True)
    again = client.post(f"/registrations/{registration.token}/survey",
                        data={**tokens, "satisfaction": "1", "next_step": "none"})
    assert "すでにご回答" in again.get_data(as_text=True)
    (answer,) = session.query(SurveyAnswer).all()
    assert (answer.satisfaction, answer.next_step, answer.event_id) == (5, "job", event.id)


def test_worker_jobs_are_registered(app):
    from events import jobs

    class Scheduler:
        def __init__(self):
            self.ids = []

        def add_job(self, func, trigger, **kwargs):
            self.ids.append(kwargs["id"])

    scheduler = Scheduler()
    jobs.register_jobs(scheduler, app)
    assert scheduler.ids == ["events-offers", "events-reminders", "events-mail", "events-lottery", "events-purge"]


def test_jobs_run_in_their_own_session(app, session, workshop):
    from events import jobs

    apply(workshop, "A")
    assert jobs.reminders_job(app) == {"day_before": 0, "two_hours": 0, "thank_you": 0}
    assert jobs.offers_job(app) == {"expired": 0, "reoffered": 0, "told": 0}
    assert jobs.purge_job(app) == 0
    assert jobs.mail_job(app) == 0


def test_listings_show_remaining_seats_from_the_events_service(client, session):
    from content import service as content_service

    event = make_event(session, capacity=10, article=True)
    apply(event, "A", adults=1, children=2)
    apply(event, "B", adults=10)  # waitlisted: holds no seat
    assert content_service.remaining_seats(session, [event]) == {event.id: 7} == {event.id: service.remaining_seats(session, event)}
    assert "定員10名（残り7席）" in client.get("/events").get_data(as_text=True)
