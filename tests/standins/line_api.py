"""A local stand-in for the LINE Messaging API (api.line.me + api-data.line.me).

Point the real SDK at it::

    with LineStandin() as line:
        config = Configuration(host=line.base_url, access_token=line.access_token)
        with ApiClient(config) as client:
            MessagingApi(client).push_message(PushMessageRequest(...))
        assert line.delivered_to(user_id) == 1

Every request is checked against messaging-api.yml, insight.yml,
manage-audience.yml and liff.yml (see openapi_validation.py) plus the limits
LINE documents but the spec omits (line_limits.py, liff_resources.py). A
violating request gets a LINE-style 400 and is appended to ``validation_errors``.
LINE Login's ID token verification (``POST /oauth2/v2.1/verify``, used by the
LIFF pages) is served too (line_login.py; ``issue_id_token`` makes tokens).
"""
from __future__ import annotations

import base64
import datetime
import functools
import secrets
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import liff_resources, line_limits, line_login, line_resources, line_rules
from .http_standin import RecordedCall, RejectedRequest, Reply, StandinServer
from .openapi_samples import sample_response
from .openapi_validation import Match, OpenApiSpec, Violation
from .specs import specs_dir

SPEC_FILES = ("messaging-api.yml", "insight.yml", "manage-audience.yml", "liff.yml")
AUTH_FAILED = "Authentication failed. Confirm that the access token in the authorization header is valid."
# Operations whose request body carries message objects.
MESSAGE_OPS = {"replyMessage", "pushMessage", "multicast", "broadcast", "narrowcast",
               "validateReply", "validatePush", "validateMulticast", "validateNarrowcast",
               "validateBroadcast"}
RETRY_KEY_OPS = {"pushMessage", "multicast", "narrowcast", "broadcast"}
QUOTABLE_TYPES = {"text", "textV2", "sticker", "image", "video"}
REPLY_TOKEN_TTL = 60  # seconds: "reply tokens must be used within one minute of the event"


@functools.lru_cache(maxsize=1)
def line_spec() -> OpenApiSpec:
    """The LINE documents, loaded and prepared once per process."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs = {}
    for name in SPEC_FILES:
        with open(specs_dir() / "line" / name, encoding="utf-8") as fh:
            docs[f"https://standin.invalid/line/{name}"] = yaml.load(fh, Loader=loader)
    return OpenApiSpec(docs, dialect="3.0")


@dataclass
class Sent:
    """One accepted send request (what the bot asked LINE to deliver)."""

    kind: str  # reply, push, multicast, broadcast, narrowcast
    recipients: list[str]
    messages: list[dict]
    retry_key: str | None
    request_id: str
    sent_messages: list[dict] = field(default_factory=list)
    aggregation_units: list[str] = field(default_factory=list)


@dataclass
class Ctx:
    """What a handler needs to know about the request."""

    call: RecordedCall
    match: Match
    request_id: str
    content_type: str

    @property
    def params(self) -> dict[str, str]:
        return self.match.path_params

    @property
    def body(self) -> Any:
        return self.call.json

    @property
    def retry_key(self) -> str | None:
        return self.call.header("X-Line-Retry-Key")


class LineStandin(StandinServer):
    """Constructor args: ``access_token``, ``quota_limit`` (None = no
    limit; default 5000, the Light plan), ``strict_ids`` (reject malformed
    user/group/room IDs as LINE does)."""

    def __init__(self, access_token: str = "test-channel-access-token", *,
                 quota_limit: int | None = 5000, strict_ids: bool = True) -> None:
        super().__init__()
        self.access_token = access_token
        self.spec = line_spec()
        self.quota_limit = quota_limit
        self.strict_ids = strict_ids
        self.profiles: dict[str, dict] = {}
        self.followers: list[str] = []  # broadcast/narrowcast recipients
        self.deliveries: Counter = Counter()  # (retry_key or None, recipient) -> count
        self.outbox: list[Sent] = []
        self.message_contents: dict[str, tuple[str, bytes]] = {}
        self.bot_info = {"userId": "U" + "b0" * 16, "basicId": "@123standin", "displayName": "テストBot",
                         "pictureUrl": "https://profile.line-scdn.net/standin-bot", "chatMode": "bot",
                         "markAsReadMode": "auto"}
        self.rich_menus = line_resources.RichMenuStore()
        self.login_channel_id = "2000000001"  # the LINE Login channel owning the LIFF apps
        self.liff_apps: dict[str, dict] = {}
        self.id_tokens = line_login.IdTokenIssuer()
        self.verified_tokens: list[dict] = []
        self.aggregation_units: list[str] = []
        self._reply_tokens: dict[str, tuple[str | None, float]] = {}  # token -> (user, issued at)
        self._used_reply_tokens: set[str] = set()
        self._accepted_retry_keys: dict[str, tuple[str, list]] = {}
        self._message_seq = 600_000_000_000_000_000

    # -- public helpers --------------------------------------------------------
    def issue_reply_token(self, user_id: str | None = None) -> str:
        """A fresh reply token (valid once), optionally tied to a user so
        that replies count in ``delivered_to(user_id)``."""
        token = secrets.token_hex(16)
        self.register_reply_token(token, user_id)
        return token

    def register_reply_token(self, token: str, user_id: str | None = None) -> None:
        """Accept ``token`` for one reply within REPLY_TOKEN_TTL seconds from now (see ``advance``)."""
        with self._lock:
            self._reply_tokens[token] = (user_id, self.now())

    def issue_id_token(self, user_id: str, nonce: str | None, *, aud: str | None = None, lifetime: int = 3600,
                       name: str = "山田 太郎") -> str:
        """An ID token as the LIFF SDK would hand it to a page (for ``login_channel_id`` by default)."""
        return self.id_tokens.issue(user_id, aud or self.login_channel_id, nonce, self.now(), lifetime=lifetime,
                                    name=name)

    def delivered_to(self, user_id: str) -> int:
        with self._lock:
            return sum(n for (_, recipient), n in self.deliveries.items() if recipient == user_id)

    @property
    def quota_usage(self) -> int:
        """Messages counted against the monthly quota (replies are free)."""
        with self._lock:
            return sum(len(s.recipients) for s in self.outbox if s.kind != "reply")

    def profile_for(self, user_id: str) -> dict:
        names = ["山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "田中 健太"]
        default = {"userId": user_id, "displayName": names[sum(map(ord, user_id)) % len(names)],
                   "pictureUrl": f"https://profile.line-scdn.net/standin/{user_id}", "language": "ja"}
        return {**default, **self.profiles.get(user_id, {})}

    # -- pipeline ----------------------------------------------------------------
    def handle(self, request, call: RecordedCall) -> Reply:
        request_id = str(uuid.uuid4())
        reply = self._process(request, call, request_id)
        reply.headers.setdefault("X-Line-Request-Id", request_id)
        return reply

    def _process(self, request, call: RecordedCall, request_id: str) -> Reply:
        if call.path == line_login.VERIFY_PATH and call.method == "POST":  # LINE Login: no bearer token
            call.operation_id = "verifyIdToken"
            return line_login.verify(self, request, call)
        if call.header("Authorization") != f"Bearer {self.access_token}":
            return Reply(401, {"message": AUTH_FAILED})
        match, allowed = self.spec.match(call.method, call.path)
        if match is None:
            return Reply(405, {"message": "Method Not Allowed"}) if allowed else Reply(404, {"message": "Not found"})
        call.operation_id = match.operation.operation_id
        ctx = Ctx(call, match, request_id, request.headers.get("Content-Type", ""))
        violations = self.check_request(ctx)
        if violations:
            return self.reject(ctx, violations)
        fault = self.take_fault(call.path)
        if fault and not fault.after_delivery:
            return self._fault_reply(fault)
        with self._lock:
            reply = self._dispatch(ctx)
        if fault and 200 <= reply.status < 300:
            return self._fault_reply(fault)  # processed, but the answer is "lost"
        self._check_answer(ctx, reply)
        return reply

    def check_request(self, ctx: Ctx) -> list[Violation]:
        spec, match, call = self.spec, ctx.match, ctx.call
        out = spec.check_parameters(match, call.query, call.headers)
        if not spec.request_media_types(match):
            return out
        media = spec.pick_media_type(match, ctx.content_type)
        if media is None:
            return out + [Violation("content-type", ("Content-Type",), f"unsupported content type "
                                    f"{ctx.content_type!r}", "contentType")]
        if "json" not in media:
            return out  # binary uploads are checked by their handler
        if call.json is None:
            return out + [Violation("body", (), "the request body is not valid JSON", "json")]
        out += spec.check_body(match, media, call.json)
        if match.operation.operation_id == "replyMessage" and ctx.retry_key is not None:
            out.append(Violation("header", ("X-Line-Retry-Key",), "reply requests do not accept a retry key",
                                 "line-doc:retry-key-on-reply"))
        return out + self._documented_limits(match.operation.operation_id, call.json)

    def _documented_limits(self, op_id: str, body: Any) -> list[Violation]:
        if not isinstance(body, dict):
            return []
        out = []
        if op_id in MESSAGE_OPS:
            out += line_limits.check_messages(body.get("messages"))
            out += line_rules.check_messages(body.get("messages"))
        if self.strict_ids and op_id in ("pushMessage", "validatePush"):
            out += line_limits.check_recipients(body.get("to"), "to")
        if self.strict_ids and op_id in ("multicast", "validateMulticast"):
            out += line_limits.check_recipients(body.get("to"), "to", line_limits.USER_ID)
        if op_id in ("createRichMenu", "validateRichMenuObject"):
            out += line_limits.check_rich_menu(body)
            out += line_rules.check_rich_menu_areas(body)
        return out

    def reject(self, ctx: Ctx, violations: list[Violation]) -> Reply:
        """LINE-style 400, recorded in ``validation_errors``."""
        with self._lock:
            self.validation_errors.append(RejectedRequest(ctx.call.method, ctx.call.path,
                                                          ctx.call.operation_id, violations))
        in_body = [v for v in violations if v.location == "body"]
        if in_body:
            message = f"The request body has {len(in_body)} error(s)"
        else:
            first = violations[0]
            message = f"The value for the '{first.property}' {first.location} is invalid"
        details = [{"message": v.message, "property": v.property} for v in violations if v.property]
        return Reply(400, {"message": message, **({"details": details} if details else {})})

    def _fault_reply(self, fault) -> Reply:
        messages = {429: "You have reached your monthly limit.", 500: "Internal server error",
                    409: "The retry key is already accepted", 400: "The request body has 1 error(s)"}
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        return Reply(fault.status, {"message": messages.get(fault.status, "Error")}, headers)

    def _check_answer(self, ctx: Ctx, reply: Reply) -> None:
        if isinstance(reply.body, bytes):
            return
        declared = self.spec.response_entry(ctx.match, reply.status)[0] is not None
        if 200 <= reply.status < 300 or declared:
            problems = self.spec.check_response(ctx.match, reply.status, reply.body)
            if problems:
                with self._lock:
                    self.response_errors.append(f"{ctx.call.operation_id} {reply.status}: {problems}")

    def _dispatch(self, ctx: Ctx) -> Reply:
        op_id = ctx.match.operation.operation_id
        handler: Callable | None = getattr(self, f"_op_{op_id}", None)
        if handler is not None:
            return handler(ctx)
        resource_handler = line_resources.HANDLERS.get(op_id) or liff_resources.HANDLERS.get(op_id)
        if resource_handler is not None:
            return resource_handler(self, ctx)
        status, body = sample_response(self.spec, ctx.match)
        return Reply(status, body)

    # -- sending ------------------------------------------------------------------
    def _sent_messages(self, messages: list[dict]) -> list[dict]:
        out = []
        for message in messages:
            self._message_seq += 1
            entry = {"id": str(self._message_seq)}
            if message.get("type") in QUOTABLE_TYPES:
                entry["quoteToken"] = base64.urlsafe_b64encode(secrets.token_bytes(24)).decode()
            out.append(entry)
        return out

    def _send(self, ctx: Ctx, kind: str, recipients: list[str], status: int = 200,
              answer_with_ids: bool = True) -> Reply:
        """Common path of all send operations: retry key, quota, delivery."""
        # Only push/multicast/narrowcast/broadcast support X-Line-Retry-Key.
        key = ctx.retry_key if ctx.call.operation_id in RETRY_KEY_OPS else None
        if key and key in self._accepted_retry_keys:
            accepted_id, sent = self._accepted_retry_keys[key]
            body = {"message": "The retry key is already accepted", **({"sentMessages": sent} if sent else {})}
            return Reply(409, body, {"X-Line-Accepted-Request-Id": accepted_id})
        if kind != "reply" and self.quota_limit is not None and \
                self.quota_usage + len(recipients) > self.quota_limit:
            return Reply(429, {"message": "You have reached your monthly limit."})
        messages = ctx.body["messages"]
        sent = self._sent_messages(messages) if answer_with_ids else []
        for recipient in recipients:
            self.deliveries[(key, recipient)] += 1
        units = list(ctx.body.get("customAggregationUnits") or [])
        self.outbox.append(Sent(kind, list(recipients), messages, key, ctx.request_id, sent, units))
        for unit in units:
            if unit not in self.aggregation_units:
                self.aggregation_units.append(unit)
        if key:
            self._accepted_retry_keys[key] = (ctx.request_id, sent)
        return Reply(status, {"sentMessages": sent} if answer_with_ids else {})

    def _op_replyMessage(self, ctx: Ctx) -> Reply:
        token = ctx.body["replyToken"]
        user_id, issued_at = self._reply_tokens.get(token, (None, None))
        if issued_at is None or token in self._used_reply_tokens or self.now() - issued_at > REPLY_TOKEN_TTL:
            return Reply(400, {"message": "Invalid reply token"})
        self._used_reply_tokens.add(token)
        return self._send(ctx, "reply", [user_id or f"replyToken:{token}"])

    def _op_pushMessage(self, ctx: Ctx) -> Reply:
        return self._send(ctx, "push", [ctx.body["to"]])

    def _op_multicast(self, ctx: Ctx) -> Reply:
        return self._send(ctx, "multicast", list(ctx.body["to"]), answer_with_ids=False)

    def _op_broadcast(self, ctx: Ctx) -> Reply:
        return self._send(ctx, "broadcast", list(self.followers), answer_with_ids=False)

    def _op_narrowcast(self, ctx: Ctx) -> Reply:
        # Recipient/filter objects are validated but not evaluated: a
        # narrowcast reaches every follower in this stand-in.
        return self._send(ctx, "narrowcast", list(self.followers), status=202, answer_with_ids=False)

    def _op_getNarrowcastProgress(self, ctx: Ctx) -> Reply:
        request_id = ctx.call.query["requestId"][0]
        sent = next((s for s in self.outbox if s.request_id == request_id and s.kind == "narrowcast"), None)
        if sent is None:
            return Reply(404, {"message": "Not found"})
        now = datetime.datetime.now(datetime.UTC).isoformat()
        count = len(sent.recipients)
        return Reply(200, {"phase": "succeeded", "successCount": count, "failureCount": 0,
                           "targetCount": count, "acceptedTime": now, "completedTime": now})

    # -- account information ------------------------------------------------------------
    def _op_getProfile(self, ctx: Ctx) -> Reply:
        user_id = ctx.params["userId"]
        if self.strict_ids and not line_limits.USER_ID.match(user_id) and user_id not in self.profiles:
            return Reply(404, {"message": "Not found"})
        return Reply(200, self.profile_for(user_id))

    def _op_getBotInfo(self, ctx: Ctx) -> Reply:
        return Reply(200, dict(self.bot_info))

    def _op_getMessageQuota(self, ctx: Ctx) -> Reply:
        if self.quota_limit is None:
            return Reply(200, {"type": "none"})
        return Reply(200, {"type": "limited", "value": self.quota_limit})

    def _op_getMessageQuotaConsumption(self, ctx: Ctx) -> Reply:
        return Reply(200, {"totalUsage": self.quota_usage})

    def _op_getFollowers(self, ctx: Ctx) -> Reply:
        limit = int(ctx.call.query.get("limit", ["300"])[0])
        start = int(ctx.call.query.get("start", ["0"])[0] or 0)
        page = self.followers[start:start + limit]
        body = {"userIds": page}
        if start + limit < len(self.followers):
            body["next"] = str(start + limit)
        return Reply(200, body)

    def _op_getMessageContent(self, ctx: Ctx) -> Reply:
        found = self.message_contents.get(ctx.params["messageId"])
        if found is None:
            return Reply(404, {"message": "Not found"})
        return Reply(200, found[1], content_type=found[0])
