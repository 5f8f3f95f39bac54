"""A small synchronous Discord REST client for work outside the gateway process's loop
(announcement follow-ups, scheduled events), usable from the broadcast worker's threads.

Rate limits: the process-wide limiter of the bot token (``bot.discord.ratelimit``,
shared with the broadcast sender) is honoured before every request and learns from
every answer; a 429 waits its ``retry_after`` and tries again; 5xx and connection
errors back off exponentially. After
``max_retries`` it gives up with ``DiscordError`` — callers decide what that
means (record a problem, try again at the next run); nothing retries forever.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import requests

from bot.discord.ratelimit import bucket_of, limiter_for

log = logging.getLogger(__name__)
API_VERSION = "v10"
USER_AGENT = "DiscordBot (https://www.city.ota.tokyo.jp, 1.0) monozukuri-discord"


class DiscordError(Exception):
    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(f"HTTP {status} (code {code}): {message}")
        self.status, self.code, self.message = status, code, message

    @property
    def forbidden(self) -> bool:
        return self.status == 403

    @property
    def missing(self) -> bool:
        return self.status == 404


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error(response: requests.Response) -> DiscordError:
    data = _json(response)
    data = data if isinstance(data, dict) else {}
    return DiscordError(response.status_code, data.get("code"), str(data.get("message") or response.text[:200]))


class DiscordRest:
    def __init__(self, config: Mapping, *, max_retries: int = 3, backoff: float = 1.0, max_wait: float = 30.0,
                 timeout: float = 15.0) -> None:
        self.base = f"{str(config['DISCORD_API_BASE_URL']).rstrip('/')}/api/{API_VERSION}"
        self.http = requests.Session()
        self.http.headers.update({"Authorization": f"Bot {config.get('DISCORD_BOT_TOKEN') or ''}",
                                  "User-Agent": USER_AGENT})
        self.max_retries, self.backoff, self.max_wait, self.timeout = max_retries, backoff, max_wait, timeout
        self.limits = limiter_for(config)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> DiscordRest:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _send(self, method: str, path: str, body: Any, bucket: str) -> requests.Response | None:
        self.limits.wait(bucket, self.max_wait)
        try:
            response = self.http.request(method, self.base + path, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            log.warning("Discord %s %s: %s", method, path, exc)
            return None
        self.limits.note(bucket, response)
        return response

    def _wait_before_retry(self, response: requests.Response | None, attempt: int, bucket: str) -> float | None:
        """Seconds to wait before the next attempt, or None when this answer is final."""
        if response is not None and response.status_code == 429:
            wait = self.limits.pause_for(bucket)  # the limiter has noted the answer's retry_after
            return wait if wait <= self.max_wait else None
        if response is None or response.status_code >= 500:
            return self.backoff * (2 ** attempt)
        return None

    def request(self, method: str, path: str, body: Any = None) -> Any:
        bucket = bucket_of(path)
        for attempt in range(self.max_retries + 1):
            response = self._send(method, path, body, bucket)
            wait = self._wait_before_retry(response, attempt, bucket)
            if wait is None or attempt == self.max_retries:
                break
            log.info("Discord %s %s: retrying in %.2fs (attempt %d)", method, path, wait, attempt + 1)
            time.sleep(wait)
        if response is None:
            raise DiscordError(0, None, "Discordに接続できませんでした")
        if response.status_code >= 400:
            raise _error(response)
        return _json(response) if response.content else None

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, body)
