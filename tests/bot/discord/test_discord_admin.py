"""Staff console /admin/discord: who may open it, picking the server and channel by name
(read from the Discord stand-in), problems the bot recorded."""
from __future__ import annotations

import re

import pytest
from flask import g

from bot.discord import problems, settings
from bot.discord.models import DiscordSettings
from core.db import db
from staff.accounts import create_account
from staff.models import AuditLog
from tests.bot.discord.discord_helpers import GUILD, NEWS_CHANNEL, SECRET_CHANNEL, TEXT_CHANNEL, WELCOME_CHANNEL

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
WELCOME = WELCOME_CHANNEL
SNOWFLAKE_ON_SCREEN = re.compile(r">[^<]*\d{15,22}[^<]*<")  # an id as visible text (not in value="…")


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
def named(standin):
    """The stand-in's server and channels with the names staff know them by."""
    standin.add_guild(GUILD, "大田区ものづくりコミュニティ")
    standin.channels[TEXT_CHANNEL]["name"] = "雑談"
    standin.channels[NEWS_CHANNEL]["name"] = "お知らせ"
    standin.channels[WELCOME_CHANNEL]["name"] = "ようこそ"
    standin.channels[SECRET_CHANNEL]["name"] = "職員室"
    return standin


@pytest.fixture
def ward(discord_app, named):
    return logged_in(discord_app.test_client(), "ward")


def test_login_required_and_ward_staff_only(discord_app):
    client = discord_app.test_client()
    assert client.get("/admin/discord/").status_code == 302
    logged_in(client, "contractor")
    assert client.get("/admin/discord/").status_code == 403


def test_server_and_welcome_channel_are_chosen_by_name_not_typed_as_ids(ward, named):
    html = page(ward)
    assert "大田区ものづくりコミュニティ" in html and "#ようこそ" in html and "#お知らせ" in html
    assert 'name="guild_id" value=' not in html and 'inputmode="numeric"' not in html  # no id fields
    assert not SNOWFLAKE_ON_SCREEN.search(html)
    response = post(ward, "/admin/discord/", {"guild_id": GUILD, "welcome_channel_id": WELCOME, "crosspost": "1",
                                              "scheduled_events": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(DiscordSettings, 1)
    assert (row.guild_id, row.welcome_channel_id) == (GUILD, WELCOME)
    assert (row.crosspost, row.feature_threads, row.scheduled_events) == (True, False, True)
    entry = db.session.query(AuditLog).filter_by(action="discord.settings").one()
    assert entry.details["guild_id"] == GUILD
    html = page(ward)
    assert "Discordの設定を保存しました" in html
    assert re.search(r'<option value="%s" selected>#ようこそ</option>' % WELCOME, html)
    # The server's requests went to the stand-in's list routes, strictly per the spec.
    ops = {call.operation_id for call in named.calls}
    assert {"list_my_guilds", "list_guild_channels", "list_guild_roles"} <= ops


def test_a_thread_or_a_category_is_not_offered_as_a_channel(ward, named):
    named.add_channel("1300000000000000050", type=4, guild_id=GUILD, name="運営")
    named.add_channel("1300000000000000051", type=11, guild_id=GUILD, name="特集のスレッド",
                      parent_id=NEWS_CHANNEL)
    named.add_channel("1300000000000000052", type=0, guild_id=GUILD, name="職員連絡",
                      parent_id="1300000000000000050")
    html = page(ward)
    assert "特集のスレッド" not in html and ">#運営<" not in html
    assert '<optgroup label="運営">' in html and "#職員連絡" in html


@pytest.mark.parametrize("data, message", [
    ({"guild_id": "general", "scheduled_events": "1"}, "サーバーは一覧から選んでください"),
    ({"guild_id": "1200000000000000999"}, "ボットが参加しているサーバーの一覧から選んでください"),
    ({"guild_id": GUILD, "welcome_channel_id": "1300000000000000999"}, "歓迎メッセージのチャンネルは、選んだサーバーの"),
    ({"guild_id": GUILD, "welcome_channel_id": "12"}, "歓迎メッセージのチャンネルは一覧から選んでください"),
    ({"guild_id": "", "scheduled_events": "1"}, "Discordのイベントを作るには、サーバーを選んでください"),
])
def test_bad_input_is_a_clear_japanese_error_and_nothing_is_saved(ward, data, message):
    response = post(ward, "/admin/discord/", data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(DiscordSettings, 1) is None


def test_a_bot_in_no_server_gets_a_clear_message(discord_app, standin):
    for guild in list(standin.guilds):
        standin.leave_guild(guild)
    client = logged_in(discord_app.test_client(), "ward")
    html = page(client)
    assert "ボットがまだどのDiscordサーバーにも参加していません" in html
    assert "招待してもらってください" in html


def test_a_bot_removed_from_the_saved_server_says_so(ward, named):
    settings.save(db.session, settings.SettingsForm(guild_id=GUILD, welcome_channel_id=WELCOME))
    db.session.commit()
    named.add_guild("1200000000000000002", "別のサーバー")
    named.leave_guild(GUILD)
    html = page(ward)
    assert "ボットが、設定されているDiscordサーバーに参加していません" in html
    assert "ボットが参加していないサーバー（いまの設定）" in html and "別のサーバー" in html
    # The other server can be chosen; the old welcome channel is dropped with a note.
    response = post(ward, "/admin/discord/", {"guild_id": "1200000000000000002", "welcome_channel_id": WELCOME})
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(DiscordSettings, 1)
    assert (row.guild_id, row.welcome_channel_id) == ("1200000000000000002", None)
    assert "歓迎メッセージのチャンネルを選び直してください" in page(ward)


def test_when_discord_does_not_answer_the_page_says_so_and_saving_keeps_the_settings(ward, named):
    settings.save(db.session, settings.SettingsForm(guild_id=GUILD, welcome_channel_id=WELCOME))
    db.session.commit()
    named.fail_next(503, count=10)
    html = page(ward)
    assert "Discordに接続できなかったため" in html
    assert "いまの設定のチャンネル（名前を読み込めません）" in html
    assert not SNOWFLAKE_ON_SCREEN.search(html)
    named.fail_next(503, count=10)
    response = post(ward, "/admin/discord/", {"guild_id": GUILD, "welcome_channel_id": WELCOME,
                                              "feature_threads": "1"})
    assert response.status_code == 302  # unchanged choices are kept while Discord is away
    db.session.expire_all()
    row = db.session.get(DiscordSettings, 1)
    assert (row.guild_id, row.welcome_channel_id, row.feature_threads) == (GUILD, WELCOME, True)
    named.clear_faults()


def test_a_refused_bot_login_is_explained(discord_app, named):
    discord_app.config["DISCORD_BOT_TOKEN"] = "not-the-token"
    client = logged_in(discord_app.test_client(), "ward")
    assert "Discordがボットの接続を受け付けませんでした" in page(client)


def test_without_a_bot_the_page_says_lists_cannot_be_read(client):
    logged_in(client, "ward")
    html = page(client)
    assert "Discordのボットが設定されていないため" in html


def test_problems_the_bot_recorded_are_shown_by_name_and_can_be_resolved(ward):
    problems.record("welcome", WELCOME, status=403, code=50013)
    problems.record("welcome", WELCOME, status=403, code=50013)
    html = page(ward)
    assert "歓迎メッセージの投稿" in html and "<td>#ようこそ</td>" in html
    assert "ボットのロールに必要な権限がありません" in html and "<td>2</td>" in html
    assert not SNOWFLAKE_ON_SCREEN.search(html)
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


def test_topic_roles_from_the_broadcast_settings_are_shown_by_name(ward, named):
    from notifications import routing

    named.add_role(GUILD, "1500000000000000001", "見学会", mentionable=True)
    routing.save_route(db.session, "tours", NEWS_CHANNEL, "1500000000000000001")
    db.session.commit()
    html = page(ward)
    assert "@見学会" in html and "#お知らせ" in html and "企業見学会" in html
    assert "1500000000000000001" not in html
    assert settings.topic_roles(db.session) == {"tours": "1500000000000000001"}
