"""A contact request from a company page: explicit, logged consent; the ward's queue; attribution."""
from __future__ import annotations

from careers_helpers import form_fields, login_as, page, rows
from sqlalchemy import select

from careers.models import ContactRequest
from careers.service import SHARE_CONSENT_TEXT
from channels import links
from staff.models import AuditLog

FORM = {"name": "矢口 花子", "contact": "hanako@example.jp", "message": "話を聞きたいです"}


def send(client, company, kind: str = "consult", **data):
    fields = form_fields(page(client, f"/companies/{company.slug}/contact/{kind}"))
    return client.post(f"/companies/{company.slug}/contact/{kind}", data={**fields, **FORM, **data})


def test_the_form_shows_the_exact_consent_wording(app, session, company):
    html = page(app.test_client(), f"/companies/{company.slug}/contact/tour")
    assert SHARE_CONSENT_TEXT in html and 'name="consent"' in html and "checked" not in html
    assert "見学を申し込む" in html and "光和精機" in html


def test_with_consent_the_request_is_queued_with_the_wording_and_the_time(app, session, company):
    response = send(app.test_client(), company, consent="1")
    assert response.status_code == 200 and "受け付けました" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    [request] = rows(session, ContactRequest)
    assert (request.company_id, request.kind, request.status, request.channel) == (company.id, "consult", "new", "web")
    assert (request.name, request.contact) == ("矢口 花子", "hanako@example.jp")
    assert request.share_consent_text == SHARE_CONSENT_TEXT and request.share_consented_at is not None


def test_without_consent_nothing_is_stored_and_the_reason_is_shown(app, session, company):
    response = send(app.test_client(), company)
    assert response.status_code == 422
    assert "同意が必要です" in response.get_data(as_text=True)
    assert rows(session, ContactRequest) == []


def test_a_bad_contact_is_explained_and_the_answers_are_kept(app, session, company):
    response = send(app.test_client(), company, consent="1", contact="hanako-at-example")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "矢口 花子" in html and 'href="#field-contact"' in html
    assert rows(session, ContactRequest) == []


def test_a_replayed_form_is_one_request(app, session, company):
    client = app.test_client()
    fields = form_fields(page(client, f"/companies/{company.slug}/contact/consult"))
    for _ in range(2):
        client.post(f"/companies/{company.slug}/contact/consult", data={**fields, **FORM, "consent": "1"})
    assert len(rows(session, ContactRequest)) == 1


def test_a_request_after_a_tracked_link_carries_the_link_not_the_person(app, session, company):
    client = app.test_client()
    url = links.tracked_url(app.config, f"/companies/{company.slug}", channel="line", broadcast_id=7,
                            article_id=None, segment="persona:student")
    assert client.get(url.removeprefix(app.config["BASE_URL"]), headers={"User-Agent": "Mozilla/5.0"}).status_code == 302
    send(client, company, kind="apply", consent="1")
    [request] = rows(session, ContactRequest)
    assert (request.last_touch_channel, request.last_touch_broadcast_id, request.last_touch_segment) == (
        "line", 7, "persona:student")
    assert request.persona == "student"


def test_the_ward_sees_the_queue_with_consent_and_forwards(app, session, company, ward):
    send(app.test_client(), company, consent="1")
    queue = page(ward, "/admin/careers/contacts")
    assert "矢口 花子" in queue and "hanako@example.jp" in queue and SHARE_CONSENT_TEXT in queue
    [request] = rows(session, ContactRequest)
    token = form_fields(queue)["csrf_token"]
    assert ward.post(f"/admin/careers/contacts/{request.id}/forwarded", data={"csrf_token": token}).status_code == 302
    [request] = rows(session, ContactRequest)
    assert request.status == "forwarded" and request.forwarded_at is not None and request.forwarded_by_id
    ward.post(f"/admin/careers/contacts/{request.id}/closed", data={"csrf_token": token})
    assert rows(session, ContactRequest)[0].status == "closed"
    actions = list(session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions[-2:] == ["careers.contact_forward", "careers.contact_close"]
    assert ward.post(f"/admin/careers/contacts/{request.id}/lunch", data={"csrf_token": token}).status_code == 404


def test_the_contractor_cannot_read_the_queue(app, session, company):
    send(app.test_client(), company, consent="1")
    contractor = app.test_client()
    login_as(contractor, "contractor")
    response = contractor.get("/admin/careers/contacts")
    assert response.status_code == 403 and "矢口 花子" not in response.get_data(as_text=True)
