"""The Discord stand-in refuses what Discord refuses beyond openapi.json: component
rules, late interaction callbacks, expired interaction tokens; and it answers
GET /oauth2/applications/@me so discord.py's ``Client.login`` works unpatched."""
from __future__ import annotations

import asyncio

import discord
import pytest
import requests
from discord.http import Route

from .discord_api import DiscordStandin
from .discord_interactions import INTERACTION_ANSWER_SECONDS, INTERACTION_TOKEN_SECONDS
from .specs import specs_dir

GUILD, TEXT = "1200000000000000001", "1300000000000000001"


@pytest.fixture
def stand():
    specs_dir()
    original = Route.BASE
    with DiscordStandin() as standin:
        Route.BASE = f"{standin.base_url}/api/v10"
        standin.add_channel(TEXT, type=0, guild_id=GUILD)
        try:
            yield standin
        finally:
            Route.BASE = original
        assert standin.response_errors == []


def post(standin, path, body, auth=True):
    headers = {"Authorization": f"Bot {standin.token}"} if auth else {}
    return requests.post(f"{standin.base_url}/api/v10{path}", json=body, headers=headers, timeout=5)


def row(*components):
    return {"type": 1, "components": list(components)}


def button(custom_id="b", label="押す", style=1, **extra):
    out = {"type": 2, "style": style, "label": label, **extra}
    if custom_id is not None:
        out["custom_id"] = custom_id
    return out


def link(url="https://example.org/", **extra):
    return {"type": 2, "style": 5, "label": "開く", "url": url, **extra}


def select(custom_id="s"):
    return {"type": 3, "custom_id": custom_id, "options": [{"label": "A", "value": "a"}]}


REFUSED = {
    "six action rows": ([row(button(f"b{i}")) for i in range(6)], "action-rows"),
    "duplicate custom_id": ([row(button("same"), button("same", label="もう一つ"))], "duplicate-custom-id"),
    "duplicate custom_id across rows": ([row(button("same")), row(select("same"))], "duplicate-custom-id"),
    "link button with custom_id": ([row(link(custom_id="x"))], "link-custom-id"),
    "button without custom_id": ([row(button(None))], "button-custom-id"),
    "select sharing its row": ([row(select(), button())], "select-alone"),
}


@pytest.mark.parametrize("components, rule", REFUSED.values(), ids=REFUSED.keys())
def test_component_rules_are_enforced(stand, components, rule):
    response = post(stand, f"/channels/{TEXT}/messages", {"content": "x", "components": components})

    assert response.status_code == 400 and response.json()["code"] == 50035, response.text
    assert f"discord-doc:{rule}" in {v.keyword for v in stand.violations()}
    assert stand.messages_in(TEXT) == []


def test_the_same_components_within_the_rules_are_accepted(stand):
    components = [row(button(f"b{i}"), link()) for i in range(4)] + [row(select())]
    response = post(stand, f"/channels/{TEXT}/messages", {"content": "x", "components": components})
    assert response.status_code == 200, response.text
    assert stand.validation_errors == []


def test_component_rules_apply_to_interaction_callbacks(stand):
    interaction = stand.issue_interaction(channel_id=TEXT, guild_id=GUILD)
    path = f"/interactions/{interaction['id']}/{interaction['token']}/callback"
    refused = post(stand, path, {"type": 4, "data": {"content": "x", "components": [row(link(custom_id="x"))]}},
                   auth=False)
    assert refused.status_code == 400
    assert [v.property for v in stand.violations()] == ["data.components[0].components[0].custom_id"]
    assert post(stand, path, {"type": 4, "data": {"content": "x", "components": [row(link())]}},
                auth=False).status_code == 204


def test_an_interaction_answered_after_three_seconds_is_unknown(stand):
    late, in_time = (stand.issue_interaction(channel_id=TEXT, guild_id=GUILD) for _ in range(2))
    stand.advance(INTERACTION_ANSWER_SECONDS - 0.5)
    ok = post(stand, f"/interactions/{in_time['id']}/{in_time['token']}/callback", {"type": 5}, auth=False)
    stand.advance(1)
    refused = post(stand, f"/interactions/{late['id']}/{late['token']}/callback", {"type": 5}, auth=False)
    assert ok.status_code == 204
    assert (refused.status_code, refused.json()["code"]) == (404, 10062)


def test_follow_ups_after_fifteen_minutes_are_refused(stand):
    interaction = stand.issue_interaction(channel_id=TEXT, guild_id=GUILD)
    assert post(stand, f"/interactions/{interaction['id']}/{interaction['token']}/callback", {"type": 5},
                auth=False).status_code == 204
    followup = f"/webhooks/{stand.application_id}/{interaction['token']}"
    stand.advance(INTERACTION_TOKEN_SECONDS - 10)
    assert post(stand, followup, {"content": "まだ間に合う"}, auth=False).status_code == 200
    stand.advance(20)
    late = post(stand, followup, {"content": "遅すぎ"}, auth=False)
    assert (late.status_code, late.json()["code"]) == (401, 50027)
    edit = requests.patch(f"{stand.base_url}/api/v10{followup}/messages/@original", json={"content": "x"},
                          timeout=5)
    assert edit.status_code == 401


def test_client_login_works_without_patching(stand):
    async def scenario():
        client = discord.Client(intents=discord.Intents.none())
        try:
            await client.login(stand.token)
            return client.application_id, client.application_flags.value, client.user.name
        finally:
            await client.close()

    application_id, flags, name = asyncio.run(scenario())
    assert (str(application_id), name) == (stand.application_id, "standin-bot")
    assert flags == 1 << 19
    [call] = stand.calls_to("/oauth2/applications/@me")
    assert call.status == 200 and stand.response_errors == []
