"""Japan time and the Japanese wording of dates, shared by pages, bots and mails."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
WEEKDAYS = "月火水木金土日"


def jst(value: datetime | None) -> datetime | None:
    return value.astimezone(JST) if value else None


def date_ja(value: datetime | None) -> str:
    if not value:
        return ""
    local = jst(value)
    return f"{local.year}年{local.month}月{local.day}日（{WEEKDAYS[local.weekday()]}）"


def datetime_ja(value: datetime | None) -> str:
    if not value:
        return ""
    local = jst(value)
    return f"{date_ja(value)} {local:%H:%M}"

