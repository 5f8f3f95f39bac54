"""Request pacing: a token bucket for LINE's rate limit and backoff for retries."""
from __future__ import annotations

import random
import threading
import time


class TokenBucket:
    """At most ``rate`` acquisitions per second on average, bursts up to ``burst``.

    Thread-safe: the worker's sender threads share one bucket.
    """

    def __init__(self, rate: float, burst: float | None = None, clock=time.monotonic, sleep=time.sleep):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate / 10)
        self._tokens = self.capacity
        self._clock, self._sleep = clock, sleep
        self._updated = clock()
        self._lock = threading.Lock()

    def _reserve(self) -> float:
        """Take a token (possibly going into debt); returns how long to wait for it."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def acquire(self) -> None:
        wait = self._reserve()
        if wait > 0:
            self._sleep(wait)


def backoff_seconds(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: base·2^(attempt-1), capped, times 0.5–1.5.

    The jitter spreads retries of many chunks that failed together (a LINE
    outage) so they do not all come back in the same second.
    """
    rng = rng or random
    exponent = min(max(attempt - 1, 0), 30)
    return min(cap, base * (2 ** exponent)) * rng.uniform(0.5, 1.5)
