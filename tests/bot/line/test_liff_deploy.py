"""LIFF apps through the LIFF server API (validated against liff.yml): idempotent deploy,
https only, the console button for administrators, and our own checks of LINE's answer."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bot.line import liff_identity
from bot.line.liff_apps import APPS, LiffDeployError, deploy
from bot.line.models import LiffApp, LiffNonce
from core.db import db
from testkit import make_test_app
from tests.bot.line.liff_helpers import liff_config
from tests.bot.line.line_helpers import USER


@pytest.fixture
def app(database_url, tmp_path, line):
    app = make_test_app(database_url, tmp_path / "instance", **liff_config(line))
    with app.app_context():
        yield app
    db.session.remove()


def test_deploy_creates_then_reuses_then_updates(app, line, session):
    first = deploy(session, app.config)
    assert sorted(first.created) == sorted(a.key for a in APPS)
    assert {a["view"]["url"] for a in line.liff_apps.values()} == {
        "https://testserver.local/liff/settings", "https://testserver.local/liff/register"}
    assert all(a["scope"][0] == "openid" for a in line.liff_apps.values())

    again = deploy(session, app.config)
    assert again.created == [] and again.updated == [] and sorted(again.unchanged) == sorted(first.ids)
    assert again.ids == first.ids and len(line.liff_apps) == 2

    app.config["BASE_URL"] = "https://new.example.jp"
    moved = deploy(session, app.config)
    assert sorted(moved.updated) == sorted(first.ids) and moved.ids == first.ids
    assert {a["view"]["url"] for a in line.liff_apps.values()} == {
        "https://new.example.jp/liff/settings", "https://new.example.jp/liff/register"}
    assert line.validation_errors == []


def test_deploy_finds_apps_on_line_that_we_forgot(app, line, session):
    ids = deploy(session, app.config).ids
    session.query(LiffApp).delete()
    session.commit()
    report = deploy(session, app.config)
    assert report.created == [] and report.ids == ids


def test_http_base_url_is_refused_before_calling_line(app, line, session):
    app.config["BASE_URL"] = "http://127.0.0.1:8000"
    with pytest.raises(LiffDeployError, match="https"):
        deploy(session, app.config)
    assert line.calls_to("/liff/") == []


def test_the_stand_in_refuses_what_liff_yml_or_line_refuse(app, line):
    import requests

    headers = {"Authorization": f"Bearer {line.access_token}"}
    missing_view = requests.post(f"{line.base_url}/liff/v1/apps", json={"description": "x"}, headers=headers, timeout=5)
    plain_http = requests.post(f"{line.base_url}/liff/v1/apps", json={"view": {"type": "full", "url": "http://a.example"}},
                               headers=headers, timeout=5)
    assert missing_view.status_code == 400 and plain_http.status_code == 400
    assert len(line.validation_errors) == 1  # the schema violation; http is LINE's documented rule
    line.validation_errors.clear()


def test_console_button_deploys_for_administrators_only(app, line, session):
    from tests.admin.console_helpers import csrf_from, fresh_page, login, make_staff

    admin, ward = make_staff("admin"), make_staff("ward")
    client = app.test_client()
    assert login(client, ward.email).status_code == 302
    assert client.post("/admin/line/liff-deploy").status_code in (400, 403)  # no CSRF token / not allowed
    assert client.get("/admin/line/").status_code == 403
    client = app.test_client()
    assert login(client, admin.email).status_code == 302
    page = fresh_page(client, "/admin/line/")
    assert "LINEに反映する" in page and "未反映" in page
    token = csrf_from(page)
    done = client.post("/admin/line/liff-deploy", data={"csrf_token": token}, follow_redirects=True)
    assert "LINEのフォームを反映しました" in done.get_data(as_text=True)
    assert len(line.liff_apps) == 2
    assert session.scalars(select(LiffApp)).all()


def test_our_own_checks_refuse_an_answer_for_another_channel_or_nonce(app, session, monkeypatch):
    nonce = liff_identity.issue_nonce(session, "settings")
    session.commit()
    good = {"sub": USER, "aud": app.config["LINE_LOGIN_CHANNEL_ID"], "exp": time.time() + 60, "nonce": nonce}
    for bad in ({"aud": "1"}, {"exp": time.time() - 1}, {"nonce": "other"}, {"sub": "not-a-user"}):
        fresh = liff_identity.issue_nonce(session, "settings")
        session.commit()
        monkeypatch.setattr(liff_identity, "_ask_line", lambda *a, _b=bad, _n=fresh: {**good, "nonce": _n, **_b})
        with pytest.raises(liff_identity.LiffIdentityError):
            liff_identity.identify(session, app.config, "t" * 40, fresh, "settings")
    assert session.get(LiffNonce, nonce).used_at is None


def test_a_nonce_is_single_use_and_bound_to_its_page(app, session):
    nonce = liff_identity.issue_nonce(session, "settings")
    session.commit()
    with pytest.raises(liff_identity.LiffIdentityError):
        liff_identity.consume_nonce(session, nonce, "register")
    liff_identity.consume_nonce(session, nonce, "settings")
    with pytest.raises(liff_identity.LiffIdentityError):
        liff_identity.consume_nonce(session, nonce, "settings")


def test_cli_deploys_and_refuses_http(app, line, database_url, monkeypatch, capsys):
    from web.cli import main as cli_main

    env = {"DATABASE_URL": database_url, "INSTANCE_PATH": app.instance_path, "SECRET_KEY": "test-secret-key",
           "LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": line.access_token,
           "LINE_API_BASE_URL": line.base_url, "LINE_LOGIN_CHANNEL_ID": line.login_channel_id,
           "BASE_URL": "http://127.0.0.1:8000"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli_main(["line", "liff", "deploy"]) == 2
    assert "https" in capsys.readouterr().err and line.liff_apps == {}
    monkeypatch.setenv("BASE_URL", "https://ota.example.jp")
    assert cli_main(["line", "liff", "deploy"]) == 0
    assert "created" in capsys.readouterr().out and len(line.liff_apps) == 2
    assert cli_main(["line", "liff", "deploy"]) == 0
    assert "created none, updated none" in capsys.readouterr().out and len(line.liff_apps) == 2


def test_line_unreachable_is_a_clear_note_not_a_crash(app, session):
    client = app.test_client()
    app.config["LINE_API_BASE_URL"] = "http://127.0.0.1:9"  # nothing listens on the discard port
    from tests.bot.line.liff_helpers import page_nonce

    nonce = page_nonce(client, "/liff/settings")
    response = client.post("/liff/settings/identify", json={"id_token": "t" * 40, "nonce": nonce})
    assert response.status_code == 503 and "しばらくしてから" in response.json["message"]


def test_console_job_deploys_and_explains_http_plainly(app, line, session):
    from staff.console_jobs import JobError
    from web.console_jobs import deploy_liff_forms

    assert "反映しました（新規 2" in deploy_liff_forms(app, session)
    app.config["BASE_URL"] = "http://127.0.0.1:8000"
    with pytest.raises(JobError, match="https"):
        deploy_liff_forms(app, session)
