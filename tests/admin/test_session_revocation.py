"""Logging out and resetting a password end the session on the server: a copied cookie stops working."""
from __future__ import annotations

from console_helpers import csrf_from, fresh_page, login, make_staff, post_form

from core.db import db


def _copy_of(client, app):
    """A second browser holding the very same session cookie (e.g. stolen or copied)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    return thief


def test_copied_cookie_stops_working_after_logout(app, ward_client):
    thief = _copy_of(ward_client, app)
    assert thief.get("/admin/").status_code == 200
    token = csrf_from(fresh_page(ward_client, "/admin/"))
    assert ward_client.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    response = thief.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_logging_in_again_after_logout_works(app, ward, ward_client):
    token = csrf_from(fresh_page(ward_client, "/admin/"))
    ward_client.post("/admin/logout", data={"csrf_token": token})
    assert login(ward_client, ward.email).status_code == 302
    assert ward_client.get("/admin/").status_code == 200


def test_copied_cookie_stops_working_after_password_reset(app, admin_client):
    target = make_staff("ward", "target@example.jp")
    victim = app.test_client()
    assert login(victim, target.email).status_code == 302
    thief = _copy_of(victim, app)
    assert thief.get("/admin/").status_code == 200
    post_form(admin_client, "/admin/accounts", f"/admin/accounts/{target.id}/password", {})
    assert thief.get("/admin/").status_code == 302
    assert victim.get("/admin/").status_code == 302
    assert admin_client.get("/admin/").status_code == 200  # the admin's own session is untouched


def test_session_version_is_raised_in_the_database(app, ward, ward_client):
    before = ward.session_version
    token = csrf_from(fresh_page(ward_client, "/admin/"))
    ward_client.post("/admin/logout", data={"csrf_token": token})
    db.session.expire_all()
    assert ward.session_version == before + 1
