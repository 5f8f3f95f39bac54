"""Build signed LINE webhook requests that conform to webhook.yml.

Typical use with a Flask test client::

    token = line.issue_reply_token(USER)           # the LineStandin accepts it once
    body = webhook_body([text_event(USER, "予約", reply_token=token)])
    assert validate_webhook_body(body) == []
    raw, headers = signed_request(body, CHANNEL_SECRET)
    client.post("/callback", data=raw, headers=headers)
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import itertools
import json
import secrets
import time
from typing import Any

import yaml

from .openapi_validation import OpenApiSpec, Violation
from .specs import specs_dir

WEBHOOK_URI = "https://standin.invalid/line/webhook.yml"
DEFAULT_DESTINATION = "U" + "d0" * 16
_ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_message_ids = itertools.count(500_000_000_000_000_000)


def sign(body: bytes, channel_secret: str) -> str:
    """The ``X-Line-Signature`` value: base64(HMAC-SHA256(secret, body))."""
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_request(body: dict, channel_secret: str) -> tuple[bytes, dict[str, str]]:
    """(raw body, headers) ready to POST to the bot's webhook endpoint."""
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return raw, {"Content-Type": "application/json; charset=utf-8", "X-Line-Signature": sign(raw, channel_secret)}


def new_event_id() -> str:
    """A ULID-shaped webhookEventId (26 Crockford base32 characters), as LINE sends."""
    return "".join(secrets.choice(_ULID_ALPHABET) for _ in range(26))


def new_reply_token() -> str:
    return secrets.token_hex(16)


def _source(user_id: str, group_id: str | None = None) -> dict:
    if group_id:
        return {"type": "group", "groupId": group_id, "userId": user_id}
    return {"type": "user", "userId": user_id}


def _event(kind: str, user_id: str, *, redelivery: bool, event_id: str | None, timestamp: int | None,
           group_id: str | None = None) -> dict:
    return {"type": kind, "mode": "active", "timestamp": timestamp or int(time.time() * 1000),
            "source": _source(user_id, group_id), "webhookEventId": event_id or new_event_id(),
            "deliveryContext": {"isRedelivery": redelivery}}


def text_event(user_id: str, text: str, *, reply_token: str | None = None, redelivery: bool = False,
               event_id: str | None = None, timestamp: int | None = None, group_id: str | None = None,
               message_id: str | None = None) -> dict:
    event = _event("message", user_id, redelivery=redelivery, event_id=event_id, timestamp=timestamp,
                   group_id=group_id)
    event["replyToken"] = reply_token or new_reply_token()
    event["message"] = {"id": message_id or str(next(_message_ids)), "type": "text", "text": text,
                        "quoteToken": base64.urlsafe_b64encode(secrets.token_bytes(24)).decode()}
    return event


def postback_event(user_id: str, data: str, *, params: dict[str, str] | None = None,
                   reply_token: str | None = None, redelivery: bool = False, event_id: str | None = None,
                   timestamp: int | None = None) -> dict:
    event = _event("postback", user_id, redelivery=redelivery, event_id=event_id, timestamp=timestamp)
    event["replyToken"] = reply_token or new_reply_token()
    event["postback"] = {"data": data, **({"params": params} if params else {})}
    return event


def follow_event(user_id: str, *, reply_token: str | None = None, unblocked: bool = False,
                 redelivery: bool = False, event_id: str | None = None, timestamp: int | None = None) -> dict:
    event = _event("follow", user_id, redelivery=redelivery, event_id=event_id, timestamp=timestamp)
    event["replyToken"] = reply_token or new_reply_token()
    event["follow"] = {"isUnblocked": unblocked}
    return event


def unfollow_event(user_id: str, *, redelivery: bool = False, event_id: str | None = None,
                   timestamp: int | None = None) -> dict:
    # LINE sends no reply token with unfollow: the user blocked the account.
    return _event("unfollow", user_id, redelivery=redelivery, event_id=event_id, timestamp=timestamp)


def webhook_body(events: list[dict], destination: str = DEFAULT_DESTINATION) -> dict:
    return {"destination": destination, "events": list(events)}


@functools.lru_cache(maxsize=1)
def webhook_spec() -> OpenApiSpec:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(specs_dir() / "line" / "webhook.yml", encoding="utf-8") as fh:
        doc = yaml.load(fh, Loader=loader)
    return OpenApiSpec({WEBHOOK_URI: doc}, dialect="3.0")


def validate_webhook_body(body: Any) -> list[Violation]:
    """Violations of webhook.yml's ``CallbackRequest`` (empty = realistic)."""
    return webhook_spec().validate_instance(WEBHOOK_URI, "/components/schemas/CallbackRequest", body, "body")


def validate_webhook_event(event: Any) -> list[Violation]:
    """Violations of webhook.yml's ``Event`` (with its discriminated subtypes)."""
    return webhook_spec().validate_instance(WEBHOOK_URI, "/components/schemas/Event", event, "body")


def load_sdk_samples() -> dict:
    """The line-bot-sdk's sample webhook body (shared/specs/line/sdk-samples).

    Note: its ``destination`` is "U123", which webhook.yml's pattern
    rejects; validate its events one by one with validate_webhook_event.
    """
    with open(specs_dir() / "line" / "sdk-samples" / "webhook.json", encoding="utf-8") as fh:
        return json.load(fh)
