"""Login, logout, session handling and role checks of the console."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from console_helpers import PASSWORD, csrf_from, fresh_page, login, make_staff
from sqlalchemy import select

from core.db import db
from staff.models import AuditLog


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/admin/articles?status=draft")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/admin/login"
    assert parse_qs(location.query) == {"next": ["/admin/articles?status=draft"]}


def test_login_success_redirects_to_safe_next_and_audits(client, ward):
    response = login(client, ward.email, next_url="/admin/articles")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/articles"
    assert client.get("/admin/").status_code == 200
    actions = db.session.scalars(select(AuditLog.action)).all()
    assert "staff.login" in actions


def test_login_ignores_offsite_next(app, ward):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        response = login(app.test_client(), ward.email, next_url=target)
        assert response.headers["Location"] == "/admin/", target


def test_wrong_password_shows_japanese_error(client, ward):
    response = login(client, ward.email, "wrong password!!")
    assert response.status_code == 401
    assert "メールアドレスまたはパスワードが正しくありません" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_unknown_email_gives_the_same_message(client):
    response = login(client, "nobody@example.jp", PASSWORD)
    assert response.status_code == 401
    assert "メールアドレスまたはパスワードが正しくありません" in response.get_data(as_text=True)


def test_contractor_gets_japanese_403_on_admin_pages(contractor_client):
    response = contractor_client.get("/admin/accounts")
    assert response.status_code == 403
    assert "権限がありません" in response.get_data(as_text=True)


def test_logout_needs_csrf_and_ends_the_session(ward_client):
    assert ward_client.post("/admin/logout").status_code == 400
    assert ward_client.get("/admin/").status_code == 200
    token = csrf_from(fresh_page(ward_client, "/admin/"))
    response = ward_client.post("/admin/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert ward_client.get("/admin/").status_code == 302
    assert "staff.logout" in db.session.scalars(select(AuditLog.action)).all()


def test_login_form_without_csrf_token_is_rejected(client, ward):
    response = client.post("/admin/login", data={"email": ward.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "不正な送信" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_deactivated_account_loses_its_session(client, app):
    staff = make_staff("ward", "gone@example.jp")
    login(client, staff.email)
    assert client.get("/admin/").status_code == 200
    staff.active = False
    db.session.commit()
    assert client.get("/admin/").status_code == 302
