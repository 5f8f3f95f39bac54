"""Driving the real bot (discord.py client + command tree) against the Discord stand-in.

Interactions are built from payloads shaped like Discord's (the way discord.py's
own tests do it) and go through ``ConnectionState.parse_interaction_create`` or
``CommandTree._call``; every REST call (interaction callbacks, follow-ups, roles)
reaches the stand-in, which validates it against the OpenAPI spec.
"""
from __future__ import annotations

import asyncio

import discord

from bot.discord.client import MonozukuriBot, set_api_base
from bot.discord.limits import violations

GUILD = "1200000000000000001"
TEXT_CHANNEL = "1300000000000000001"
NEWS_CHANNEL = "1300000000000000002"
SECRET_CHANNEL = "1300000000000000003"
WELCOME_CHANNEL = "1300000000000000004"
USER = "1400000000000000001"
OTHER_USER = "1400000000000000002"
ROLE_TOURS = "1500000000000000001"
ROLE_FEATURES = "1500000000000000002"
ALL_PERMISSIONS = str((1 << 41) - 1)
NO_MANAGE_ROLES = str(((1 << 41) - 1) & ~(1 << 28))


def discord_config(standin) -> dict:
    return {"DISCORD_BOT_TOKEN": standin.token, "DISCORD_API_BASE_URL": standin.base_url}


def user_payload(user_id: str = USER, name: str = "taro") -> dict:
    return {"id": user_id, "username": name, "discriminator": "0", "global_name": f"{name}さん", "avatar": None,
            "public_flags": 0, "flags": 0}


def _base(issued: dict, kind: int, data: dict, *, guild: bool, user_id: str, channel_id: str,
          permissions: str) -> dict:
    payload = {"id": issued["id"], "application_id": issued["application_id"], "type": kind,
               "token": issued["token"], "version": 1, "data": data, "locale": "ja", "entitlements": [],
               "attachment_size_limit": 10 * 1024 * 1024, "app_permissions": permissions}
    if guild:
        payload.update(guild_id=GUILD, guild_locale="ja", context=0, channel_id=channel_id,
                       authorizing_integration_owners={"0": GUILD},
                       channel={"id": channel_id, "type": 0, "guild_id": GUILD, "name": "general", "position": 0,
                                "flags": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None},
                       member={"user": user_payload(user_id), "roles": [], "joined_at": "2026-01-05T00:00:00+00:00",
                               "deaf": False, "mute": False, "flags": 0, "pending": False, "nick": None,
                               "permissions": "1071698660929"})
    else:
        dm = "1600000000000000001"
        payload.update(context=1, channel_id=dm, user=user_payload(user_id),
                       authorizing_integration_owners={"0": "0"},
                       channel={"id": dm, "type": 1, "flags": 0, "recipients": [user_payload(user_id)]})
    return payload


def options_of(values: dict) -> list[dict]:
    return [{"name": k, "type": 3, "value": v} for k, v in values.items() if v is not None]


def slash_command(standin, name: str, sub: str | None = None, *, guild: bool = True, user_id: str = USER,
                  permissions: str = ALL_PERMISSIONS, **values) -> dict:
    """An APPLICATION_COMMAND interaction (as INTERACTION_CREATE carries it) the stand-in will accept."""
    options = options_of(values)
    if sub is not None:
        options = [{"name": sub, "type": 1, "options": options}]
    data = {"id": "1700000000000000001", "name": name, "type": 1, "options": options}
    issued = standin.issue_interaction(channel_id=TEXT_CHANNEL if guild else "1600000000000000001",
                                       guild_id=GUILD if guild else None)
    return _base(issued, 2, data, guild=guild, user_id=user_id, channel_id=TEXT_CHANNEL, permissions=permissions)


class Harness:
    """One logged-in bot per test; ``h.command("search", query="旋盤")`` etc."""

    def __init__(self, app, standin) -> None:
        self.app, self.standin = app, standin
        self.client: MonozukuriBot | None = None

    async def __aenter__(self) -> Harness:
        set_api_base(self.standin.base_url)
        self.client = MonozukuriBot(self.app, sync_commands=False, application_id=int(self.standin.application_id))
        await self.client.login(self.standin.token)
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.settle()
        await self.client.close()

    # -- payloads ------------------------------------------------------------------------------
    def issue(self, guild: bool = True, channel_id: str = TEXT_CHANNEL) -> dict:
        return self.standin.issue_interaction(channel_id=channel_id if guild else "1600000000000000001",
                                              guild_id=GUILD if guild else None)

    def command_payload(self, name: str, sub: str | None = None, **kwargs) -> dict:
        return slash_command(self.standin, name, sub, **kwargs)

    def component_payload(self, message: dict, custom_id: str, values: list[str] | None = None, *,
                          guild: bool = True, user_id: str = USER, permissions: str = ALL_PERMISSIONS) -> dict:
        data = {"custom_id": custom_id, "component_type": 3 if values is not None else 2}
        if values is not None:
            data["values"] = values
        payload = _base(self.issue(guild), 3, data, guild=guild, user_id=user_id,
                        channel_id=message.get("channel_id") or TEXT_CHANNEL, permissions=permissions)
        payload["message"] = message
        return payload

    def modal_payload(self, form: dict, answers: dict[str, str], *, guild: bool = True,
                      user_id: str = USER) -> dict:
        """A MODAL_SUBMIT for ``form`` (the modal the bot sent), answers by input label."""
        rows = []
        for component in form["components"]:
            inner = component.get("component") or component["components"][0]
            answer = {"type": 4, "custom_id": inner["custom_id"], "value": answers.get(inner.get("label"), "")}
            rows.append({"type": 18, "component": answer} if component["type"] == 18
                        else {"type": 1, "components": [answer]})
        data = {"custom_id": form["custom_id"], "components": rows}
        return _base(self.issue(guild), 5, data, guild=guild, user_id=user_id, channel_id=TEXT_CHANNEL,
                     permissions=ALL_PERMISSIONS)

    # -- running -------------------------------------------------------------------------------
    async def run_command(self, payload: dict) -> dict:
        """Through the command tree itself (awaited to the end)."""
        interaction = discord.Interaction(data=payload, state=self.client._connection)
        await self.client.tree._call(interaction)
        await self.settle()
        return payload

    async def command(self, name: str, sub: str | None = None, **kwargs) -> dict:
        return await self.run_command(self.command_payload(name, sub, **kwargs))

    async def dispatch(self, payload: dict) -> dict:
        """Through the gateway event handler, as an INTERACTION_CREATE would arrive."""
        self.client._connection.parse_interaction_create(payload)
        await self.settle()
        return payload

    async def settle(self) -> None:
        """Wait for discord.py's component/modal tasks to finish."""
        for _ in range(200):
            pending = [t for t in asyncio.all_tasks() if t.get_name().startswith(("discord-ui-", "discord.py:"))
                       and not t.done()]
            if not pending:
                await asyncio.sleep(0)
                return
            await asyncio.wait(pending, timeout=10)

    async def click(self, message: dict, label: str, **kwargs) -> dict:
        return await self.dispatch(self.component_payload(message, button(message, label)["custom_id"], **kwargs))

    async def choose(self, message: dict, option_label: str, **kwargs) -> dict:
        menu, option = select_option(message, option_label)
        return await self.dispatch(self.component_payload(message, menu["custom_id"], [option["value"]], **kwargs))

    async def press(self, message: dict, label: str, **kwargs) -> dict:
        """A button with ``label`` or, when the choices became a select menu, that option."""
        found = [c for c in components_of(message) if c.get("type") == 2 and label in (c.get("label") or "")]
        if found:
            return await self.click(message, label, **kwargs)
        return await self.choose(message, label, **kwargs)

    # -- what the user saw ---------------------------------------------------------------------
    def state(self, payload: dict) -> dict:
        return self.standin.interactions[payload["id"]]

    def original(self, payload: dict) -> dict | None:
        state = self.state(payload)
        return self.standin.messages.get(state["original_id"] or "")

    def replies(self, payload: dict) -> list[dict]:
        """Every message the interaction produced: the original answer, then follow-ups."""
        token = payload["token"]
        calls = [c for c in self.standin.calls if token in c.path and c.method in ("POST", "PATCH")
                 and 200 <= c.status < 300 and isinstance(c.response_json, dict) and "id" in c.response_json]
        ids = []
        original = self.original(payload)
        if original is not None:
            ids.append(original["id"])
        ids += [c.response_json["id"] for c in calls if c.response_json["id"] not in ids]
        return [self.standin.messages[i] for i in ids if i in self.standin.messages]

    def text(self, payload: dict) -> str:
        """All content, embed titles/descriptions and component labels of the replies."""
        return "\n".join(message_text(m) for m in self.replies(payload))


def message_text(message: dict) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or "", (embed.get("author") or {}).get("name", "")]
    parts += [c.get("label") or "" for c in components_of(message)]
    parts += [o["label"] for c in components_of(message) for o in c.get("options") or []]
    return "\n".join(p for p in parts if p)


def components_of(message: dict) -> list[dict]:
    return [c for row in message.get("components") or [] for c in row.get("components") or []]


def button(message: dict, label: str) -> dict:
    found = [c for c in components_of(message) if c.get("type") == 2 and label in (c.get("label") or "")]
    assert found, f"no button {label!r} in {[c.get('label') for c in components_of(message)]}"
    return found[0]


def select_option(message: dict, label: str) -> tuple[dict, dict]:
    for component in components_of(message):
        for option in component.get("options") or []:
            if label in option["label"]:
                return component, option
    raise AssertionError(f"no select option {label!r} in message {message.get('id')}")


def sent_payload_problems(standin) -> list[str]:
    """Discord-limit violations in every message body the bot sent (independent of the spec check)."""
    out = []
    for call in standin.calls:
        body = call.json if isinstance(call.json, dict) else None
        if body is None or call.method not in ("POST", "PATCH"):
            continue
        message = body.get("data") if "type" in body and isinstance(body.get("data"), dict) else body
        if call.operation_id in ("create_interaction_response",) and body.get("type") not in (4, 7):
            continue
        if any(k in message for k in ("content", "embeds", "components")) and "custom_id" not in message:
            out += [f"{call.operation_id}: {v}" for v in violations(message) if v != "empty message"]
    return out


def make_event(session, kind: str = "workshop", capacity: int = 10, days: int = 10, title: str = "ミニ万華鏡をつくろう",
               category: str = "local", **fields):
    """A public event (with its published article) that takes applications."""
    from datetime import timedelta

    from content.models import Article
    from core.db import utcnow
    from events.models import Event

    fields.setdefault("starts_at", utcnow() + timedelta(days=days))
    fields.setdefault("deadline", fields["starts_at"] - timedelta(days=2))
    event = Event(kind=kind, title=title, capacity=capacity, place=fields.pop("place", "大田区産業プラザPiO"), **fields)
    event.article = Article(slug=f"event-{kind}-{days}-{capacity}-{abs(hash(title)) % 10000}", title=title,
                            category=category, status="published", published_at=utcnow() - timedelta(days=1))
    session.add(event)
    session.commit()
    return event


def member(client, user_id: str = USER, bot: bool = False) -> discord.Member:
    guild = client._connection._get_or_create_unavailable_guild(int(GUILD))
    data = {"user": {**user_payload(user_id), "bot": bot}, "roles": [], "joined_at": "2026-11-28T00:00:00+00:00",
            "deaf": False, "mute": False, "flags": 0}
    return discord.Member(data=data, guild=guild, state=client._connection)


async def settle_events() -> None:
    for _ in range(100):
        pending = [t for t in asyncio.all_tasks() if t.get_name().startswith("discord.py:") and not t.done()]
        if not pending:
            return
        await asyncio.wait(pending, timeout=10)
