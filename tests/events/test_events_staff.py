"""Staff console: who may see it, counts, CSV for Excel, manual add/cancel, door check-in."""
from __future__ import annotations

import csv
import io

import pytest
from events_helpers import apply, fresh_page, login, make_staff, registrations

from core.db import utcnow
from events import signing
from staff.models import AuditLog


@pytest.fixture
def ward_client(client):
    login(client, make_staff("ward"))
    return client


def audit_actions(session) -> list[str]:
    session.expire_all()
    return [entry.action for entry in session.query(AuditLog).order_by(AuditLog.id) if entry.action.startswith("event.")]


def post(client, page: str, action: str, data: dict | None = None):
    from events_helpers import csrf_from

    token = csrf_from(fresh_page(client, page).get_data(as_text=True))
    return client.post(action, data={**(data or {}), "csrf_token": token})


def test_only_ward_staff_and_admins_see_registrations(client, workshop):
    assert client.get("/admin/events/").status_code == 302  # to the login
    apply(workshop, "A")
    login(client, make_staff("contractor"))
    listing = client.get("/admin/events/").get_data(as_text=True)  # contractors read events, not people
    assert workshop.title in listing and "大田 太郎" not in listing and "新しいイベントを作る" not in listing
    assert client.get(f"/admin/events/{workshop.id}").status_code == 403
    assert client.get(f"/admin/events/{workshop.id}/registrations.csv").status_code == 403


def test_event_page_shows_registrations_waitlist_and_counts(ward_client, workshop):
    apply(workshop, "A", adults=2, children=6)
    apply(workshop, "B", adults=1, children=1)
    apply(workshop, "C", adults=1, children=1)
    html = ward_client.get(f"/admin/events/{workshop.id}").get_data(as_text=True)
    assert "参加確定：2件・10名（大人3・子ども7）／定員10名・残り0席" in html
    assert "キャンセル待ち：1件・2名" in html
    listing = ward_client.get("/admin/events/")
    assert listing.headers["Cache-Control"] == "no-store"
    assert "10 / 10名（残り0）" in listing.get_data(as_text=True)


def test_csv_export_opens_in_excel_and_is_audited(ward_client, session, workshop):
    apply(workshop, "A", adults=1, children=2)
    registration = apply(workshop, "B", channel="web", contact="b@example.jp")
    registration.name = "=HYPERLINK(\"http://evil\")"
    session.commit()
    response = ward_client.get(f"/admin/events/{workshop.id}/registrations.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["受付番号", "状態", "大人"]
    assert rows[1][1] == "参加確定" and rows[1][5] == "大田 太郎" and rows[1][7] == "LINE"
    assert rows[2][5].startswith("'=")  # never a live formula in Excel
    assert audit_actions(session) == ["event.export"]


def test_manual_add_and_cancel_are_audited(ward_client, session, workshop):
    page = f"/admin/events/{workshop.id}"
    data = {"adults": "1", "children": "1", "name": "電話 申込", "contact": "03-5555-6666", "consent": "yes",
            "submission_key": "k" * 24}
    response = post(ward_client, page, f"{page}/add", data)
    assert response.status_code == 303
    post(ward_client, page, f"{page}/add", data)  # double click
    (added,) = registrations()
    assert (added.channel, added.status, added.contact) == ("staff", "confirmed", "0355556666")
    response = post(ward_client, page, f"{page}/registrations/{added.id}/cancel")
    assert response.status_code == 303 and registrations()[0].status == "cancelled"
    assert audit_actions(session) == ["event.registration_add", "event.registration_cancel"]


def test_manual_add_rejects_bad_input_in_japanese(ward_client, workshop):
    page = f"/admin/events/{workshop.id}"
    response = post(ward_client, page, f"{page}/add", {"adults": "999", "name": "", "contact": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "10人まで" in html and "お名前を入力" in html and "同意" in html
    assert registrations() == []


def test_staff_may_add_after_the_deadline(ward_client, session, workshop):
    workshop.deadline = utcnow().replace(year=2000)
    session.commit()
    page = f"/admin/events/{workshop.id}"
    data = {"adults": "1", "children": "0", "name": "電話 申込", "contact": "0355556666", "consent": "yes"}
    assert post(ward_client, page, f"{page}/add", data).status_code == 303
    assert len(registrations()) == 1


def test_checkin_from_the_scanned_url_is_idempotent(app, ward_client, session, workshop):
    registration = apply(workshop, "A", adults=1, children=2)
    url = signing.checkin_url(app.config["BASE_URL"], app.config["SECRET_KEY"], registration.id)
    path = url.removeprefix(app.config["BASE_URL"])
    page = ward_client.get(path).get_data(as_text=True)
    assert "大田 太郎" in page and "計3名" in page and "受付する" in page
    first = post(ward_client, path, path).get_data(as_text=True)
    assert "受付しました" in first
    second = post(ward_client, path, path).get_data(as_text=True)
    assert "すでに受付済みです" in second
    assert registrations()[0].attended_at is not None
    assert audit_actions(session) == ["event.checkin"]


def test_checkin_form_accepts_a_pasted_url(app, ward_client, workshop):
    registration = apply(workshop, "A")
    url = signing.checkin_url(app.config["BASE_URL"], app.config["SECRET_KEY"], registration.id)
    response = ward_client.get("/admin/events/checkin", query_string={"code": url})
    assert response.status_code == 303 and "/admin/events/checkin/" in response.headers["Location"]


@pytest.mark.parametrize("code", ["garbage", "1", "MQ.forged-signature"])
def test_tampered_checkin_codes_are_refused(ward_client, workshop, code):
    apply(workshop, "A")
    response = ward_client.get(f"/admin/events/checkin/{code}")
    assert response.status_code == 404 and "読み取れませんでした" in response.get_data(as_text=True)
    assert registrations()[0].attended_at is None


def test_waitlisted_cannot_be_checked_in(app, ward_client, workshop):
    apply(workshop, "A", adults=10)
    waiting = apply(workshop, "B")
    path = "/admin/events/checkin/" + signing.checkin_code(app.config["SECRET_KEY"], waiting.id)
    response = post(ward_client, path, path)
    assert response.status_code == 409 and "参加確定ではありません" in response.get_data(as_text=True)
    assert registrations()[1].attended_at is None


def test_offers_nobody_could_be_told_are_listed_for_a_call(ward_client, session, workshop):
    from events import waitlist

    full = apply(workshop, "A", adults=10)
    phone_only = apply(workshop, "B", channel="web", contact="03-1111-2222")
    waitlist.cancel(session, full)
    html = ward_client.get(f"/admin/events/{workshop.id}").get_data(as_text=True)
    assert "連絡が必要な方" in html and "0311112222" in html and "空席のご案内" in html
    assert phone_only.id in [r.id for r in registrations() if r.status == "offered"]
