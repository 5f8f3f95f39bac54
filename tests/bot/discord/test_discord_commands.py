"""Slash commands through discord.py's command tree, answered over the stand-in (spec-checked)."""
from __future__ import annotations

import pytest

from tests.bot.discord.discord_helpers import (
    NEWS_CHANNEL,
    button,
    components_of,
    make_event,
    message_text,
    sent_payload_problems,
)

EPHEMERAL, LOADING = 1 << 6, 1 << 7


def assert_clean(standin):
    assert standin.validation_errors == []  # every request matched Discord's OpenAPI spec
    assert sent_payload_problems(standin) == []  # and Discord's documented message limits


def test_latest_defers_then_answers_with_embeds_and_tracked_link_buttons(demo_app, run, standin):
    async def scenario(h):
        payload = await h.command("latest", category="feature")
        return h.state(payload), h.replies(payload)
    state, [reply] = run(scenario)

    assert state["response"]["type"] == 5  # deferred first (within Discord's 3 seconds) ...
    assert not reply["flags"] & LOADING  # ... then the "thinking" message became the answer
    assert not reply["flags"] & EPHEMERAL  # look-ups are shared in a server channel
    assert reply["embeds"] and all(e["author"]["name"] == "特集記事" for e in reply["embeds"])
    assert all(e["url"].startswith("http://testserver.local/r/") for e in reply["embeds"])
    links = [c for c in components_of(reply) if c.get("style") == 5]
    assert links and all(c["url"].startswith("http://testserver.local/r/") for c in links)
    assert_clean(standin)


def test_tracked_links_are_attributed_to_discord(demo_app, run, standin):
    from channels.links import read_token

    async def scenario(h):
        return h.replies(await h.command("latest"))
    [reply] = run(scenario)
    token = reply["embeds"][0]["url"].rsplit("/", 1)[1]
    link = read_token("test-secret-key", token)
    assert link.channel == "discord" and link.article_id


def test_search_finds_articles_and_offers_the_next_page_as_a_button(demo_app, run, standin):
    async def scenario(h):
        payload = await h.command("search", query="工場")
        return h.replies(payload)
    [reply] = run(scenario)
    assert "「工場」に関する記事" in reply["content"]
    assert reply["embeds"]
    assert "（1/2ページ）" in reply["content"]
    values = [o["value"] for c in components_of(reply) for o in c.get("options") or []]
    assert "p:a=search&p=2&q=工場" in values  # 次の10件, as a core postback
    assert_clean(standin)


@pytest.mark.parametrize("query, expected", [
    ("   ", "探したい言葉を入力してください"),
    ("旋" * 101, "100文字以内"),
])
def test_empty_or_over_long_queries_get_a_clear_private_message(run, standin, query, expected):
    async def scenario(h):
        payload = await h.command("search", query=query)
        return h.state(payload), h.replies(payload)
    state, [reply] = run(scenario)
    assert state["response"]["type"] == 4 and reply["flags"] & EPHEMERAL
    assert expected in reply["content"]
    assert_clean(standin)


@pytest.mark.parametrize("command, option, value", [
    ("latest", "category", "nonsense"), ("search", "category", "'; drop table"), ("events", "kind", "party"),
    ("subscribe", "topic", "everything"),
])
def test_unknown_choices_are_refused_clearly(run, standin, command, option, value):
    values = {"query": "旋盤"} if command == "search" else {}

    async def scenario(h):
        payload = await h.command(command, **values, **{option: value})
        return h.replies(payload)
    [reply] = run(scenario)
    assert "選べる項目にありません" in reply["content"] and reply["flags"] & EPHEMERAL


def test_events_lists_upcoming_events_with_a_registration_button(app, session, run, standin):
    make_event(session, kind="tour", title="精密加工の工場見学", capacity=8)

    async def scenario(h):
        return h.replies(await h.command("events", kind="tour"))
    [reply] = run(scenario)
    assert "これからの企業見学会" in reply["content"]
    assert reply["embeds"][0]["title"] == "精密加工の工場見学"
    assert "会場：大田区産業プラザPiO" in reply["embeds"][0]["description"]
    assert button(reply, "申し込む")["custom_id"].startswith("p:a=reg&s=start")
    assert_clean(standin)


def test_commands_work_in_direct_messages(demo_app, run, standin):
    async def scenario(h):
        latest = await h.command("latest", guild=False)
        helped = await h.command("help", guild=False)
        return h.replies(latest), h.replies(helped)
    [latest], [helped] = run(scenario)
    assert latest["embeds"] and latest["channel_id"] == "1600000000000000001"
    assert "ダイレクトメッセージでも使えます" in message_text(helped)
    assert_clean(standin)


def test_help_explains_commands_and_topics_without_a_database_round_trip(run, standin):
    async def scenario(h):
        payload = await h.command("help")
        return h.state(payload), h.replies(payload)
    state, [reply] = run(scenario)
    assert state["response"]["type"] == 4  # answered at once, nothing slow to wait for
    text = message_text(reply)
    assert "/検索" in text and "/申し込み" in text and "企業見学会" in text
    assert_clean(standin)


def test_buttons_under_an_answer_run_the_core_for_whoever_presses_them(demo_app, run, standin):
    async def scenario(h):
        first = await h.command("latest")
        [reply] = h.replies(first)
        clicked = await h.choose(reply, "イベント・見学", user_id="1400000000000000009")
        return h.state(clicked), h.replies(clicked)
    state, replies = run(scenario)
    assert state["response"]["type"] == 5
    assert replies[0]["flags"] & EPHEMERAL  # the answer to a click is private to the clicker
    assert "イベント" in message_text(replies[0])
    assert_clean(standin)


def test_a_failed_reply_is_logged_and_does_not_break_the_bot(demo_app, run, standin, caplog):
    async def scenario(h):
        payload = h.command_payload("latest")
        standin.fail_next(404, path_prefix=f"/webhooks/{standin.application_id}/{payload['token']}")
        await h.run_command(payload)
        after = await h.command("help")  # the bot carries on
        return h.replies(after)
    [helped] = run(scenario)
    assert "使い方" in message_text(helped)
    assert "Discord reply could not be delivered" in caplog.text


def test_news_channel_constant_is_an_announcement_channel(standin):
    assert standin.channels[NEWS_CHANNEL]["type"] == 5


def test_a_rate_limited_interaction_callback_is_retried_after_retry_after(demo_app, run, standin):
    async def scenario(h):
        payload = h.command_payload("latest")
        standin.fail_next(429, path_prefix=f"/interactions/{payload['id']}", retry_after=0.05)
        await h.run_command(payload)
        return payload, h.replies(payload)
    payload, [reply] = run(scenario)
    calls = standin.calls_to(f"/interactions/{payload['id']}")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].response_json["retry_after"] == 0.05 and reply["embeds"]


def test_a_server_error_on_the_answer_is_retried_and_delivered_once(demo_app, run, standin):
    async def scenario(h):
        payload = h.command_payload("latest")
        standin.fail_next(500, path_prefix=f"/webhooks/{standin.application_id}/{payload['token']}")
        await h.run_command(payload)
        return payload, h.replies(payload)
    payload, [reply] = run(scenario)  # discord.py waits a second before its retry
    edits = standin.calls_to(f"/webhooks/{standin.application_id}/{payload['token']}")
    assert [c.status for c in edits] == [500, 200] and reply["embeds"]


def test_help_buttons_explain_the_slash_commands_not_typing(demo_app, run, standin):
    async def scenario(h):
        [reply] = h.replies(await h.command("latest"))
        search_help = await h.press(reply, "検索のしかた")
        general = await h.press(reply, "ヘルプ")
        return message_text(h.replies(search_help)[0]), message_text(h.replies(general)[0])
    search_help, general = run(scenario)
    assert "/検索 キーワード:旋盤" in search_help
    assert "/申し込み" in general and "使い方" in general
