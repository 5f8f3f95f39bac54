"""Handlers of the Discord stand-in, by operationId: ``(standin, ctx) -> Reply``.

They run under the stand-in's lock and keep just enough state (channels,
messages, threads, events, commands, interactions) for the answers to be
consistent and for the error cases bots must handle to be realistic:
Unknown Channel/Message, Missing Permissions, crossposting twice, a second
thread on the same message, acknowledging an interaction twice.
Objects are built to satisfy the spec's response schemas; the stand-in
checks every answer against them (``response_errors``).
"""
from __future__ import annotations

import datetime
from typing import Any

from .http_standin import Reply

HANDLERS: dict = {}
# Operations whose body is a message payload (content/embeds limits apply).
MESSAGE_PAYLOAD_OPS = {"create_message", "update_message", "execute_webhook", "update_original_webhook_message",
                       "update_webhook_message", "create_interaction_response"}
CROSSPOSTED, LOADING = 1 << 0, 1 << 7  # message flags
ANNOUNCEMENT, PUBLIC_THREAD, ANNOUNCEMENT_THREAD = 5, 11, 10  # channel types


def handler(op_id: str):
    def register(fn):
        HANDLERS[op_id] = fn
        return fn
    return register


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()


def err(status: int, code: int, message: str) -> Reply:
    return Reply(status, {"code": code, "message": message})


def channel_or_error(standin, channel_id: str) -> tuple[dict | None, Reply | None]:
    if channel_id in standin.forbidden_channels:
        return None, err(403, 50013, "Missing Permissions")
    channel = standin.channels.get(channel_id)
    if channel is None:
        return None, err(404, 10003, "Unknown Channel")
    return channel, None


def message_or_error(standin, channel_id: str, message_id: str) -> tuple[dict | None, Reply | None]:
    message = standin.messages.get(message_id)
    if message is None or message["channel_id"] != channel_id:
        return None, err(404, 10008, "Unknown Message")
    return message, None


def _with_ids(components: list, counter: list[int]) -> list:
    """Response components carry a numeric ``id``; requests may omit it."""
    out = []
    for component in components:
        if not isinstance(component, dict):
            continue
        counter[0] += 1
        item = {"id": counter[0], **component}
        if item.get("type") in (3, 5, 6, 7, 8):  # selects: Discord answers with its defaults filled in
            item.setdefault("min_values", 1)
            item.setdefault("max_values", 1)
        if isinstance(item.get("components"), list):
            item["components"] = _with_ids(item["components"], counter)
        out.append(item)
    return out


def build_message(standin, channel_id: str, body: dict, **extra: Any) -> dict:
    embeds = [{**{k: v for k, v in e.items() if v is not None}, "type": e.get("type") or "rich"}
              for e in body.get("embeds") or []]
    message = {
        "id": standin.snowflake(), "type": 0, "channel_id": channel_id, "author": dict(standin.bot_user),
        "content": body.get("content") or "", "embeds": embeds,
        "components": _with_ids(body.get("components") or [], [0]),
        "attachments": [], "mentions": [], "mention_roles": [], "pinned": False, "mention_everyone": False,
        "tts": bool(body.get("tts")), "timestamp": now(), "edited_timestamp": None, "flags": body.get("flags") or 0,
    }
    reference = body.get("message_reference")
    if isinstance(reference, dict) and reference.get("message_id"):
        message["type"] = 19  # REPLY
        message["message_reference"] = {"type": 0, "channel_id": reference.get("channel_id") or channel_id,
                                        "message_id": str(reference["message_id"])}
    message.update(extra)
    standin.messages[message["id"]] = message
    return message


def edit_message(message: dict, body: dict) -> dict:
    for key in ("content", "embeds", "components", "flags"):
        if key in body and body[key] is not None:
            message[key] = body[key] if key != "embeds" else [{**e, "type": e.get("type") or "rich"}
                                                               for e in body[key]]
    message["components"] = _with_ids(message["components"], [0])
    message["flags"] = message.get("flags", 0) & ~LOADING
    message["edited_timestamp"] = now()
    return message


# -- users, gateway, channels ------------------------------------------------------------
@handler("get_my_user")
def get_my_user(standin, ctx) -> Reply:
    return Reply(200, {**standin.bot_user, "mfa_enabled": True, "locale": "en-US", "verified": True,
                       "email": None})


@handler("get_my_oauth2_application")
def get_my_application(standin, ctx) -> Reply:
    """The bot's own application, with the fields discord.py's ``Client.login`` reads
    (``AppInfo``): what Discord answers a bot token, so no test needs to patch login."""
    from .openapi_samples import sample_response

    _, body = sample_response(standin.spec, ctx.match)
    owner = {k: v for k, v in standin.bot_user.items() if k != "bot"} | {"id": "1400000000000000999",
                                                                        "username": "owner", "global_name": "Owner"}
    body.update(id=standin.application_id, name=standin.bot_user["username"], icon=None, description="",
                bot_public=False, bot_require_code_grant=False, verify_key="ab" * 32, flags=1 << 19,
                owner=owner, team=None, rpc_origins=[], interactions_endpoint_url=None, redirect_uris=[],
                bot=dict(standin.bot_user))
    return Reply(200, body)


@handler("get_bot_gateway")
def get_bot_gateway(standin, ctx) -> Reply:
    # The gateway stand-in, when one is attached (discord_gateway.py); else a URL of the right shape.
    url = standin.gateway_url or f"ws://127.0.0.1:{standin.port}/gateway"
    return Reply(200, {"url": url, "shards": 1,
                       "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14_400_000,
                                               "max_concurrency": 1}})


@handler("get_channel")
def get_channel(standin, ctx) -> Reply:
    channel, refusal = channel_or_error(standin, ctx.params["channel_id"])
    return refusal or Reply(200, channel)


# -- guilds ---------------------------------------------------------------------------------
THREAD_TYPES = (10, 11, 12)  # GET /guilds/{id}/channels leaves threads out (they have their own routes)


def guild_or_error(standin, guild_id: str) -> tuple[dict | None, Reply | None]:
    """Discord answers 403 Missing Access for a server the bot is not in, 404 for no server at all."""
    guild = standin.guilds.get(guild_id)
    if guild is not None:
        return guild, None
    if guild_id in standin.foreign_guilds:
        return None, err(403, 50001, "Missing Access")
    return None, err(404, 10004, "Unknown Guild")


@handler("list_my_guilds")
def list_my_guilds(standin, ctx) -> Reply:
    """The servers the bot is in, by id; ``before``/``after``/``limit`` (1–200, default 200) page them."""
    query = {k: v[0] for k, v in ctx.call.query.items() if v}
    ids = sorted(standin.guilds, key=int)
    if "after" in query:
        ids = [i for i in ids if int(i) > int(query["after"])]
    if "before" in query:
        ids = [i for i in ids if int(i) < int(query["before"])]
    limit = int(query.get("limit", 200))
    guilds = [{"id": i, "name": standin.guilds[i]["name"], "icon": None, "banner": None, "owner": False,
               "permissions": "2248473465835073", "features": []} for i in ids[:limit]]
    return Reply(200, guilds)


@handler("list_guild_channels")
def list_guild_channels(standin, ctx) -> Reply:
    guild_id = ctx.params["guild_id"]
    _, refusal = guild_or_error(standin, guild_id)
    if refusal:
        return refusal
    return Reply(200, [c for c in standin.channels.values()
                       if c["guild_id"] == guild_id and c["type"] not in THREAD_TYPES])


@handler("list_guild_roles")
def list_guild_roles(standin, ctx) -> Reply:
    guild_id = ctx.params["guild_id"]
    _, refusal = guild_or_error(standin, guild_id)
    if refusal:
        return refusal
    everyone = {"id": guild_id, "name": "@everyone", "permissions": "1071698660929", "position": 0, "color": 0,
                "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                "hoist": False, "managed": False, "mentionable": False, "icon": None, "unicode_emoji": None,
                "flags": 0}
    roles = [r for r in standin.roles.get(guild_id, []) if r["id"] != guild_id]
    return Reply(200, [everyone, *roles])


# -- messages ---------------------------------------------------------------------------------
@handler("create_message")
def create_message(standin, ctx) -> Reply:
    channel_id = ctx.params["channel_id"]
    channel, refusal = channel_or_error(standin, channel_id)
    if refusal:
        return refusal
    if not any(ctx.body.get(k) for k in ("content", "embeds", "components", "sticker_ids", "poll")) \
            and not ctx.files:
        return err(400, 50006, "Cannot send an empty message")
    message = build_message(standin, channel_id, ctx.body)
    message["attachments"] = [{"id": standin.snowflake(), "filename": name, "size": size,
                               "url": f"https://cdn.discordapp.com/attachments/{channel_id}/{name}",
                               "proxy_url": f"https://media.discordapp.net/attachments/{channel_id}/{name}",
                               "content_type": mime} for name, mime, size in ctx.files]
    return Reply(200, message)


@handler("get_message")
def get_message(standin, ctx) -> Reply:
    message, refusal = message_or_error(standin, ctx.params["channel_id"], ctx.params["message_id"])
    return refusal or Reply(200, message)


@handler("update_message")
def update_message(standin, ctx) -> Reply:
    message, refusal = message_or_error(standin, ctx.params["channel_id"], ctx.params["message_id"])
    return refusal or Reply(200, edit_message(message, ctx.body))


@handler("delete_message")
def delete_message(standin, ctx) -> Reply:
    message, refusal = message_or_error(standin, ctx.params["channel_id"], ctx.params["message_id"])
    if refusal:
        return refusal
    del standin.messages[message["id"]]
    return Reply(204)


@handler("crosspost_message")
def crosspost_message(standin, ctx) -> Reply:
    channel, refusal = channel_or_error(standin, ctx.params["channel_id"])
    if refusal:
        return refusal
    message, refusal = message_or_error(standin, channel["id"], ctx.params["message_id"])
    if refusal:
        return refusal
    if channel["type"] != ANNOUNCEMENT:
        return err(400, 50024, "Cannot execute action on this channel type")
    if message["flags"] & CROSSPOSTED:
        return err(400, 40033, "This message has already been crossposted.")
    message["flags"] |= CROSSPOSTED
    return Reply(200, message)


# -- threads ------------------------------------------------------------------------------------
def _thread(standin, parent: dict, thread_id: str, body: dict, thread_type: int) -> dict:
    thread = {
        "id": thread_id, "type": thread_type, "flags": 0, "guild_id": parent["guild_id"], "name": body["name"],
        "parent_id": parent["id"], "owner_id": standin.bot_user["id"], "last_message_id": None,
        "rate_limit_per_user": body.get("rate_limit_per_user") or 0, "message_count": 0, "member_count": 1,
        "total_message_sent": 0,
        "thread_metadata": {"archived": False, "archive_timestamp": now(), "locked": False,
                            "auto_archive_duration": body.get("auto_archive_duration") or 1440,
                            "create_timestamp": now()},
    }
    standin.channels[thread_id] = thread
    return thread


@handler("create_thread_from_message")
def create_thread_from_message(standin, ctx) -> Reply:
    parent, refusal = channel_or_error(standin, ctx.params["channel_id"])
    if refusal:
        return refusal
    message, refusal = message_or_error(standin, parent["id"], ctx.params["message_id"])
    if refusal:
        return refusal
    if message["id"] in standin.channels:  # a thread's id is its starter message's id
        return err(400, 160004, "A thread has already been created for this message")
    kind = ANNOUNCEMENT_THREAD if parent["type"] == ANNOUNCEMENT else PUBLIC_THREAD
    thread = _thread(standin, parent, message["id"], ctx.body, kind)
    message["thread"] = thread
    return Reply(201, thread)


@handler("create_thread")
def create_thread(standin, ctx) -> Reply:
    parent, refusal = channel_or_error(standin, ctx.params["channel_id"])
    if refusal:
        return refusal
    thread = _thread(standin, parent, standin.snowflake(), ctx.body, ctx.body.get("type") or 12)
    if isinstance(ctx.body.get("message"), dict):  # forum/media post: thread with a first message
        first = build_message(standin, thread["id"], ctx.body["message"], id=thread["id"])
        standin.messages[thread["id"]] = first
        return Reply(201, {**thread, "message": first})
    return Reply(201, thread)


# -- scheduled events ------------------------------------------------------------------------------
@handler("create_guild_scheduled_event")
def create_event(standin, ctx) -> Reply:
    guild_id, body = ctx.params["guild_id"], ctx.body
    event = {"id": standin.snowflake(), "guild_id": guild_id, "name": body["name"],
             "description": body.get("description"), "channel_id": body.get("channel_id"),
             "creator_id": standin.bot_user["id"], "creator": dict(standin.bot_user), "image": None,
             "scheduled_start_time": body["scheduled_start_time"],
             "scheduled_end_time": body.get("scheduled_end_time"), "status": 1,
             "entity_type": body["entity_type"], "entity_id": None,
             "entity_metadata": body.get("entity_metadata"), "recurrence_rule": None,
             "privacy_level": body.get("privacy_level", 2), "guild_scheduled_event_exceptions": [],
             "user_count": 0}
    standin.scheduled_events[event["id"]] = event
    return Reply(200, event)


def _event_or_error(standin, ctx) -> tuple[dict | None, Reply | None]:
    event = standin.scheduled_events.get(ctx.params["guild_scheduled_event_id"])
    if event is None or event["guild_id"] != ctx.params["guild_id"]:
        return None, err(404, 10070, "Unknown Guild Scheduled Event")
    return event, None


@handler("get_guild_scheduled_event")
def get_event(standin, ctx) -> Reply:
    event, refusal = _event_or_error(standin, ctx)
    return refusal or Reply(200, event)


@handler("list_guild_scheduled_events")
def list_events(standin, ctx) -> Reply:
    guild_id = ctx.params["guild_id"]
    return Reply(200, [e for e in standin.scheduled_events.values() if e["guild_id"] == guild_id])


@handler("update_guild_scheduled_event")
def update_event(standin, ctx) -> Reply:
    event, refusal = _event_or_error(standin, ctx)
    if refusal:
        return refusal
    event.update({k: v for k, v in ctx.body.items() if k != "image"})
    return Reply(200, event)


@handler("delete_guild_scheduled_event")
def delete_event(standin, ctx) -> Reply:
    event, refusal = _event_or_error(standin, ctx)
    if refusal:
        return refusal
    del standin.scheduled_events[event["id"]]
    return Reply(204)
