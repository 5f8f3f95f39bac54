"""The Discord stand-in, driven by discord.py's own HTTP client and webhook
adapter (the code paths a bot really uses), inside asyncio.run."""
from __future__ import annotations

import asyncio
import io

import aiohttp
import discord
import discord.http
import pytest
import requests
from discord.http import Route, handle_message_parameters
from discord.webhook.async_ import async_context, interaction_message_response_params, interaction_response_params

from .discord_api import DiscordStandin, discord_spec
from .specs import specs_dir

GUILD = "1200000000000000001"
TEXT, NEWS, SECRET = "1300000000000000001", "1300000000000000002", "1300000000000000003"


@pytest.fixture
def stand():
    specs_dir()
    original = Route.BASE
    with DiscordStandin() as standin:
        Route.BASE = f"{standin.base_url}/api/v10"
        standin.add_channel(TEXT, type=0, guild_id=GUILD)
        standin.add_channel(NEWS, type=5, guild_id=GUILD)
        standin.add_channel(SECRET, type=0, guild_id=GUILD)
        standin.forbidden_channels.add(SECRET)
        try:
            yield standin
        finally:
            Route.BASE = original
        assert standin.response_errors == []  # every answer matched the spec


def run(standin, scenario, token=None):
    """Log in with discord.py's HTTPClient, run ``scenario(http)``, close."""
    async def main():
        http = discord.http.HTTPClient(asyncio.get_running_loop())
        try:
            await http.static_login(token or standin.token)
            return await scenario(http)
        finally:
            await http.close()
    return asyncio.run(main())


def send(http, channel, **kwargs):
    with handle_message_parameters(**kwargs) as params:
        return http.send_message(channel, params=params)


def test_login_uses_bot_token_and_gets_the_bot_user(stand):
    async def scenario(http):
        return await http.get_bot_gateway()
    shards, url, limits = run(stand, scenario)
    assert (shards, url) == (1, f"ws://127.0.0.1:{stand.port}/gateway")
    [me] = stand.calls_to("/users/@me")
    assert me.header("Authorization") == "Bot test-discord-bot-token" and me.response_json["bot"] is True


def test_wrong_token_is_a_login_failure(stand):
    with pytest.raises(discord.LoginFailure):
        run(stand, lambda http: asyncio.sleep(0), token="wrong")
    assert [c.status for c in stand.calls] == [401]


def test_message_with_embed_is_validated_recorded_and_stored(stand):
    embed = discord.Embed(title="勉強会のお知らせ", description="詳細", colour=0x00B900)
    embed.add_field(name="日時", value="1/20 19:00").set_footer(text="運営")

    async def scenario(http):
        return await send(http, TEXT, content="新しいイベント", embed=embed)
    message = run(stand, scenario)

    assert message["channel_id"] == TEXT and message["author"]["bot"] is True
    assert message["embeds"][0]["fields"] == [{"name": "日時", "value": "1/20 19:00", "inline": True}]
    assert stand.messages_in(TEXT) == [message]
    assert stand.validation_errors == []


def test_file_upload_is_multipart_and_payload_json_is_validated(stand):
    async def scenario(http):
        good = await send(http, TEXT, content="資料", file=discord.File(io.BytesIO(b"abc"), filename="a.txt"))
        try:
            await send(http, TEXT, content="x" * 2001, file=discord.File(io.BytesIO(b"abc"), filename="b.txt"))
        except discord.HTTPException as exc:
            return good, exc
    good, exc = run(stand, scenario)
    assert good["attachments"][0]["filename"] == "a.txt" and good["attachments"][0]["size"] == 3
    assert exc.status == 400 and exc.code == 50035
    assert stand.calls_to(f"/channels/{TEXT}/messages")[0].header("Content-Type").startswith("multipart/form-data")


LONG = {
    "embed title of 257 chars": (dict(embed=discord.Embed(title="t" * 257)), "embeds.0.title", "maxLength"),
    "content of 2001 chars": (dict(content="c" * 2001), "content", "discord-doc:content"),
    "two embeds over 6000 in total": (dict(embeds=[discord.Embed(description="d" * 4000)] * 2), "embeds",
                                      "discord-doc:embeds-total"),
    "26 fields": (dict(embed=_e) if (_e := discord.Embed(title="f")) and [
        _e.add_field(name=str(i), value="v") for i in range(26)] else {}, "embeds.0.fields", "maxItems"),
    "author name of 257 chars": (dict(embed=discord.Embed(title="a").set_author(name="n" * 257)),
                                 "embeds.0.author.name", "maxLength"),
}


@pytest.mark.parametrize("kwargs, where, keyword", LONG.values(), ids=LONG.keys())
def test_over_long_payloads_get_invalid_form_body(stand, kwargs, where, keyword):
    async def scenario(http):
        with pytest.raises(discord.HTTPException) as info:
            await send(http, TEXT, **kwargs)
        return info.value
    exc = run(stand, scenario)

    assert (exc.status, exc.code) == (400, 50035)
    assert f"In {where}:" in exc.text  # discord.py flattens Discord's nested `errors`
    assert [v.keyword for v in stand.violations()] == [keyword]
    assert stand.messages_in(TEXT) == []


def test_429_is_retried_by_discord_py_after_retry_after(stand):
    stand.fail_next(429, path_prefix=f"/channels/{TEXT}/messages", retry_after=0.05)

    async def scenario(http):
        return await send(http, TEXT, content="after the rate limit")
    assert run(stand, scenario)["content"] == "after the rate limit"
    limited, ok = stand.calls_to(f"/channels/{TEXT}/messages")
    assert (limited.status, ok.status) == (429, 200)
    assert limited.response_json["retry_after"] == 0.05
    assert len(stand.messages_in(TEXT)) == 1


def test_500_is_retried_and_not_delivered_twice(stand):
    stand.fail_next(500, path_prefix=f"/channels/{TEXT}/messages")

    async def scenario(http):
        return await send(http, TEXT, content="x")
    run(stand, scenario)  # discord.py sleeps 1 s before its retry
    assert [c.status for c in stand.calls_to(f"/channels/{TEXT}/messages")] == [500, 200]
    assert len(stand.messages_in(TEXT)) == 1


def test_permissions_and_unknown_channels(stand):
    async def scenario(http):
        results = []
        for channel, expected in ((SECRET, discord.Forbidden), ("1399999999999999999", discord.NotFound)):
            with pytest.raises(expected) as info:
                await send(http, channel, content="x")
            results.append(info.value.code)
        return results
    assert run(stand, scenario) == [50013, 10003]


def test_crosspost_and_threads(stand):
    async def scenario(http):
        news = await send(http, NEWS, content="告知")
        published = await http.publish_message(NEWS, news["id"])
        with pytest.raises(discord.HTTPException) as twice:
            await http.publish_message(NEWS, news["id"])
        plain = await send(http, TEXT, content="雑談")
        with pytest.raises(discord.HTTPException) as wrong_type:
            await http.publish_message(TEXT, plain["id"])
        thread = await http.start_thread_with_message(NEWS, news["id"], name="議論", auto_archive_duration=1440)
        with pytest.raises(discord.HTTPException) as second_thread:
            await http.start_thread_with_message(NEWS, news["id"], name="again", auto_archive_duration=1440)
        free = await http.start_thread_without_message(TEXT, name="相談", auto_archive_duration=60, type=11)
        inside = await send(http, free["id"], content="スレッド内")
        return published, twice.value, wrong_type.value, thread, second_thread.value, free, inside
    published, twice, wrong_type, thread, second, free, inside = run(stand, scenario)

    assert published["flags"] & 1 and twice.code == 40033 and wrong_type.code == 50024
    assert (thread["type"], thread["parent_id"]) == (10, NEWS) and second.code == 160004
    assert free["type"] == 11 and inside["channel_id"] == free["id"]


def test_scheduled_events_roles_and_commands(stand):
    async def scenario(http):
        event = await http.create_guild_scheduled_event(
            GUILD, name="もくもく会", privacy_level=2, entity_type=3, entity_metadata={"location": "渋谷"},
            scheduled_start_time="2030-01-20T10:00:00+00:00", scheduled_end_time="2030-01-20T12:00:00+00:00")
        edited = await http.edit_scheduled_event(GUILD, event["id"], name="もくもく会 #2")
        listed = await http.get_scheduled_events(GUILD, with_user_count=False)
        roles = await http.get_roles(GUILD)
        first = await http.bulk_upsert_guild_commands(stand.application_id, GUILD,
                                                      [{"name": "events", "description": "一覧", "type": 1}])
        again = await http.bulk_upsert_guild_commands(stand.application_id, GUILD,
                                                      [{"name": "events", "description": "一覧!", "type": 1}])
        return event, edited, listed, roles, first, again
    event, edited, listed, roles, first, again = run(stand, scenario)

    assert event["status"] == 1 and edited["name"] == "もくもく会 #2" and [e["id"] for e in listed] == [event["id"]]
    assert roles[0]["name"] == "@everyone"
    assert first[0]["id"] == again[0]["id"] and again[0]["description"] == "一覧!"


def test_interaction_callback_followup_and_original(stand):
    interaction = stand.issue_interaction(channel_id=TEXT, guild_id=GUILD)
    app_id = int(stand.application_id)

    async def scenario():
        adapter = async_context.get()
        async with aiohttp.ClientSession() as session:
            ack = await adapter.create_interaction_response(
                int(interaction["id"]), interaction["token"], session=session, params=interaction_response_params(type=5))
            with pytest.raises(discord.HTTPException) as twice:
                await adapter.create_interaction_response(
                    int(interaction["id"]), interaction["token"], session=session,
                    params=interaction_message_response_params(type=4, content="late"))
            webhook = discord.Webhook.partial(app_id, interaction["token"], session=session)
            followup = await webhook.send("追記", wait=True)
            original = await adapter.edit_original_interaction_response(
                app_id, interaction["token"], session=session, payload={"content": "完了"})
            return ack, twice.value, followup, original
    ack, twice, followup, original = asyncio.run(scenario())

    assert ack["interaction"]["response_message_loading"] is True and twice.code == 40060
    assert followup.content == "追記"
    assert original["content"] == "完了" and not original["flags"] & 128


def test_spec_checks_on_paths_and_required_fields(stand):
    auth = {"Authorization": f"Bot {stand.token}"}
    base = f"{stand.base_url}/api/v10"
    bad_id = requests.get(f"{base}/channels/general", headers=auth, timeout=5)
    assert bad_id.status_code == 400 and "channel_id" in bad_id.json()["errors"]
    missing = requests.post(f"{base}/guilds/{GUILD}/scheduled-events", json={"privacy_level": 2},
                            headers=auth, timeout=5)
    assert missing.json()["errors"]["name"]["_errors"][0]["code"] == "BASE_TYPE_REQUIRED"
    # discord.py refuses > 10 embeds itself; the stand-in does too (spec maxItems).
    eleven = requests.post(f"{base}/channels/{TEXT}/messages", json={"embeds": [{"title": "e"}] * 11},
                           headers=auth, timeout=5)
    assert eleven.json()["errors"]["embeds"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert requests.get(f"{base}/nothing/here", headers=auth, timeout=5).status_code == 404
    assert requests.get(f"{base}/users/@me", timeout=5).status_code == 401


def test_guilds_channels_and_roles_as_the_bot_sees_them(stand):
    """discord.py's own calls: the bot's servers, a server's channels (no threads) and roles
    (@everyone first); a server the bot left is 403 Missing Access, no server at all 404."""
    stand.add_guild(GUILD, "大田区ものづくり")
    stand.add_guild("1200000000000000007", "別のサーバー")
    stand.add_channel("1300000000000000099", type=11, guild_id=GUILD, name="スレッド", parent_id=TEXT)
    stand.add_role(GUILD, "1500000000000000001", "見学会", mentionable=True)

    async def scenario(http):
        guilds = await http.get_guilds(limit=200)
        first = await http.get_guilds(limit=1)
        after = await http.get_guilds(limit=200, after=GUILD)
        channels = await http.get_all_guild_channels(GUILD)
        roles = await http.get_roles(GUILD)
        return guilds, first, after, channels, roles
    guilds, first, after, channels, roles = run(stand, scenario)
    assert [g["name"] for g in guilds] == ["大田区ものづくり", "別のサーバー"]
    assert [g["id"] for g in first] == [GUILD] and [g["id"] for g in after] == ["1200000000000000007"]
    assert sorted(c["id"] for c in channels) == [TEXT, NEWS, SECRET]  # the thread is not listed
    assert [r["name"] for r in roles] == ["@everyone", "見学会"] and roles[0]["id"] == GUILD

    stand.leave_guild(GUILD)

    async def refused(http):
        out = []
        for guild in (GUILD, "1200000000000000555"):
            for call in (http.get_roles, http.get_all_guild_channels):
                try:
                    await call(guild)
                except discord.HTTPException as exc:
                    out.append((exc.status, exc.code))
        return out, [g["id"] for g in await http.get_guilds(limit=200)]
    answers, left = run(stand, refused)
    assert answers == [(403, 50001), (403, 50001), (404, 10004), (404, 10004)]
    assert left == ["1200000000000000007"]


def test_response_checker_catches_a_wrong_answer():
    specs_dir()
    spec = discord_spec()
    match, _ = spec.match("POST", f"/channels/{TEXT}/messages")
    problems = spec.check_response(match, 200, {"id": "1", "content": "x"})
    assert "'author' is a required property" in {v.message for v in problems}
