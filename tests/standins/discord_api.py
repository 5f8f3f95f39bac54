"""A local stand-in for Discord's v10 REST API.

Point discord.py at it (``Route.BASE`` is a class attribute that every
``Route`` concatenates with its path, see discord/http.py)::

    with DiscordStandin() as discord_api:
        discord.http.Route.BASE = f"{discord_api.base_url}/api/v10"
        http = discord.http.HTTPClient()
        await http.static_login(discord_api.token)

Every request is validated against shared/specs/discord/openapi.json
(OpenAPI 3.1, JSON Schema 2020-12) plus two documented limits the schema
lacks; violations get Discord's ``50035 Invalid Form Body`` answer and are
recorded in ``validation_errors``.
"""
from __future__ import annotations

import functools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from . import discord_components_rules, discord_interactions, discord_resources  # noqa: F401 (registers handlers)
from .http_standin import RecordedCall, RejectedRequest, Reply, StandinServer
from .openapi_samples import sample_response
from .openapi_validation import Match, OpenApiSpec, Violation
from .specs import specs_dir

DISCORD_EPOCH_MS = 1_420_070_400_000
# Documented at discord.com/developers/docs/resources/message#create-message
# and .../message#embed-object-embed-limits. The spec allows content up to
# 4000 (the Nitro limit for users); bots are limited to 2000. The spec has no
# way to express the 6000-character total over all embeds.
CONTENT_MAX = 2000
EMBEDS_TOTAL_MAX = 6000
_DISCORD_CODES = {
    "maxLength": ("BASE_TYPE_MAX_LENGTH", "Must be {limit} or fewer in length."),
    "minLength": ("BASE_TYPE_MIN_LENGTH", "Must be {limit} or more in length."),
    "maxItems": ("BASE_TYPE_MAX_LENGTH", "Must be {limit} or fewer in length."),
    "minItems": ("BASE_TYPE_MIN_LENGTH", "Must be {limit} or more in length."),
    "required": ("BASE_TYPE_REQUIRED", "This field is required"),
    "maximum": ("NUMBER_TYPE_MAX", "Int value should be less than or equal to {limit}."),
    "minimum": ("NUMBER_TYPE_MIN", "Int value should be greater than or equal to {limit}."),
    "enum": ("BASE_TYPE_CHOICES", "Value must be one of {limit}."),
    "discord-doc:embeds-total": ("MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of {limit}"),
    "discord-doc:content": ("BASE_TYPE_MAX_LENGTH", "Must be {limit} or fewer in length."),
    "discord-doc:action-rows": ("BASE_TYPE_MAX_LENGTH", "Must be {limit} or fewer in length."),
    "discord-doc:duplicate-custom-id": ("COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"),
}


@functools.lru_cache(maxsize=1)
def discord_spec() -> OpenApiSpec:
    with open(specs_dir() / "discord" / "openapi.json", encoding="utf-8") as fh:
        doc = json.load(fh)
    # The real API accepts snowflakes as JSON integers as well as strings
    # (discord.py sends `attachments[].id` as the integer file index); the
    # spec only says string. Widen the one shared SnowflakeType schema
    # (`pattern` applies to strings only, `minimum` to integers only).
    snowflake = doc["components"]["schemas"]["SnowflakeType"]
    snowflake["type"] = ["string", "integer"]
    snowflake["minimum"] = 0
    return OpenApiSpec({"https://standin.invalid/discord/openapi.json": doc}, dialect="3.1")


def error(status: int, code: int, message: str) -> Reply:
    return Reply(status, {"code": code, "message": message})


def documented_limits(body: Any) -> list[Violation]:
    """Limits Discord documents for message payloads but the spec lacks."""
    if not isinstance(body, dict):
        return []
    out = []
    content = body.get("content")
    if isinstance(content, str) and len(content) > CONTENT_MAX:
        out.append(Violation("body", ("content",), f"length must be at most {CONTENT_MAX} (got {len(content)})",
                             "discord-doc:content", CONTENT_MAX))
    total = sum(embed_length(e) for e in body.get("embeds") or [] if isinstance(e, dict))
    if total > EMBEDS_TOTAL_MAX:
        out.append(Violation("body", ("embeds",), f"embeds total {total} characters (max {EMBEDS_TOTAL_MAX})",
                             "discord-doc:embeds-total", EMBEDS_TOTAL_MAX))
    return out


def embed_length(embed: dict) -> int:
    """Characters Discord counts towards the 6000 limit."""
    def text(value: Any) -> int:
        return len(value) if isinstance(value, str) else 0
    total = text(embed.get("title")) + text(embed.get("description"))
    total += text((embed.get("footer") or {}).get("text")) + text((embed.get("author") or {}).get("name"))
    for item in embed.get("fields") or []:
        if isinstance(item, dict):
            total += text(item.get("name")) + text(item.get("value"))
    return total


def form_errors(violations: list[Violation]) -> dict:
    """Discord's nested ``errors`` object: {"embeds": {"0": {"title": {"_errors": [...]}}}}."""
    tree: dict = {}
    for v in violations:
        node = tree
        for part in v.path:
            node = node.setdefault(str(part), {})
        code, template = _DISCORD_CODES.get(v.keyword, ("BASE_TYPE_INVALID", "{message}"))
        message = template.format(limit=v.limit, message=v.message)
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return tree


@dataclass
class DCtx:
    call: RecordedCall
    match: Match
    body: Any  # JSON body, or payload_json of a multipart body
    files: list = field(default_factory=list)  # (filename, content type, size) of uploads

    @property
    def params(self) -> dict[str, str]:
        return self.match.path_params


class DiscordStandin(StandinServer):
    """Constructor args: ``token`` (bot token), ``application_id``."""

    path_prefix = "/api/v10"

    def __init__(self, token: str = "test-discord-bot-token", *,
                 application_id: str = "1100000000000000001") -> None:
        super().__init__()
        self.token = token
        self.application_id = application_id
        self.spec = discord_spec()
        self.bot_user = {"id": application_id, "username": "standin-bot", "avatar": None,
                         "discriminator": "4242", "public_flags": 0, "flags": 0, "global_name": "Standin Bot",
                         "primary_guild": None, "bot": True}
        self.channels: dict[str, dict] = {}
        # Servers the bot is a member of (add_guild, or implied by add_channel), and servers
        # that exist but the bot is not in (leave_guild): guild routes answer 403 Missing
        # Access for those and 404 Unknown Guild for ids that exist nowhere.
        self.guilds: dict[str, dict] = {}
        self.foreign_guilds: set[str] = set()
        self.forbidden_channels: set[str] = set()
        self.messages: dict[str, dict] = {}  # message id -> message object
        self.roles: dict[str, list[dict]] = {}  # guild id -> roles
        self.scheduled_events: dict[str, dict] = {}
        self.commands: dict[tuple[str, str | None], list[dict]] = {}  # (app id, guild id) -> commands
        self.interactions: dict[str, dict] = {}  # interaction id -> state
        self.gateway_url: str | None = None  # set by a DiscordGateway attached to this stand-in
        self._snowflake_lock = threading.Lock()
        self._increment = 0

    # -- public helpers --------------------------------------------------------
    def snowflake(self) -> str:
        with self._snowflake_lock:
            self._increment = (self._increment + 1) % 4096
            millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
            return str((millis << 22) | (1 << 17) | self._increment)

    def add_guild(self, guild_id: str, name: str | None = None) -> dict:
        """A server the bot is a member of (named as in Discord's server list)."""
        guild = self.guilds.setdefault(str(guild_id), {"id": str(guild_id), "name": name or f"server-{guild_id}"})
        if name:
            guild["name"] = name
        self.foreign_guilds.discard(str(guild_id))
        return guild

    def leave_guild(self, guild_id: str) -> None:
        """The bot was removed from the server (the server still exists)."""
        self.guilds.pop(str(guild_id), None)
        self.foreign_guilds.add(str(guild_id))

    def add_role(self, guild_id: str, role_id: str, name: str, *, mentionable: bool = False, position: int = 1,
                 managed: bool = False) -> dict:
        """A role of a server (the server's @everyone role is always listed first)."""
        role = {"id": str(role_id), "name": name, "permissions": "0", "position": position, "color": 0,
                "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                "hoist": False, "managed": managed, "mentionable": mentionable, "icon": None, "unicode_emoji": None,
                "flags": 0}
        self.roles.setdefault(str(guild_id), []).append(role)
        return role

    def add_channel(self, channel_id: str, type: int = 0, guild_id: str = "1200000000000000001",
                    name: str | None = None, **extra: Any) -> dict:
        """Register a channel (0 = text, 4 = category, 5 = announcement, 11 = thread...);
        the bot sees it, so it is a member of the channel's server."""
        if str(guild_id) not in self.foreign_guilds:
            self.add_guild(str(guild_id))
        channel = {"id": str(channel_id), "type": type, "guild_id": str(guild_id),
                   "name": name or f"channel-{channel_id}", "position": 0, "flags": 0,
                   "parent_id": None, "nsfw": False, "permission_overwrites": [], **extra}
        self.channels[str(channel_id)] = channel
        return channel

    def issue_interaction(self, channel_id: str | None = None, guild_id: str | None = None) -> dict:
        """Make an interaction the stand-in will accept callbacks for;
        returns {"id", "token", "application_id"}."""
        interaction_id = self.snowflake()
        token = f"aW50ZXJhY3Rpb246{interaction_id}standin"
        with self._lock:
            self.interactions[interaction_id] = {"token": token, "channel_id": channel_id, "guild_id": guild_id,
                                                 "response": None, "original_id": None, "issued_at": self.now()}
        return {"id": interaction_id, "token": token, "application_id": self.application_id}

    def messages_in(self, channel_id: str) -> list[dict]:
        with self._lock:
            return [m for m in self.messages.values() if m["channel_id"] == str(channel_id)]

    # -- pipeline ---------------------------------------------------------------------
    def handle(self, request, call: RecordedCall) -> Reply:
        reply = self._process(request, call)
        if 200 <= reply.status < 300:
            reply.headers.update(self._ratelimit_headers(call, remaining=4, reset_after=1.0))
        return reply

    def _process(self, request, call: RecordedCall) -> Reply:
        if not request.path.startswith(self.path_prefix + "/"):
            return error(404, 0, "404: Not Found")
        match, allowed = self.spec.match(call.method, call.path)
        if match is None:
            return error(405, 0, "405: Method Not Allowed") if allowed else error(404, 0, "404: Not Found")
        call.operation_id = match.operation.operation_id
        if self._needs_bot_auth(match) and call.header("Authorization") != f"Bot {self.token}":
            return error(401, 0, "401: Unauthorized")
        body, violations = self._check_request(request, call, match)
        if violations:
            with self._lock:
                self.validation_errors.append(RejectedRequest(call.method, call.path, call.operation_id,
                                                              violations))
            return Reply(400, {"code": 50035, "message": "Invalid Form Body", "errors": form_errors(violations)})
        fault = self.take_fault(call.path)
        if fault is not None and not fault.after_delivery:
            return self._fault_reply(call, fault)
        files = [(f.filename, f.mimetype, len(f.read())) for f in request.files.values()]
        ctx = DCtx(call, match, body, files)
        with self._lock:
            reply = self._dispatch(ctx)
        if fault is not None and 200 <= reply.status < 300:
            return self._fault_reply(call, fault)
        self._check_answer(ctx, reply)
        return reply

    def _needs_bot_auth(self, match: Match) -> bool:
        # Interaction callbacks and webhook-token routes declare `{}` (no
        # auth) as an alternative: the token in the path authenticates.
        security = match.operation.op.get("security")
        return not (security is not None and any(req == {} for req in security))

    def _check_request(self, request, call: RecordedCall, match: Match) -> tuple[Any, list[Violation]]:
        violations = self.spec.check_parameters(match, call.query, call.headers)
        if not self.spec.request_media_types(match):
            return None, violations
        content_type = request.headers.get("Content-Type", "")
        media = self.spec.pick_media_type(match, content_type)
        if media is None:
            return None, violations + [Violation("content-type", (), f"unsupported content type {content_type!r}",
                                                 "contentType")]
        body = call.json
        if media == "multipart/form-data":
            raw = request.form.get("payload_json")
            body = json.loads(raw) if raw else {}
        if body is None:
            if not self.spec.body_required(match) and not call.body_bytes:
                return None, violations
            return None, violations + [Violation("body", (), "The request body contains invalid JSON.", "json")]
        violations += self.spec.check_body(match, media, body)
        op_id = match.operation.operation_id
        if op_id in discord_resources.MESSAGE_PAYLOAD_OPS:
            violations += documented_limits(body)
        if op_id in discord_resources.MESSAGE_PAYLOAD_OPS or op_id == "create_thread":
            violations += discord_components_rules.check_payload(op_id, body)
        return body, violations

    def _ratelimit_headers(self, call: RecordedCall, remaining: int, reset_after: float) -> dict[str, str]:
        bucket = format(abs(hash((call.method, call.operation_id))) % 16**16, "016x")
        return {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}", "X-RateLimit-Bucket": bucket}

    def _fault_reply(self, call: RecordedCall, fault) -> Reply:
        if fault.status == 429:
            # discord.py treats a 429 without `Via` as a Cloudflare ban and
            # raises instead of retrying (discord/http.py, HTTPClient.request).
            retry_after = 0.05 if fault.retry_after is None else fault.retry_after
            headers = self._ratelimit_headers(call, remaining=0, reset_after=retry_after)
            headers.update({"Retry-After": f"{retry_after}", "X-RateLimit-Scope": "user", "Via": "1.1 google"})
            body = {"code": 0, "message": "You are being rate limited.", "retry_after": retry_after, "global": False}
            return Reply(429, body, headers)
        if fault.status == 403:
            return error(403, 50013, "Missing Permissions")
        if fault.status >= 500:
            return error(fault.status, 0, f"{fault.status}: Internal Server Error")
        return error(fault.status, 0, f"{fault.status}: injected fault")

    def _check_answer(self, ctx: DCtx, reply: Reply) -> None:
        if reply.body is None or isinstance(reply.body, bytes):
            return
        problems = self.spec.check_response(ctx.match, reply.status, reply.body)
        if problems:
            with self._lock:
                self.response_errors.append(f"{ctx.call.operation_id} {reply.status}: {problems}")

    def _dispatch(self, ctx: DCtx) -> Reply:
        handler = discord_resources.HANDLERS.get(ctx.match.operation.operation_id)
        if handler is not None:
            return handler(self, ctx)
        status, body = sample_response(self.spec, ctx.match)
        return Reply(status, body)
