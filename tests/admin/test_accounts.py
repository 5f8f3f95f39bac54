"""Account management (管理者 only), the audit log page and ``monozukuri staff create``."""
from __future__ import annotations

import io

import pytest
from console_helpers import PASSWORD, fresh_page, login, make_staff, post_form
from sqlalchemy import select

from core.db import db
from staff.models import AuditLog, StaffUser
from web.cli import main as cli_main


def staff(email: str) -> StaffUser | None:
    db.session.expire_all()
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email))


def test_admin_creates_an_account(admin_client):
    data = {"email": "New@Example.jp", "name": "新人", "role": "contractor", "password": "a long enough pass"}
    response = post_form(admin_client, "/admin/accounts", "/admin/accounts", data)
    assert response.status_code == 302
    created = staff("new@example.jp")
    assert created.role == "contractor" and created.password_hash.startswith("$argon2")
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "staff.create", AuditLog.staff_id.is_not(None)))
    assert entry.target_id == str(created.id) and entry.details["role"] == "contractor"


def test_weak_password_is_refused_with_input_kept(admin_client):
    data = {"email": "weak@example.jp", "name": "弱い", "role": "ward", "password": "short"}
    response = post_form(admin_client, "/admin/accounts", "/admin/accounts", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "12文字以上" in html and 'value="weak@example.jp"' in html
    assert staff("weak@example.jp") is None


def test_change_role_and_deactivate(admin_client):
    target = make_staff("contractor", "c2@example.jp")
    post_form(admin_client, "/admin/accounts", f"/admin/accounts/{target.id}/role", {"role": "ward"})
    assert staff("c2@example.jp").role == "ward"
    post_form(admin_client, "/admin/accounts", f"/admin/accounts/{target.id}/active", {"active": "0"})
    assert staff("c2@example.jp").active is False
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.target_id == str(target.id))).all()
    assert {"staff.role", "staff.deactivate"} <= set(actions)


def test_deactivated_account_cannot_log_in(app):
    target = make_staff("ward", "off@example.jp")
    target.active = False
    db.session.commit()
    assert login(app.test_client(), target.email).status_code == 401


def test_last_admin_cannot_be_demoted_or_self_deactivated(admin_client, admin_user):
    response = post_form(admin_client, "/admin/accounts", f"/admin/accounts/{admin_user.id}/role", {"role": "ward"})
    assert response.status_code == 422 and "最後の管理者" in response.get_data(as_text=True)
    response = post_form(admin_client, "/admin/accounts", f"/admin/accounts/{admin_user.id}/active", {"active": "0"})
    assert response.status_code == 422 and "自分自身" in response.get_data(as_text=True)
    assert staff(admin_user.email).role == "admin" and staff(admin_user.email).active


def test_password_reset_shows_a_new_password_once_and_ends_old_sessions(app, admin_client):
    target = make_staff("ward", "reset@example.jp")
    old_session = app.test_client()
    login(old_session, target.email)
    assert old_session.get("/admin/").status_code == 200
    response = post_form(admin_client, "/admin/accounts", f"/admin/accounts/{target.id}/password", {})
    html = response.get_data(as_text=True)
    new_password = html.split('<code class="new-password">', 1)[1].split("</code>", 1)[0]
    assert len(new_password) >= 12
    assert old_session.get("/admin/").status_code == 302
    assert login(app.test_client(), target.email, new_password).status_code == 302
    assert login(app.test_client(), target.email, PASSWORD).status_code == 401
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "staff.password_reset"))
    assert new_password not in str(entry.details)


def test_ward_cannot_manage_accounts(ward_client, ward):
    assert ward_client.get("/admin/accounts").status_code == 403
    assert ward_client.get("/admin/audit").status_code == 403


def test_audit_page_lists_entries_for_admin(admin_client):
    html = fresh_page(admin_client, "/admin/audit")
    assert "操作履歴" in html and "ログイン" in html
    filtered = fresh_page(admin_client, "/admin/audit?action=article.")
    assert "記録はまだありません" in filtered


@pytest.fixture
def cli_env(app, database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("SECRET_KEY", "test-secret-key")


def test_staff_create_cli(cli_env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("first admin password\n"))
    code = cli_main(["staff", "create", "--email", "Boss@Example.jp", "--name", "管理 太郎", "--role", "admin",
                     "--password-stdin"])
    assert code == 0
    assert "created staff account" in capsys.readouterr().out
    created = staff("boss@example.jp")
    assert created.role == "admin" and created.display_name == "管理 太郎"


def test_staff_create_cli_refuses_weak_password_and_duplicates(cli_env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli_main(["staff", "create", "--email", "a@example.jp", "--name", "A", "--role", "ward",
                     "--password-stdin"]) == 2
    assert "12文字以上" in capsys.readouterr().err
    make_staff("ward", "dup@example.jp")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough pass\n"))
    assert cli_main(["staff", "create", "--email", "dup@example.jp", "--name", "B", "--role", "ward",
                     "--password-stdin"]) == 2
    assert "既にあります" in capsys.readouterr().err


def test_staff_create_cli_prompts_twice(cli_env, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    answers = iter(["typed password 1", "typed password 2"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli_main(["staff", "create", "--email", "p@example.jp", "--name", "P", "--role", "ward"]) == 2
    assert staff("p@example.jp") is None


def test_staff_create_without_a_terminal_explains_instead_of_a_traceback(cli_env):
    import os
    import subprocess
    import sys as _sys

    command = [_sys.executable, "-m", "web.cli", "staff", "create", "--email", "n@example.jp", "--name", "N",
               "--role", "admin"]
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=os.environ,
                          timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "EOFError" not in done.stderr
    assert "--password-stdin" in done.stderr and "端末がありません" in done.stderr
