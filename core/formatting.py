"""Japanese wording for dates, event periods and seats (registered as Jinja filters)."""
from __future__ import annotations

from datetime import datetime

from core.db import utcnow
from core.timefmt import WEEKDAYS, date_ja, jst


def time_ja(value: datetime) -> str:
    return f"{jst(value):%H:%M}"


def period_ja(start: datetime, end: datetime | None) -> str:
    """「2027年2月6日（土）14:00〜16:00」; the date is repeated only when it changes."""
    text = f"{date_ja(start)} {time_ja(start)}"
    if end is None:
        return text + "〜"
    if jst(end).date() == jst(start).date():
        return f"{text}〜{time_ja(end)}"
    return f"{text}〜{date_ja(end)} {time_ja(end)}"


def date_parts(value: datetime) -> dict:
    local = jst(value)
    return {"month": f"{local.month}月", "day": str(local.day), "weekday": WEEKDAYS[local.weekday()]}


def is_closed(event, now: datetime | None = None) -> bool:
    """Applications are closed once the deadline (or the start, without one) has passed."""
    now = now or utcnow()
    return (event.deadline or event.starts_at) < now


def seats_ja(capacity: int, left: int | None) -> str:
    if capacity <= 0:
        return "定員なし"
    if left is None:
        return f"定員{capacity}名"
    if left <= 0:
        return f"定員{capacity}名（満席）"
    return f"定員{capacity}名（残り{left}席）"


def register(app) -> None:
    app.jinja_env.filters.update(period_ja=period_ja, date_parts=date_parts, time_ja=time_ja)
    app.jinja_env.globals.update(seats_ja=seats_ja, event_closed=is_closed)
