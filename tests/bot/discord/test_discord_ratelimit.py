"""One rate limiter per bot token and API: the broadcast sender and the REST client share it."""
from __future__ import annotations

import json

import requests

from bot.discord.delivery import DiscordSender
from bot.discord.ratelimit import bucket_of, limiter_for
from bot.discord.rest import DiscordRest

CONFIG = {"DISCORD_API_BASE_URL": "http://127.0.0.1:9", "DISCORD_BOT_TOKEN": "token-ratelimit-test"}


def answer(status: int, body: dict | None = None, **headers) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body or {}).encode()
    response.headers.update(headers)
    return response


def test_buckets_follow_the_major_parameter():
    assert bucket_of("/channels/123/messages") == bucket_of("/channels/123/messages/9") == "channels:123"
    assert bucket_of("/guilds/7/scheduled-events?with_user_count=true") == "guilds:7"
    assert bucket_of("/users/@me/channels") == "/users/@me/channels"


def test_sender_and_rest_client_share_one_limiter():
    sender, rest = DiscordSender(CONFIG), DiscordRest(CONFIG)
    try:
        assert sender.limits is rest.limits is limiter_for(dict(CONFIG))
        assert limiter_for({**CONFIG, "DISCORD_API_BASE_URL": "http://127.0.0.1:10"}) is not sender.limits
    finally:
        sender.close()
        rest.close()


def test_an_exhausted_bucket_rests_and_a_global_429_stops_every_bucket():
    limits = limiter_for({**CONFIG, "DISCORD_BOT_TOKEN": "token-exhausted"})
    assert limits.note("channels:1", answer(200, **{"X-RateLimit-Remaining": "0",
                                                     "X-RateLimit-Reset-After": "30"})) is None
    assert 29 < limits.pause_for("channels:1") <= 30 and limits.pause_for("channels:2") == 0
    assert limits.wait("channels:1", longest=1.0) > 29  # too long to sleep inline: the caller retries later
    assert limits.note("channels:2", answer(429, {"retry_after": 12, "global": True})) == 12
    assert 11 < limits.pause_for("guilds:5") <= 12
