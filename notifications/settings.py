"""Delivery tunables: app.config first, then the environment, then a safe default.

The environment matters for the worker process (``monozukuri worker`` builds
its app from the environment only); tests and the bench pass app config.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

LINE_CHUNK_SIZE = 500  # multicast `to` maxItems in messaging-api.yml
LINE_MAX_REQUESTS_PER_SECOND = 200  # documented rate limit of the multicast endpoint


def _number(config, name: str, default: float) -> float:
    value = config.get(name)
    if value is None:
        value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class DeliverySettings:
    batch_size: int  # outbox rows claimed at once
    lease_seconds: float  # a claimed row is retaken by any worker after this (crash recovery)
    concurrency: int  # parallel HTTP requests per worker
    requests_per_second: float  # LINE token bucket
    retry_base_seconds: float  # first backoff; doubles per attempt, with jitter
    retry_max_seconds: float
    max_attempts: int  # 5xx/timeouts before a row is given up as failed
    request_timeout: float
    poll_seconds: float  # how often the worker job wakes up
    run_budget_seconds: float  # one job run keeps draining the outbox this long (less than a poll
    # interval, so APScheduler never has to skip an overlapping run)


def delivery_settings(config) -> DeliverySettings:
    poll = max(_number(config, "BROADCAST_POLL_SECONDS", 5.0), 0.05)
    return DeliverySettings(
        batch_size=max(1, int(_number(config, "BROADCAST_BATCH_SIZE", 20))),
        lease_seconds=_number(config, "BROADCAST_LEASE_SECONDS", 120.0),
        concurrency=max(1, int(_number(config, "BROADCAST_CONCURRENCY", 4))),
        requests_per_second=min(_number(config, "LINE_REQUESTS_PER_SECOND", LINE_MAX_REQUESTS_PER_SECOND),
                                LINE_MAX_REQUESTS_PER_SECOND),
        retry_base_seconds=_number(config, "BROADCAST_RETRY_BASE_SECONDS", 2.0),
        retry_max_seconds=_number(config, "BROADCAST_RETRY_MAX_SECONDS", 900.0),
        max_attempts=max(1, int(_number(config, "BROADCAST_MAX_ATTEMPTS", 10))),
        request_timeout=_number(config, "BROADCAST_REQUEST_TIMEOUT", 30.0),
        poll_seconds=poll,
        run_budget_seconds=_number(config, "BROADCAST_RUN_BUDGET_SECONDS", poll * 0.9),
    )
