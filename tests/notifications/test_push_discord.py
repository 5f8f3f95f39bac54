"""Small pushes through the outbox, and the Discord sender's rate-limit handling."""
from __future__ import annotations

import time

import pytest
from broadcast_helpers import DISCORD_CHANNEL, add_subscribers, deliveries, drain, make_article, multicasts
from sqlalchemy import select, update

from bot.discord.delivery import DiscordSender, message_body
from messages.replies import BotResponse, Card, Cards, Text
from notifications import routing
from notifications.models import Subscriber
from notifications.service import create_broadcast, delivery_report, push_to_subscribers
from tests.standins import discord_resources
from tests.standins.http_standin import Reply


def _ids(session, external_ids) -> list[int]:
    return list(session.scalars(select(Subscriber.id).where(Subscriber.external_id.in_(external_ids))))


def test_push_reaches_active_subscribers_once_with_its_own_retry_key(bapp, session, line_api):
    users = add_subscribers(session, 3)
    session.execute(update(Subscriber).where(Subscriber.external_id == users[2]).values(status="blocked"))
    session.commit()
    response = BotResponse().add(Text("見学会は明日10時からです"),
                                 Cards((Card(title="工場見学会", url="https://example.jp/r/x", label="見学会"),),
                                       alt_text="工場見学会"))
    push = push_to_subscribers(session, _ids(session, users), response, reason="event_reminder")
    session.commit()
    assert push.kind == "push" and push.recipient_count == 2 and push.status == "sending"
    line_api.fail_next(500, path_prefix="/v2/bot/message/multicast", after_delivery=True)

    drain(bapp, session)

    assert [line_api.delivered_to(u) for u in users] == [1, 1, 0]
    (call, replay) = multicasts(line_api)
    assert call.header("X-Line-Retry-Key") == replay.header("X-Line-Retry-Key") and replay.status == 409
    assert call.json["customAggregationUnits"] == ["mz_push_event_reminder"]
    assert call.json["messages"][0]["text"] == "見学会は明日10時からです"
    session.refresh(push)
    assert push.status == "done"


def test_push_to_nobody_active_returns_none(bapp, session):
    users = add_subscribers(session, 1, status="blocked")
    assert push_to_subscribers(session, _ids(session, users), BotResponse().add(Text("x")), reason="r") is None


def test_push_to_a_discord_member_opens_a_dm(bapp, session, discord_api, monkeypatch):
    dm_channel = "1500000000000000001"
    discord_api.add_channel(dm_channel, type=1)

    def create_dm(standin, ctx):
        return Reply(200, {**standin.channels[dm_channel], "recipients": []})

    monkeypatch.setitem(discord_resources.HANDLERS, "create_dm", create_dm)
    members = add_subscribers(session, 1, channel="discord")
    push = push_to_subscribers(session, _ids(session, members), BotResponse().add(Text("空きが出ました")),
                               reason="waitlist")
    session.commit()
    drain(bapp, session)
    (message,) = discord_api.messages_in(dm_channel)
    assert message["content"] == "空きが出ました"
    assert discord_api.calls_to("/users/@me/channels")[0].json == {"recipient_id": members[0]}
    assert delivery_report(session, push).channel("discord").count("sent") == 1


def test_discord_429_is_retried_after_retry_after(bapp, session, discord_api):
    routing.save_route(session, "*", DISCORD_CHANNEL)
    broadcast = create_broadcast(session, text="お知らせ", channels=["discord"])
    session.commit()
    discord_api.fail_next(429, path_prefix=f"/channels/{DISCORD_CHANNEL}/messages", retry_after=0.2)
    started = time.monotonic()
    drain(bapp, session)
    assert time.monotonic() - started >= 0.2  # waited as asked
    calls = discord_api.calls_to(f"/channels/{DISCORD_CHANNEL}/messages", "POST")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].json["nonce"] == calls[1].json["nonce"] and calls[1].json["enforce_nonce"] is True
    assert len(discord_api.messages_in(DISCORD_CHANNEL)) == 1
    (row,) = deliveries(session, broadcast.id, "discord")
    assert row.status == "sent" and row.external_ref == discord_api.messages_in(DISCORD_CHANNEL)[0]["id"]


def test_discord_missing_permission_fails_with_reason_and_line_still_goes(bapp, session, line_api, discord_api):
    routing.save_route(session, "*", DISCORD_CHANNEL)
    discord_api.forbidden_channels.add(DISCORD_CHANNEL)
    users = add_subscribers(session, 2)
    broadcast = create_broadcast(session, article=make_article(session), channels=["line", "discord"])
    session.commit()
    drain(bapp, session)
    report = delivery_report(session, broadcast)
    assert report.channel("discord").count("failed") == 1
    assert any("Missing Permissions" in reason for reason, _ in report.channel("discord").reasons)
    assert all(line_api.delivered_to(u) == 1 for u in users)
    session.refresh(broadcast)
    assert broadcast.status == "done"


def test_discord_bucket_exhaustion_waits_for_reset(discord_api, bapp):
    config = {"DISCORD_API_BASE_URL": discord_api.base_url, "DISCORD_BOT_TOKEN": discord_api.token}
    with DiscordSender(config) as sender:
        original = discord_api._ratelimit_headers
        discord_api._ratelimit_headers = lambda call, remaining, reset_after: original(call, 0, 0.3)
        first = sender.post_message(DISCORD_CHANNEL, {"content": "1"}, "11111111-1111-4111-8111-111111111111")
        started = time.monotonic()
        second = sender.post_message(DISCORD_CHANNEL, {"content": "2"}, "22222222-2222-4222-8222-222222222222")
        assert time.monotonic() - started >= 0.25  # the bucket said "0 left, reset in 0.3 s"
    assert first.result == second.result == "sent"


def test_message_body_pings_roles_without_pinging_everyone():
    body = message_body({"content": "新着", "embeds": [{"title": "t"}]}, "8a6e0804-2bd0-4672-b79d-d97027f9071a",
                        ("1400000000000000001",))
    assert body["content"] == "<@&1400000000000000001> 新着"
    assert body["allowed_mentions"] == {"parse": [], "roles": ["1400000000000000001"]}
    assert body["nonce"] == "8a6e08042bd04672b79dd9702" and len(body["nonce"]) == 25


@pytest.mark.parametrize("status", [500, 502])
def test_discord_server_errors_are_retried(bapp, session, discord_api, status):
    routing.save_route(session, "*", DISCORD_CHANNEL)
    create_broadcast(session, text="お知らせ", channels=["discord"])
    session.commit()
    discord_api.fail_next(status, count=2, path_prefix=f"/channels/{DISCORD_CHANNEL}/messages")
    drain(bapp, session)
    assert len(discord_api.messages_in(DISCORD_CHANNEL)) == 1
