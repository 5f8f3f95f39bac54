"""Deliver rendered messages: the reply token while fresh, otherwise push.

Reply tokens expire about a minute after the event. A token older than
REPLY_TOKEN_FRESH_SECONDS, or one LINE calls invalid, falls back to push.
Push carries an X-Line-Retry-Key derived from the job, so a retry after a
lost answer is accepted once (LINE answers 409 to the duplicate).

The rendered messages are already plain JSON-ready dicts (checked by the
renderer against LINE's limits), so they go out as JSON on a keep-alive
connection of the client (``bot.line.http``: the SDK's headers, CA bundle and
ApiException on errors) without round-tripping through its pydantic models or
its REST wrapper: those cost more CPU than answering the event.
"""
from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from linebot.v3.messaging import MessagingApi
from linebot.v3.messaging.exceptions import ApiException

from bot.line.client import REQUEST_TIMEOUT, error_message, is_retryable
from bot.line.http import poster_for

log = logging.getLogger(__name__)

REPLY_TOKEN_FRESH_SECONDS = 50
RETRY_KEY_NAMESPACE = uuid.UUID("5f0c3c1e-7a55-4b8e-9d64-2b0e6f1c9a10")


class SendFailed(Exception):
    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


def retry_key_for(job_key: str) -> str:
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, job_key))


def reply_token_fresh(event_timestamp_ms: int | None, now: datetime | None = None) -> bool:
    if not event_timestamp_ms:
        return False
    now = now or datetime.now(UTC)
    age = now.timestamp() - event_timestamp_ms / 1000
    return age < REPLY_TOKEN_FRESH_SECONDS


def _invalid_reply_token(exc: ApiException) -> bool:
    return exc.status == 400 and "reply token" in error_message(exc).lower()


def _post(api: MessagingApi, path: str, body: dict, headers: dict | None = None) -> None:
    """POST JSON on the client's own keep-alive connection (``bot.line.http``); non-2xx answers raise ApiException."""
    poster = poster_for(api)
    if poster is not None:
        poster.post(path, body, headers)
        return
    client = api.api_client  # behind a proxy: the SDK's HTTP client
    all_headers = {**client.default_headers, "Content-Type": "application/json", **(headers or {})}
    client.rest_client.request("POST", client.configuration.host + path, headers=all_headers, body=body,
                               _request_timeout=REQUEST_TIMEOUT)


def _try_reply(api: MessagingApi, token: str, messages: list[dict]) -> bool:
    """True when replied; False when the token was refused (so push instead)."""
    try:
        _post(api, "/v2/bot/message/reply", {"replyToken": token, "messages": messages})
    except ApiException as exc:
        if _invalid_reply_token(exc):
            log.info("reply token refused, pushing instead")
            return False
        raise SendFailed(error_message(exc), is_retryable(exc)) from exc
    return True


def _push(api: MessagingApi, user_id: str, messages: list[dict], retry_key: str) -> None:
    try:
        _post(api, "/v2/bot/message/push", {"to": user_id, "messages": messages}, {"X-Line-Retry-Key": retry_key})
    except ApiException as exc:
        if exc.status == 409:  # this retry key was already accepted: delivered before
            return
        raise SendFailed(error_message(exc), is_retryable(exc)) from exc


def deliver(api: MessagingApi, outbox: dict, job_key: str) -> str:
    """Send ``outbox`` (user_id, reply_token, timestamp, messages); returns "reply" or "push"."""
    messages = outbox["messages"]
    token = outbox.get("reply_token")
    try:
        if token and reply_token_fresh(outbox.get("timestamp")) and _try_reply(api, token, messages):
            return "reply"
        _push(api, outbox["user_id"], messages, retry_key_for(job_key))
    except SendFailed:
        raise
    except Exception as exc:  # network errors from urllib3 and friends
        raise SendFailed(f"{type(exc).__name__}: {exc}", is_retryable(exc)) from exc
    return "push"
