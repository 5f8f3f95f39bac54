"""Offers, reminders and thank-yous reach the right person on their own channel, once."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from events_helpers import apply, make_event, make_subscriber, registrations

from core.db import utcnow
from core.timefmt import JST
from events import notices, reminders, waitlist
from events.models import ReminderLog


def logs(kind=None):
    from core.db import db

    db.session.expire_all()
    query = db.session.query(ReminderLog).order_by(ReminderLog.id)
    return [entry for entry in query if kind is None or entry.kind == kind]


def test_promotion_tells_the_line_user_on_line(session, pushes, workshop, line_user):
    full = apply(workshop, "U-first", adults=10)
    waiting = apply(workshop, line_user.external_id)
    assert waiting.status == "waitlisted"
    waitlist.cancel(session, full)
    (push,) = pushes.pushes
    assert push.subscriber_ids == [line_user.id] and push.reason == "event_offer" and push.urgent
    assert "空きが出ました" in push.text and workshop.title in push.text
    confirm = push.response.messages[1]
    assert confirm.yes.label == "参加する" and confirm.no.label == "辞退する"
    (entry,) = logs("offer")
    assert entry.outcome == "queued" and entry.registration_id == waiting.id


def test_offer_to_a_web_applicant_goes_by_mail_or_to_staff(app, session, pushes, workshop):
    app.config["SMTP_HOST"] = "smtp.test.invalid"
    full = apply(workshop, "A", adults=10)
    by_mail = apply(workshop, "web-mail", channel="web", contact="mail@example.jp")
    by_phone = apply(workshop, "web-phone", channel="web", contact="03-1111-2222", adults=1)
    waitlist.cancel(session, full)
    outcomes = {entry.registration_id: entry.outcome for entry in logs("offer")}
    assert outcomes == {by_mail.id: "mail_pending", by_phone.id: "unreachable"}
    assert pushes.pushes == []  # web applicants are never pushed to a chat


def test_accepting_the_offer_in_chat_confirms_the_seat(app, session, pushes, workshop, line_user):
    from bot.core.testing import FakeAdapter

    full = apply(workshop, "U-first", adults=10)
    apply(workshop, line_user.external_id)
    waitlist.cancel(session, full)
    bot = FakeAdapter(session, app.config)
    bot.tap(line_user.external_id, pushes.pushes[0].response.messages[1].yes)
    assert "お申し込みが確定しました" in bot.last_text()
    assert [r.status for r in registrations()] == ["cancelled", "confirmed"]


def test_unanswered_offer_expires_and_the_next_person_is_told(app, session, pushes, workshop, line_user):
    full = apply(workshop, "U-first", adults=10)
    first = apply(workshop, "U-second", adults=10)
    second = apply(workshop, line_user.external_id)
    waitlist.cancel(session, full)  # first (10 people) fits and is offered; nothing is left for second
    session.refresh(first)
    assert first.status == "offered" and pushes.to(line_user.id) == []
    later = first.offer_expires_at + timedelta(minutes=1)
    result = reminders.run_offers(session, app.config, now=later)
    assert result["expired"] == 1
    assert [r.status for r in registrations()] == ["cancelled", "cancelled", "offered"]
    assert len(pushes.to(line_user.id)) == 1
    assert {e.registration_id for e in logs("offer")} == {first.id, second.id}
    assert reminders.run_offers(session, app.config, now=later)["told"] == 0  # never told twice


def test_offer_round_tells_offers_the_hook_missed(app, session, pushes, workshop, line_user):
    from core import signals

    full = apply(workshop, "U-first", adults=10)
    waiting = apply(workshop, line_user.external_id)
    with signals.seat_offered.muted():  # as if the process crashed right after the cancellation committed
        waitlist.cancel(session, full)
    assert pushes.pushes == []
    assert reminders.run_offers(session, app.config)["told"] == 1
    assert pushes.to(line_user.id) and logs("offer")[0].registration_id == waiting.id


def test_day_before_and_two_hour_reminders_once_and_only_to_confirmed(app, session, pushes, line_user):
    starts = (utcnow() + timedelta(days=2)).astimezone(JST).replace(hour=10, minute=0, second=0, microsecond=0)
    event = make_event(session, starts_at=starts, deadline=None, capacity=2)
    waiting_user = make_subscriber(session, "line", "U-wait")
    cancelled_user = make_subscriber(session, "line", "U-cancel")
    confirmed = apply(event, line_user.external_id, adults=2)
    apply(event, waiting_user.external_id)
    gone = apply(event, cancelled_user.external_id)
    waitlist.cancel(session, gone)
    noon_before = datetime.combine(starts.date() - timedelta(days=1), datetime.min.time(), tzinfo=JST) + timedelta(hours=12)
    assert reminders.send_reminders(session, app.config, now=noon_before - timedelta(minutes=5))["day_before"] == 0
    assert reminders.send_reminders(session, app.config, now=noon_before)["day_before"] == 1
    assert reminders.send_reminders(session, app.config, now=noon_before + timedelta(hours=1))["day_before"] == 0
    two_hours = starts - timedelta(hours=1, minutes=50)
    sent = reminders.send_reminders(session, app.config, now=two_hours)
    assert sent["two_hours"] == 1 and sent["day_before"] == 0
    assert reminders.send_reminders(session, app.config, now=two_hours + timedelta(minutes=10))["two_hours"] == 0
    assert [p.subscriber_ids for p in pushes.pushes] == [[line_user.id], [line_user.id]]
    assert "明日" in pushes.pushes[0].text and "まもなく" in pushes.pushes[1].text
    assert {(e.registration_id, e.kind) for e in logs()} == {(confirmed.id, "day_before"), (confirmed.id, "two_hours")}


def test_a_duplicate_log_row_is_refused_by_the_database(app, session, pushes, workshop, line_user):
    registration = apply(workshop, line_user.external_id)
    session.add(ReminderLog(registration_id=registration.id, kind="day_before", channel="line", outcome="queued"))
    session.commit()
    session.add(ReminderLog(registration_id=registration.id, kind="day_before", channel="line", outcome="queued"))
    with pytest.raises(Exception):
        session.commit()
    session.rollback()
    assert notices.send_notice(session, app.config, registration, "day_before", lambda r: None) is None


def test_thank_you_after_the_event_with_survey_and_next_steps(app, session, pushes, line_user):
    from content.models import Article

    event = make_event(session, starts_at=utcnow() + timedelta(days=1), deadline=None, capacity=5)
    for slug in ("employment-support", "scholarship-repayment-support"):
        session.add(Article(slug=slug, title=f"支援 {slug}", category="admin", status="published",
                            published_at=utcnow() - timedelta(days=3)))
    session.commit()
    came = apply(event, line_user.external_id)
    no_show_user = make_subscriber(session, "line", "U-noshow")
    apply(event, no_show_user.external_id)
    came.attended_at = event.starts_at
    session.commit()
    after = event.starts_at + timedelta(hours=3, minutes=1)
    assert reminders.send_reminders(session, app.config, now=event.starts_at + timedelta(hours=2))["thank_you"] == 0
    assert reminders.send_reminders(session, app.config, now=after)["thank_you"] == 1  # only who came
    assert reminders.send_reminders(session, app.config, now=after)["thank_you"] == 0
    (push,) = [p for p in pushes.pushes if p.reason == "event_thanks"]
    assert push.subscriber_ids == [line_user.id]
    cards = push.response.messages[1].cards
    assert cards[0].title.startswith("アンケート")
    assert [c.title for c in cards[1:]] == ["支援 employment-support", "支援 scholarship-repayment-support"]
    from channels.links import read_token

    link = read_token(app.config["SECRET_KEY"], cards[1].url.rsplit("/r/", 1)[1])
    assert link.campaign == "next-step" and link.path == "/articles/employment-support"


def test_pending_mail_is_sent_once(app, session, pushes, workshop, monkeypatch):
    sent = []
    monkeypatch.setattr("events.mail.send_mail", lambda config, to, subject, body: sent.append((to, subject, body)))
    app.config["SMTP_HOST"] = "smtp.test.invalid"
    full = apply(workshop, "A", adults=10)
    waiting = apply(workshop, "web-1", channel="web", contact="wait@example.jp")
    waitlist.cancel(session, full)
    assert notices.send_pending_mail(session, app.config) == 1
    assert notices.send_pending_mail(session, app.config) == 0
    ((to, subject, body),) = sent
    assert to == "wait@example.jp" and "空きが出ました" in subject and "/r/" in body
    (entry,) = logs("offer")
    assert entry.registration_id == waiting.id and entry.outcome == "mailed" and entry.body is None


def test_failed_mail_is_recorded_for_staff(app, session, pushes, workshop, monkeypatch):
    def broken(*_args):
        raise OSError("connection refused")

    monkeypatch.setattr("events.mail.send_mail", broken)
    app.config["SMTP_HOST"] = "smtp.test.invalid"
    full = apply(workshop, "A", adults=10)
    apply(workshop, "web-1", channel="web", contact="wait@example.jp")
    waitlist.cancel(session, full)
    assert notices.send_pending_mail(session, app.config) == 0
    assert [e.outcome for e in logs("offer")] == ["mail_failed"]
