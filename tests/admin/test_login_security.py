"""Login throttling, password rehashing and session cookie flags."""
from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from console_helpers import PASSWORD, fresh_page, login, make_staff
from sqlalchemy import func, select

from core.config import from_environment
from core.db import db
from staff import passwords, throttle
from staff.models import AuditLog, LoginAttempt

LOCKED = "一時的にロックしています"


def _fail(client, email, times):
    for _ in range(times):
        assert login(client, email, "wrong password!!").status_code == 401


def test_five_failures_lock_the_account_from_that_address(app, ward):
    client = app.test_client()
    _fail(client, ward.email, throttle.MAX_FAILURES)
    response = login(client, ward.email, PASSWORD)
    assert response.status_code == 401
    assert LOCKED in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # not logged in
    assert db.session.scalar(select(func.count()).where(AuditLog.action == "staff.login_locked")) == 1


def test_lock_is_per_address(app, ward):
    _fail(app.test_client(), ward.email, throttle.MAX_FAILURES)
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert login(elsewhere, ward.email).status_code == 302


def test_failures_are_stored_in_the_database_for_all_workers(app, ward):
    _fail(app.test_client(), ward.email, 2)
    rows = db.session.scalars(select(LoginAttempt)).all()
    assert len(rows) == 2 and all(not row.succeeded for row in rows)
    assert all(row.ip_hash and "127.0.0.1" not in row.ip_hash for row in rows)


def test_success_clears_earlier_failures(app, ward):
    client = app.test_client()
    _fail(client, ward.email, throttle.MAX_FAILURES - 1)
    assert login(client, ward.email).status_code == 302
    fresh = app.test_client()
    _fail(fresh, ward.email, throttle.MAX_FAILURES - 1)
    assert login(fresh, ward.email).status_code == 302


def test_login_rehashes_outdated_parameters(app, monkeypatch):
    staff = make_staff("ward")
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1)
    staff.password_hash = weak.hash(PASSWORD)
    db.session.commit()
    assert passwords.needs_rehash(staff.password_hash)
    assert login(app.test_client(), staff.email).status_code == 302
    db.session.expire_all()
    assert not passwords.needs_rehash(staff.password_hash)
    assert passwords.verify_password(staff.password_hash, PASSWORD)


def test_session_is_rotated_on_login(app, ward):
    client = app.test_client()
    fresh_page(client, "/admin/login")
    before = client.get_cookie("session").value
    login(client, ward.email)
    after = client.get_cookie("session").value
    assert before != after


def test_session_cookie_is_httponly_and_lax(app, ward):
    response = login(app.test_client(), ward.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "db.sqlite3"))
    settings = from_environment({"INSTANCE_PATH": str(tmp_path)})
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_secure_flag_reaches_the_login_cookie(app, ward):
    app.config["SESSION_COOKIE_SECURE"] = True  # what production sets (see the test above)
    response = login(app.test_client(), ward.email)
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def test_lock_expires_after_the_window(app, ward):
    client = app.test_client()
    _fail(client, ward.email, throttle.MAX_FAILURES)
    assert LOCKED in login(client, ward.email).get_data(as_text=True)
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.created_at = attempt.created_at - throttle.WINDOW - timedelta(minutes=1)
    db.session.commit()
    assert login(client, ward.email).status_code == 302


def test_importing_the_password_module_hashes_nothing():
    """Every process imports it and most never check a password: no argon2 work at import."""
    import subprocess
    import sys

    from testkit import PROJECT_ROOT

    code = "import argon2; argon2.PasswordHasher.hash = None; import staff.passwords"
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_an_unknown_email_is_checked_against_a_hash_too(monkeypatch):
    checked = []

    class Recording(PasswordHasher):
        def verify(self, password_hash, password):
            checked.append(password_hash)
            return super().verify(password_hash, password)

    monkeypatch.setattr(passwords, "_hasher", Recording(time_cost=1, memory_cost=1024, parallelism=1))
    assert not passwords.verify_password(None, PASSWORD)
    assert checked and checked[0].startswith("$argon2id$")
