"""Staff console /admin/discord: who may open it, saving settings, problems the bot recorded."""
from __future__ import annotations

import re

import pytest
from flask import g

from bot.discord import problems, settings
from bot.discord.models import DiscordSettings
from core.db import db
from staff.accounts import create_account
from staff.models import AuditLog

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
GUILD, WELCOME = "1200000000000000001", "1300000000000000004"


def page(client, url: str = "/admin/discord/") -> str:
    g.pop("csrf_token", None)  # the pushed test app context would share Flask-WTF's token cache
    return client.get(url).get_data(as_text=True)


def logged_in(client, role: str):
    create_account(db.session, f"{role}@example.jp", f"{role}さん", role, PASSWORD, None)
    db.session.commit()
    token = CSRF_RE.search(page(client, "/admin/login")).group(1)
    client.post("/admin/login", data={"email": f"{role}@example.jp", "password": PASSWORD, "csrf_token": token})
    return client


def post(client, url: str, data: dict):
    token = CSRF_RE.search(page(client)).group(1)
    return client.post(url, data={**data, "csrf_token": token})


@pytest.fixture
def ward(client):
    return logged_in(client, "ward")


def test_login_required_and_ward_staff_only(client):
    assert client.get("/admin/discord/").status_code == 302
    logged_in(client, "contractor")
    response = client.get("/admin/discord/")
    assert response.status_code == 403


def test_settings_are_saved_with_an_audit_entry(ward):
    response = post(ward, "/admin/discord/", {"guild_id": GUILD, "welcome_channel_id": WELCOME, "crosspost": "1",
                                               "scheduled_events": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(DiscordSettings, 1)
    assert (row.guild_id, row.welcome_channel_id) == (GUILD, WELCOME)
    assert (row.crosspost, row.feature_threads, row.scheduled_events) == (True, False, True)
    entry = db.session.query(AuditLog).filter_by(action="discord.settings").one()
    assert entry.details["guild_id"] == GUILD
    assert "Discordの設定を保存しました" in page(ward)


@pytest.mark.parametrize("data, message", [
    ({"guild_id": "general", "scheduled_events": "1"}, "サーバーIDはDiscordのID"),
    ({"guild_id": GUILD, "welcome_channel_id": "12"}, "歓迎メッセージのチャンネルIDはDiscordのID"),
    ({"guild_id": "", "scheduled_events": "1"}, "サーバーIDを入力してください"),
])
def test_bad_input_is_a_clear_japanese_error_and_nothing_is_saved(ward, data, message):
    response = post(ward, "/admin/discord/", data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(DiscordSettings, 1) is None


def test_problems_the_bot_recorded_are_shown_and_can_be_resolved(ward):
    problems.record("welcome", WELCOME, status=403, code=50013)
    problems.record("welcome", WELCOME, status=403, code=50013)
    html = page(ward)
    assert "歓迎メッセージの投稿" in html and WELCOME in html
    assert "ボットのロールに必要な権限がありません" in html and "<td>2</td>" in html
    [problem] = problems.open_problems(db.session)
    assert post(ward, f"/admin/discord/problems/{problem.id}/resolve", {}).status_code == 302
    db.session.expire_all()
    assert problems.open_problems(db.session) == []
    assert "いまボットが困っていることはありません" in page(ward)
    problems.record("welcome", WELCOME, status=403, code=50013)  # it happens again: shown again
    db.session.expire_all()
    assert len(problems.open_problems(db.session)) == 1


def test_resolving_an_unknown_problem_is_a_message_not_an_error(ward):
    response = post(ward, "/admin/discord/problems/12345/resolve", {})
    assert response.status_code == 302
    assert "その問題は見つかりませんでした" in page(ward)
    assert post(ward, "/admin/discord/problems/99999999999/resolve", {}).status_code in (302, 404)  # never a 500


def test_topic_roles_from_the_broadcast_settings_are_shown(ward):
    from notifications import routing

    routing.save_route(db.session, "tours", "1300000000000000002", "1500000000000000001")
    db.session.commit()
    html = page(ward)
    assert "1500000000000000001" in html and "企業見学会" in html
    assert settings.topic_roles(db.session) == {"tours": "1500000000000000001"}
