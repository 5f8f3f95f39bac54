"""Webhook intake: size limit, signature, JSON, and which events become jobs.

Everything here runs inside the HTTP request, so it stays cheap: no SDK model
parsing and no database reads; the chosen events are then stored in one
group commit (``intake.py``) and parsed properly by the worker.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from typing import Any

from bot.line.queue import NewJob

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
EVENT_JOB_KIND = "line_event"
HANDLED_TYPES = ("message", "postback", "follow", "unfollow")
# Fields (paths into the event) without which an event of that type cannot be answered.
REQUIRED_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "message": (("replyToken",), ("message", "type")),
    "postback": (("replyToken",), ("postback", "data")),
    "follow": (("replyToken",),),
    "unfollow": (),
}
COMMON_FIELDS = (("webhookEventId",), ("timestamp",), ("source", "userId"))
MAX_ID_LENGTH = 100
# LINE's events nest a handful of levels (message → emojis/mention → …); anything far
# deeper is hostile and would hit the recursion limit when stored or parsed later.
MAX_EVENT_DEPTH = 16


class WebhookError(Exception):
    """A request the webhook refuses as a whole (status + reason for the log)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def read_body(stream, content_length: int | None) -> bytes:
    """The raw body, refusing anything over 1 MB whatever Content-Length claims."""
    if content_length is not None and content_length > MAX_BODY_BYTES:
        raise WebhookError(413, f"Content-Length {content_length} exceeds {MAX_BODY_BYTES}")
    body = stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise WebhookError(413, f"body exceeds {MAX_BODY_BYTES} bytes")
    return body


def verify_signature(body: bytes, signature: str | None, channel_secret: str) -> str:
    """Check X-Line-Signature (what the SDK's ``SignatureValidator`` checks); returns the body as text."""
    if not signature:
        raise WebhookError(400, "missing X-Line-Signature")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookError(400, "body is not UTF-8") from None
    if not signature_matches(channel_secret, body, signature):
        raise WebhookError(400, "invalid X-Line-Signature")
    return text


def signature_matches(channel_secret: str, body: bytes, signature: str) -> bool:
    """The SDK validator's check (base64 HMAC-SHA256 of the body, compared in constant time), done here
    so that web processes never import the LINE SDK (~60 MB in every gunicorn worker); the tests hold
    it to the SDK's ``SignatureValidator``."""
    expected = base64.b64encode(hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest())
    return hmac.compare_digest(signature.encode("utf-8", "replace"), expected)


def parse_events(text: str) -> list[Any]:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise WebhookError(400, f"malformed JSON: {exc}") from None
    except RecursionError:  # a body nested thousands of levels deep
        raise WebhookError(400, "JSON nested too deeply") from None
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise WebhookError(400, "JSON body has no 'events' list")
    return document["events"]


def _field(event: dict, path: tuple[str, ...]) -> Any:
    value: Any = event
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def missing_fields(event: dict) -> list[str]:
    kind = event.get("type")
    paths = COMMON_FIELDS + (REQUIRED_FIELDS.get(kind, ()) if isinstance(kind, str) else ())
    return [".".join(path) for path in paths if _field(event, path) in (None, "")]


def _ignore_reason(event: dict) -> str | None:
    kind = event.get("type")
    if not isinstance(kind, str) or kind not in HANDLED_TYPES:
        return f"unhandled event type {ascii(kind)[:40]}"
    if _field(event, ("source", "type")) != "user":
        return "not a one-to-one chat"
    if event.get("mode") == "standby":
        return "channel in standby mode"
    return None


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # from a \ud800 escape: no valid UTF-8, not storable, not sendable
        return True
    return False


def unstorable_reason(event: dict) -> str | None:
    """Why this event cannot be stored as it is, or None (checked per event, so it fails alone).

    Walks the event iteratively (no recursion limit to hit): too deep a nesting or a lone
    surrogate in any key or string would break the insert or the worker's parse later. (A NUL
    inside the payload is fine: JSON escapes it; only the id, a text column, cannot hold one.)
    """
    if "\x00" in event["webhookEventId"]:
        return "webhookEventId contains a NUL character"
    stack: list[tuple[Any, int]] = [(event, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if _has_lone_surrogate(node):
                return "contains a lone surrogate"
        elif isinstance(node, (dict, list)):
            if depth > MAX_EVENT_DEPTH:
                return "nested too deeply"
            children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return None


def _invalid_reason(event: dict) -> str | None:
    missing = missing_fields(event)
    if missing:
        return "missing " + ", ".join(missing)
    if not isinstance(event["timestamp"], int) or isinstance(event["timestamp"], bool) \
            or not isinstance(event["webhookEventId"], str):
        return "timestamp or webhookEventId has the wrong type"
    if len(event["webhookEventId"]) > MAX_ID_LENGTH:
        return "webhookEventId too long"
    return unstorable_reason(event)


def _loggable_id(event: dict) -> str:
    """The event id as a short printable excerpt (it may be hostile: huge, NUL, surrogates)."""
    value = event.get("webhookEventId")
    return ascii(value[:MAX_ID_LENGTH]) if isinstance(value, str) else f"<{type(value).__name__}>"


def event_job(event: Any) -> NewJob | None:
    """The job for one webhook event, or None when it is skipped (with a log line)."""
    if not isinstance(event, dict):
        log.warning("LINE webhook: skipped an event that is not an object")
        return None
    reason = _ignore_reason(event)
    if reason:
        log.debug("LINE webhook: ignored event %s (%s)", _loggable_id(event), reason)
        return None
    reason = _invalid_reason(event)
    if reason:
        log.warning("LINE webhook: skipped event %s: %s", _loggable_id(event), reason)
        return None
    return NewJob(dedup_key=event["webhookEventId"], payload=event, kind=EVENT_JOB_KIND)


def jobs_for(events: list[Any]) -> list[NewJob]:
    jobs: dict[str, NewJob] = {}
    for event in events:
        job = event_job(event)
        if job is not None:
            jobs.setdefault(job.dedup_key, job)  # same id twice in one request: once
    return list(jobs.values())
