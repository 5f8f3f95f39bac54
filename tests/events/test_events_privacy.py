"""APPI: personal fields are purged after the event while counts stay; erasure on request."""
from __future__ import annotations

from datetime import timedelta

from events_helpers import apply, form_tokens, make_event, make_subscriber, registrations

from core.db import utcnow
from events import privacy, queries, service
from events.models import RegistrationDraft, ReminderLog
from notifications.models import Subscriber


def test_purge_after_retention_keeps_counts(session):
    event = make_event(session, starts_at=utcnow() + timedelta(hours=1), deadline=None, capacity=10)
    apply(event, "U1", adults=1, children=2)
    apply(event, "U2", channel="web", adults=2)
    before = queries.event_counts(session, [event.id])[event.id]
    event.starts_at = utcnow() - timedelta(days=31)
    event.ends_at = event.starts_at + timedelta(hours=2)
    session.commit()
    assert privacy.purge_after_events(session, days=30) == 2
    assert privacy.purge_after_events(session, days=30) == 0  # idempotent
    for registration in registrations():
        assert registration.name is None and registration.contact is None
        assert registration.person_key.endswith(f"purged-{registration.id}")
        assert registration.personal_data_purged_at is not None
    assert queries.event_counts(session, [event.id])[event.id] == before
    assert before.confirmed_people == 5 and before.children == 2


def test_purge_waits_for_the_retention_period(session):
    event = make_event(session, starts_at=utcnow() + timedelta(hours=1), deadline=None)
    apply(event, "U1")
    event.starts_at = utcnow() - timedelta(days=29)
    session.commit()
    assert privacy.purge_after_events(session, days=30) == 0
    assert registrations()[0].name == "大田 太郎"
    assert privacy.purge_after_events(session, days=0) == 1


def test_retention_days_setting(monkeypatch):
    monkeypatch.delenv("REGISTRATION_RETENTION_DAYS", raising=False)
    assert privacy.retention_days({}) == 30
    monkeypatch.setenv("REGISTRATION_RETENTION_DAYS", "7")
    assert privacy.retention_days({}) == 7
    assert privacy.retention_days({"REGISTRATION_RETENTION_DAYS": "14"}) == 14
    monkeypatch.setenv("REGISTRATION_RETENTION_DAYS", "soon")
    assert privacy.retention_days({}) == 30


def test_web_delete_request_erases_everywhere_and_reoffers(app, client, session, pushes, workshop):
    line_applicant = make_subscriber(session, "line", "U-mine", topics=("workshops",))
    mine = apply(workshop, "U-mine", adults=10)
    waiting_user = make_subscriber(session, "line", "U-wait")
    apply(workshop, waiting_user.external_id)
    session.add(RegistrationDraft(channel="line", user_id="U-mine", event_id=workshop.id, step="name",
                                  submission_key="k" * 20, expires_at=utcnow() + timedelta(minutes=5)))
    session.commit()
    page = client.get(f"/registrations/{mine.token}/delete")
    assert "削除すると元に戻せません" in page.get_data(as_text=True)
    tokens = form_tokens(client, f"/registrations/{mine.token}/delete")
    response = client.post(f"/registrations/{mine.token}/delete", data=tokens)
    assert response.status_code == 200 and "データを削除しました" in response.get_data(as_text=True)
    erased, waiting = registrations()
    assert erased.status == "cancelled" and erased.name is None and erased.contact is None
    assert waiting.status == "offered" and pushes.to(waiting_user.id)  # the freed seats went onwards at once
    assert session.get(Subscriber, line_applicant.id) is None
    assert session.query(RegistrationDraft).count() == 0
    again = client.get(f"/registrations/{mine.token}/delete").get_data(as_text=True)
    assert "すでに削除されています" in again


def test_web_delete_covers_all_registrations_of_the_same_contact(client, session, workshop, tour):
    first = apply(workshop, "same", channel="web", contact="same@example.jp")
    apply(tour, "same", channel="web", contact="same@example.jp")
    other = apply(tour, "other", channel="web", contact="other@example.jp")
    client.post(f"/registrations/{first.token}/delete", data=form_tokens(client, f"/registrations/{first.token}/delete"))
    by_id = {r.id: r for r in registrations()}
    assert [r.name for r in by_id.values()] == [None, None, "大田 太郎"]
    assert by_id[other.id].status == "confirmed"


def test_delete_needs_csrf(client, workshop):
    registration = apply(workshop, "A", channel="web")
    assert client.post(f"/registrations/{registration.token}/delete").status_code == 400
    assert registrations()[0].name == "大田 太郎"


def test_erasure_also_clears_queued_mail_texts(session, workshop):
    registration = apply(workshop, "A", channel="web", contact="a@example.jp")
    session.add(ReminderLog(registration_id=registration.id, kind="day_before", channel="web",
                            outcome="mail_pending", body="大田 太郎 様 ..."))
    session.commit()
    privacy.erase_person(session, registration.person_key)
    session.commit()
    session.expire_all()
    assert session.query(ReminderLog).one().body is None


def test_erasure_leaves_past_counts(session):
    event = make_event(session, starts_at=utcnow() + timedelta(hours=1), deadline=None)
    registration = apply(event, "U1", adults=2)
    event.starts_at = utcnow() - timedelta(days=1)
    session.commit()
    assert privacy.erase_person(session, registration.person_key) == []
    session.commit()
    (kept,) = registrations()
    assert kept.status == "confirmed" and kept.participants == 2 and kept.name is None
    assert service.seats_taken(session, event.id) == 2


def test_purge_command(app, session, monkeypatch, capsys, database_url, tmp_path):
    from web import cli

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.setenv("SECRET_KEY", "test-secret-key")
    event = make_event(session, starts_at=utcnow() + timedelta(hours=1), deadline=None)
    apply(event, "U1")
    event.starts_at = utcnow() - timedelta(days=3)
    session.commit()
    assert cli.main(["events", "purge", "--days", "5"]) == 0
    assert "purged personal data of 0 registration(s)" in capsys.readouterr().out
    assert cli.main(["events", "purge", "--days", "2"]) == 0
    assert "of 1 registration(s)" in capsys.readouterr().out
    assert cli.main(["events", "purge", "--days", "-1"]) == 2
    assert registrations()[0].name is None
