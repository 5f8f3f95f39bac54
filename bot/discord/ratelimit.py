"""Discord's rate limits, tracked once per bot token for the whole process.

Both REST users — the broadcast sender (``bot.discord.delivery``) and the small client
for follow-ups and scheduled events (``bot.discord.rest``) — share this bookkeeping, so
one of them hitting a bucket makes the other wait too. Rules from Discord's docs: after
an answer with ``X-RateLimit-Remaining: 0`` the bucket rests ``X-RateLimit-Reset-After``
seconds; a 429 carries ``retry_after`` (JSON) / ``Retry-After`` and may be global.
"""
from __future__ import annotations

import re
import threading
import time

import requests

from channels.outcome import parse_seconds

GLOBAL = "global"
_MAJOR = re.compile(r"^/(channels|guilds|webhooks)/(\d+)")


def bucket_of(path: str) -> str:
    """Discord buckets per major parameter (channel, guild, webhook); other routes by path."""
    found = _MAJOR.match(path)
    return f"{found.group(1)}:{found.group(2)}" if found else path.split("?")[0]


class RateLimiter:
    def __init__(self) -> None:
        self._resume_at: dict[str, float] = {}  # bucket → monotonic time it may be used again
        self._lock = threading.Lock()

    def pause_for(self, bucket: str) -> float:
        """Seconds until ``bucket`` (and the global limit) may be used; 0 when it may now."""
        with self._lock:
            resume = max(self._resume_at.get(bucket, 0.0), self._resume_at.get(GLOBAL, 0.0))
        return max(0.0, resume - time.monotonic())

    def wait(self, bucket: str, longest: float) -> float:
        """Sleep up to ``longest`` for the bucket; returns what is left when the wait is longer."""
        pause = self.pause_for(bucket)
        if pause > longest:
            return pause
        if pause > 0:
            time.sleep(pause)
        return 0.0

    def note(self, bucket: str, response: requests.Response) -> float | None:
        """Learn from an answer; for a 429 returns the seconds to wait before trying again."""
        if response.status_code == 429:
            return self._note_429(bucket, response)
        reset_after = parse_seconds(response.headers.get("X-RateLimit-Reset-After"))
        if response.headers.get("X-RateLimit-Remaining") == "0" and reset_after is not None:
            self._rest(bucket, reset_after)
        return None

    def _note_429(self, bucket: str, response: requests.Response) -> float:
        try:
            data = response.json()
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        retry_after = parse_seconds(data.get("retry_after")) or parse_seconds(response.headers.get("Retry-After"))
        retry_after = retry_after if retry_after is not None else 1.0
        is_global = bool(data.get("global")) or response.headers.get("X-RateLimit-Global") == "true"
        self._rest(GLOBAL if is_global else bucket, retry_after)
        return retry_after

    def _rest(self, bucket: str, seconds: float) -> None:
        with self._lock:
            self._resume_at[bucket] = max(self._resume_at.get(bucket, 0.0), time.monotonic() + seconds)


_limiters: dict[tuple[str, str], RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(config) -> RateLimiter:
    """The one limiter of this bot token (at this API) in this process."""
    key = (str(config.get("DISCORD_API_BASE_URL") or ""), str(config.get("DISCORD_BOT_TOKEN") or ""))
    with _limiters_lock:
        return _limiters.setdefault(key, RateLimiter())
