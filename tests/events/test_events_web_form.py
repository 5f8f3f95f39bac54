"""The web registration form: accessible fields, CSRF, double submission, bad input."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from events_helpers import apply, form_tokens, fresh_page, registrations

from core.db import utcnow
from events import service

GOOD = {"adults": "1", "children": "2", "name": "大田 花子", "contact": "hanako@example.jp", "consent": "yes"}


def submit(client, event, **changes):
    data = {**GOOD, **form_tokens(client, f"/events/{event.id}"), **changes}
    return client.post(f"/events/{event.id}/register", data=data)


def test_form_explains_each_field_and_ties_hints(client, workshop):
    html = fresh_page(client, f"/events/{workshop.id}").get_data(as_text=True)
    for name in ("adults", "children", "name", "contact"):
        assert f'<label for="field-{name}">' in html
        assert f'aria-describedby="hint-{name}"' in html
        assert f'id="hint-{name}"' in html
    assert service.PURPOSE_OF_USE in html
    assert 'id="field-consent"' in html and 'aria-describedby="hint-consent"' in html
    # the purpose of use is shown before the consent box and the submit button
    assert html.index(service.PURPOSE_OF_USE) < html.index('id="field-consent"') < html.index('申し込む</button>')


def test_registration_confirms_and_opens_the_private_page(client, workshop):
    response = submit(client, workshop)
    assert response.status_code == 303
    (registration,) = registrations(workshop.id)
    assert (registration.status, registration.adults, registration.children) == ("confirmed", 1, 2)
    assert registration.channel == "web" and registration.person_key.startswith("web:")
    assert "hanako" not in registration.person_key  # the key does not reveal the contact
    assert registration.purpose_version == service.PURPOSE_VERSION and registration.consented_at
    assert response.headers["Location"].endswith(f"/registrations/{registration.token}?done=1")
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "お申し込みを受け付けました" in html and "参加確定" in html
    assert f"/registrations/{registration.token}/qr.png" in html
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"


def test_missing_csrf_token_is_refused_in_japanese(client, workshop):
    response = client.post(f"/events/{workshop.id}/register", data=GOOD)
    assert response.status_code == 400
    assert "もう一度お試しください" in response.get_data(as_text=True)
    assert registrations() == []


def test_double_submitted_form_makes_one_registration(client, workshop):
    tokens = form_tokens(client, f"/events/{workshop.id}")
    first = client.post(f"/events/{workshop.id}/register", data={**GOOD, **tokens})
    second = client.post(f"/events/{workshop.id}/register", data={**GOOD, **tokens})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(registrations()) == 1
    assert service.seats_taken(client.application.extensions["db"].session, workshop.id) == 3


def test_same_person_with_a_new_form_gets_a_duplicate_message(client, workshop):
    submit(client, workshop)
    response = submit(client, workshop, contact="HANAKO@EXAMPLE.JP")  # same address, other case
    assert response.status_code == 409
    assert "すでにお申し込み済み" in response.get_data(as_text=True)
    assert len(registrations()) == 1


@pytest.mark.parametrize("field,value,message", [
    ("adults", "0", "大人（保護者）を1人以上"),
    ("adults", "-1", "0以上"),
    ("adults", "999", "10人まで"),
    ("children", "abc", "数字で入力"),
    ("name", "あ" * 101, "100文字以内"),
    ("name", "花子🌸", "絵文字や記号は使えません"),
    ("name", "   ", "お名前を入力"),
    ("contact", "not-an-address", "10〜11桁"),
    ("contact", "hanako@", "メールアドレスの形式"),
    ("consent", "", "同意にチェック"),
])
def test_bad_input_is_explained_next_to_the_field(client, workshop, field, value, message):
    response = submit(client, workshop, **{field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="error-{field}"' in html
    assert re.search(rf'id="field-{field}"[^>]*aria-describedby="hint-{field} error-{field}"[^>]*aria-invalid="true"', html) \
        or re.search(rf'aria-describedby="hint-{field} error-{field}"[^>]*aria-invalid="true"', html)
    assert 'role="alert"' in html and f'href="#field-{field}"' in html
    assert registrations() == []


def test_totals_over_the_limit_are_refused(client, workshop):
    response = submit(client, workshop, adults="5", children="6")
    assert response.status_code == 422 and "10人まで" in response.get_data(as_text=True)
    assert registrations() == []


def test_full_width_numbers_and_phone_are_accepted(client, workshop):
    assert submit(client, workshop, adults="２", children="１", contact="０３−１２３４−５６７８").status_code == 303
    (registration,) = registrations()
    assert (registration.adults, registration.children, registration.contact) == (2, 1, "0312345678")


def test_full_event_takes_the_waitlist(client, session, workshop):
    apply(workshop, "A", adults=4, children=6)
    page = fresh_page(client, f"/events/{workshop.id}").get_data(as_text=True)
    assert "キャンセル待ちで申し込む" in page
    response = submit(client, workshop)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "キャンセル待ち（1番目）" in html
    assert service.seats_taken(session, workshop.id) == 10


def test_closed_and_past_events_show_no_form(client, session, workshop, past_event):
    tokens = form_tokens(client, f"/events/{workshop.id}")  # the form was opened before the deadline
    workshop.deadline = utcnow() - timedelta(minutes=1)
    session.commit()
    for event in (workshop, past_event):
        html = fresh_page(client, f"/events/{event.id}").get_data(as_text=True)
        assert "受付は終了しました" in html and 'name="submission_key"' not in html
    response = client.post(f"/events/{workshop.id}/register", data={**GOOD, **tokens})
    assert response.status_code == 409 and "締め切り" in response.get_data(as_text=True)
    assert registrations() == []


def test_unknown_event_is_a_404(client):
    assert client.get("/events/999999").status_code == 404
    assert client.get("/events/99999999999999999999").status_code == 404


def test_tampered_private_links_show_nothing(client, workshop):
    registration = apply(workshop, "A", channel="web")
    for token in (registration.token[:-1] + ("A" if registration.token[-1] != "A" else "B"), "short", "x" * 80):
        response = client.get(f"/registrations/{token}")
        assert response.status_code == 404
        assert "このリンクは無効" in response.get_data(as_text=True)
        assert client.get(f"/registrations/{token}/qr.png").status_code == 404
    page = client.get(f"/registrations/{registration.token}").get_data(as_text=True)
    assert "大田 太郎" in page
