"""LINE sender: one multicast request per outbox chunk, through the official SDK.

Decisions per answer (Messaging API reference):
- 2xx → sent; 409 → the retry key was already accepted, i.e. an earlier attempt
  got through (its answer was lost or the worker died): counted as sent.
- 5xx, timeouts, connection errors → retry later with the same retry key.
- 429 → either the monthly quota is used up (checked against
  /v2/bot/message/quota and /quota/consumption: the broadcast stops) or the
  rate limit was hit (back off, honouring Retry-After).
- any other 4xx → the request itself is wrong: failed, with LINE's reason.
"""
from __future__ import annotations

import logging
import threading

import urllib3
from linebot.v3.messaging import ApiClient, Message, MessagingApi, MulticastRequest
from linebot.v3.messaging.exceptions import ApiException

from bot.line.client import configuration as client_configuration
from channels.base import Delivery, Quota
from channels.outcome import Outcome, error_summary, parse_seconds

log = logging.getLogger(__name__)

QUOTA_MESSAGE = "You have reached your monthly limit"


def line_configured(config) -> bool:
    return bool(config.get("LINE_CHANNEL_ACCESS_TOKEN"))


class LineSender:
    def __init__(self, config, timeout: float = 30.0) -> None:
        configuration = client_configuration(config)
        configuration.retries = 0  # retries are ours: with the stored key, after a backoff
        self._client = ApiClient(configuration)
        self._api = MessagingApi(self._client)
        self._timeout = timeout
        self._messages: dict[object, list[Message]] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> LineSender:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- quota -------------------------------------------------------------------------
    def quota(self) -> Quota | None:
        """This month's quota and usage, or None when LINE could not tell us."""
        try:
            limit = self._api.get_message_quota(_request_timeout=self._timeout)
            used = self._api.get_message_quota_consumption(_request_timeout=self._timeout)
        except (ApiException, urllib3.exceptions.HTTPError, OSError) as exc:
            log.warning("LINE quota lookup failed: %s", exc)
            return None
        value = limit.value if limit.type == "limited" else None
        return Quota(limit=value, used=used.total_usage or 0)

    # -- sending -----------------------------------------------------------------------
    def _message_objects(self, cache_key, payload: list[dict]) -> list[Message]:
        # Every chunk of a broadcast shares one body: parse it once, not 200 times.
        with self._lock:
            if cache_key not in self._messages:
                self._messages[cache_key] = [Message.from_dict(m) for m in payload]
            return self._messages[cache_key]

    def multicast(self, cache_key, payload: list[dict], recipients: list[str], unit: str | None,
                  retry_key: str) -> Outcome:
        request = MulticastRequest(
            to=recipients, messages=self._message_objects(cache_key, payload),
            custom_aggregation_units=[unit] if unit else None,
        )
        try:
            response = self._api.multicast_with_http_info(
                request, x_line_retry_key=retry_key, _request_timeout=self._timeout)
        except ApiException as exc:
            return self._classify_error(exc, len(recipients))
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            return Outcome.retry(f"通信エラー: {type(exc).__name__}: {exc}"[:500])
        return Outcome.sent(response.status_code, _request_id(response.headers))

    def send(self, delivery: Delivery) -> Outcome:
        # One body per segment variant of a broadcast: the cache key must tell variants apart.
        return self.multicast((delivery.broadcast_id, delivery.segment), delivery.payload, list(delivery.recipients),
                              delivery.unit, delivery.retry_key)

    def _classify_error(self, exc: ApiException, recipients: int) -> Outcome:
        status = exc.status or 0
        summary = error_summary(status, exc.body)
        if status == 409:
            accepted = _header(exc.headers, "X-Line-Accepted-Request-Id")
            return Outcome.sent(409, accepted, "再送キーは受理済み（前回の送信が届いていました）")
        if status == 429:
            return self._throttled(exc, summary, recipients)
        if status == 0 or status >= 500:
            return Outcome.retry(summary, status)
        return Outcome.failed(summary, status)

    def _throttled(self, exc: ApiException, summary: str, recipients: int) -> Outcome:
        quota = self.quota()
        if quota is not None:
            exhausted = quota.remaining is not None and quota.remaining < recipients
        else:  # LINE did not answer the quota lookup: fall back to its message
            exhausted = QUOTA_MESSAGE.lower() in summary.lower()
        if exhausted:
            left = "不明" if quota is None else f"{quota.remaining}通"
            return Outcome("quota", 429, f"LINEの今月の送信上限に達しました（残り{left}、この送信は{recipients}通）。{summary}")
        retry_after = parse_seconds(_header(exc.headers, "Retry-After"))
        return Outcome.retry(f"LINEのレート制限: {summary}", 429, retry_after)


def _header(headers, name: str) -> str | None:
    if not headers:
        return None
    lowered = name.lower()
    return next((v for k, v in dict(headers).items() if k.lower() == lowered), None)


def _request_id(headers) -> str | None:
    return _header(headers, "X-Line-Request-Id")
