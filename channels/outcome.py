"""What one delivery attempt ended in, independent of the channel."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

Result = Literal["sent", "retry", "failed", "quota", "stopped", "cancelled"]


@dataclass(frozen=True)
class Outcome:
    result: Result
    http_status: int | None = None
    error: str | None = None  # shown to staff in the delivery report
    retry_after: float | None = None  # seconds the API asked us to wait
    external_ref: str | None = None  # LINE request id, Discord message id

    @classmethod
    def sent(cls, status: int | None = None, ref: str | None = None, note: str | None = None) -> Outcome:
        return cls("sent", status, note, external_ref=ref)

    @classmethod
    def retry(cls, error: str, status: int | None = None, retry_after: float | None = None) -> Outcome:
        return cls("retry", status, error, retry_after)

    @classmethod
    def failed(cls, error: str, status: int | None = None) -> Outcome:
        return cls("failed", status, error)


def error_summary(status: int | None, body: bytes | str | None, limit: int = 500) -> str:
    """"HTTP 400: message (property: detail; ...)" from a JSON error body, for the report."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        data = {"message": text}
    if not isinstance(data, dict):
        data = {"message": text}
    message = str(data.get("message") or "").strip()
    details = data.get("details") or []
    parts = [f"{d.get('property')}: {d.get('message')}" for d in details if isinstance(d, dict)]
    summary = f"HTTP {status}: {message}" if status else message
    if parts:
        summary += f" ({'; '.join(parts)})"
    return summary[:limit]


def parse_seconds(value) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None
