"""Quota before sending: a LINE broadcast larger than the month's remaining messages is
stopped before anything is sent, and staff choose: send to part (LINE stops when the
quota is used up), wait for next month (start on the 1st, 09:00 Japan time), or cancel.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from notifications.reports import QuotaCheck, estimate_line_messages, quota_check

JST = ZoneInfo("Asia/Tokyo")
CHOICES = {"part": "残りの送信数の分だけ送る", "wait": "来月まで待って送る", "cancel": "送信をやめる"}


def over_quota(session: Session, config, channels, topics, personas) -> QuotaCheck | None:
    """The quota check when a LINE send would exceed this month's remaining messages, else None."""
    if "line" not in (channels or ()):
        return None
    check = quota_check(config, estimate_line_messages(session, topics, personas))
    return check if check.exceeds else None


def next_month_start(now: datetime | None = None) -> datetime:
    """09:00 JST on the 1st of next month (LINE counts messages per calendar month, Japan time)."""
    local = (now or datetime.now(JST)).astimezone(JST)
    first = (local.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first.replace(hour=9, minute=0, second=0, microsecond=0)


def explain(check: QuotaCheck) -> str:
    return (f"LINEの今月の残り送信数（{check.remaining:,}通）を超えるため、まだ何も送っていません。"
            f"この配信は{check.estimate:,}通になります。")
