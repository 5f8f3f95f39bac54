"""The bot process: CLI without a token, command sync (localised, idempotent), gateway events."""
from __future__ import annotations

import discord
import pytest
from sqlalchemy import select

from bot.discord import settings, sync
from bot.discord.models import DiscordProblem, DiscordSettings
from core.db import db
from tests.bot.discord.discord_helpers import (
    GUILD,
    NEWS_CHANNEL,
    SECRET_CHANNEL,
    TEXT_CHANNEL,
    USER,
    WELCOME_CHANNEL,
    member,
    settle_events,
)
from web.cli import main

COMMAND_NAMES = {"search": "検索", "latest": "新着", "events": "イベント一覧", "tour": "申し込み",
                 "subscribe": "通知を受け取る", "unsubscribe": "通知を止める", "help": "ヘルプ"}


@pytest.fixture
def environment(monkeypatch, discord_app, standin):
    """The environment ``monozukuri`` reads (the CLI builds its own app)."""
    for key in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY", "BASE_URL"):
        monkeypatch.setenv(key, str(discord_app.config[key]))
    monkeypatch.setenv("DISCORD_API_BASE_URL", standin.base_url)
    monkeypatch.setenv("DISCORD_BOT_TOKEN", standin.token)
    return monkeypatch


@pytest.mark.parametrize("argv", [["discord"], ["discord", "sync-commands"], ["discord", "sync-events"]])
def test_without_a_token_the_bot_explains_and_exits_with_2(environment, capsys, argv, standin):
    environment.delenv("DISCORD_BOT_TOKEN")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "DISCORD_BOT_TOKEN が設定されていないため" in err and "DISCORD_BOT_TOKEN is not set" in err
    assert standin.calls == []  # nothing was even tried


def test_a_refused_token_is_a_clear_error_not_a_crash_loop(environment, capsys, standin):
    environment.setenv("DISCORD_BOT_TOKEN", "not-the-token")
    assert main(["discord"]) == 2
    assert "Discord refused DISCORD_BOT_TOKEN" in capsys.readouterr().err
    assert [c.status for c in standin.calls] == [401]  # one login attempt, no retry loop


def test_the_web_app_works_without_discord(client):
    assert client.get("/").status_code == 200


def test_sync_commands_overwrites_with_japanese_localisations(environment, capsys, standin):
    assert main(["discord", "sync-commands", "--guild", GUILD]) == 0
    assert "synced 7 command(s) to server" in capsys.readouterr().out
    [put] = standin.calls_to(f"/applications/{standin.application_id}/guilds/{GUILD}/commands", "PUT")
    assert standin.validation_errors == []
    sent = {c["name"]: c for c in put.json}
    assert {name: c["name_localizations"]["ja"] for name, c in sent.items()} == COMMAND_NAMES
    assert all(c["description_localizations"]["ja"] for c in sent.values())
    query = sent["search"]["options"][0]
    assert (query["name_localizations"]["ja"], query["max_length"]) == ("キーワード", 100)
    tour_subs = {o["name"]: o["name_localizations"]["ja"] for o in sent["tour"]["options"]}
    assert tour_subs == {"register": "申し込む", "view": "確認", "cancel": "キャンセル"}
    category = sent["latest"]["options"][0]["choices"][0]
    assert (category["value"], category["name_localizations"]["ja"]) == ("feature", "特集記事")


def test_sync_commands_globally_twice_keeps_the_same_commands(environment, standin):
    assert main(["discord", "sync-commands"]) == 0
    first = {c["name"]: c["id"] for c in standin.commands[(standin.application_id, None)]}
    assert main(["discord", "sync-commands"]) == 0
    assert {c["name"]: c["id"] for c in standin.commands[(standin.application_id, None)]} == first
    assert all(c["contexts"] == [0, 1] for c in standin.commands[(standin.application_id, None)])  # servers + DMs


def test_a_bad_guild_id_is_refused_by_the_parser(environment, capsys):
    with pytest.raises(SystemExit):
        main(["discord", "sync-commands", "--guild", "general"])
    assert "not a Discord id" in capsys.readouterr().err


def test_sync_events_command_reports(environment, capsys, discord_app, session):
    settings.save(session, settings.SettingsForm(guild_id=GUILD))
    session.commit()
    assert main(["discord", "sync-events"]) == 0
    assert "Discord events: created 0" in capsys.readouterr().out


# -- on_ready: idempotent on reconnects ---------------------------------------------------------------
def test_on_ready_syncs_only_what_changed_and_only_once(run, standin):
    async def scenario(h):
        h.client.sync_on_ready = True  # as ``monozukuri discord`` runs it
        await h.client.on_ready()
        await h.client.on_ready()  # a gateway reconnect fires on_ready again
        h.client._synced = False  # even a fresh process finds nothing to change
        await sync.sync_commands(h.client, force=False)
    run(scenario)
    puts = standin.calls_to(f"/applications/{standin.application_id}/commands", "PUT")
    gets = standin.calls_to(f"/applications/{standin.application_id}/commands", "GET")
    assert len(puts) == 1 and len(gets) == 2
    db.session.expire_all()
    row = db.session.get(DiscordSettings, 1)
    assert row.last_ready_at is not None and row.commands_synced_at is not None


# -- member joins ----------------------------------------------------------------------------------------
def welcome_to(session, channel: str) -> None:
    settings.save(session, settings.SettingsForm(guild_id=GUILD, welcome_channel_id=channel))
    session.commit()


def test_a_new_member_is_welcomed_in_the_configured_channel(run, session, standin):
    welcome_to(session, WELCOME_CHANNEL)

    async def scenario(h):
        h.client.dispatch("member_join", member(h.client))
        h.client.dispatch("member_join", member(h.client, "1400000000000000077", bot=True))  # bots are not greeted
        await settle_events()
    run(scenario)
    [welcome] = standin.messages_in(WELCOME_CHANNEL)
    assert welcome["content"] == f"<@{USER}> さん、ようこそ！"
    assert "/通知を受け取る" in welcome["embeds"][0]["description"]
    [call] = standin.calls_to(f"/channels/{WELCOME_CHANNEL}/messages")
    assert [str(u) for u in call.json["allowed_mentions"]["users"]] == [USER] and call.json["allowed_mentions"]["parse"] == []
    assert standin.validation_errors == []


def test_a_welcome_channel_without_permission_is_a_problem_for_staff(run, session, standin):
    welcome_to(session, SECRET_CHANNEL)

    async def scenario(h):
        for _ in range(3):
            h.client.dispatch("member_join", member(h.client))
        await settle_events()
    run(scenario)
    db.session.expire_all()
    [problem] = db.session.scalars(select(DiscordProblem)).all()
    assert (problem.action, problem.target_id, problem.code, problem.count) == ("welcome", SECRET_CHANNEL, 50013, 3)


def test_no_welcome_without_a_channel_or_for_another_server(run, session, standin):
    welcome_to(session, "")

    async def scenario(h):
        h.client.dispatch("member_join", member(h.client))
        await settle_events()
    run(scenario)
    assert standin.calls_to("/channels/") == []


# -- the bot's own announcement posts -----------------------------------------------------------------------
def own_message(client, channel_id: str, channel_type: int, message: dict) -> discord.Message:
    guild = client._connection._get_or_create_unavailable_guild(int(GUILD))
    channel_data = {"id": channel_id, "type": channel_type, "guild_id": GUILD, "name": "announce", "position": 0,
                    "flags": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None}
    factory = discord.TextChannel
    channel = factory(state=client._connection, guild=guild, data=channel_data)
    return discord.Message(state=client._connection, channel=channel, data=message)


def test_own_announcement_posts_are_published_in_announcement_channels(run, session, standin, discord_app):
    from bot.discord.rest import DiscordRest
    from notifications import routing

    welcome_to(session, WELCOME_CHANNEL)
    routing.save_route(session, "news", NEWS_CHANNEL)
    session.commit()
    with DiscordRest(discord_app.config) as rest:  # what the broadcast worker posts
        posted = rest.post(f"/channels/{NEWS_CHANNEL}/messages", {"embeds": [{"title": "お知らせ", "description": "x"}]})
        chatter = rest.post(f"/channels/{TEXT_CHANNEL}/messages", {"embeds": [{"title": "雑談"}]})

    async def scenario(h):
        h.client.dispatch("message", own_message(h.client, NEWS_CHANNEL, 5, posted))
        h.client.dispatch("message", own_message(h.client, TEXT_CHANNEL, 0, chatter))
        await settle_events()
    run(scenario)
    assert standin.messages[posted["id"]]["flags"] & 1  # crossposted
    assert not standin.messages[chatter["id"]]["flags"] & 1
    assert standin.calls_to(f"/channels/{TEXT_CHANNEL}/messages/{chatter['id']}") == []
