"""Quiet hours (env QUIET_HOURS, e.g. "21:00-08:00", Japan time): pushes wait until they end.

An empty value disables them. A window may cross midnight (the usual case)
or not ("12:00-13:00"). Urgent messages ignore the window.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class QuietHoursError(ValueError):
    """QUIET_HOURS is malformed."""


@dataclass(frozen=True)
class QuietWindow:
    start: time
    end: time

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(JST).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def end_after(self, moment: datetime) -> datetime:
        """The first moment at or after ``moment`` that lies outside the window."""
        if not self.contains(moment):
            return moment
        local = moment.astimezone(JST)
        candidate = datetime.combine(local.date(), self.end, tzinfo=JST)
        if candidate <= local:
            candidate += timedelta(days=1)
        return candidate


def _clock(hours: str, minutes: str) -> time:
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return time(0, 0)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise QuietHoursError(f"QUIET_HOURS の時刻が不正です: {hours}:{minutes}")
    return time(h, m)


def parse(value: str | None) -> QuietWindow | None:
    """``None`` when disabled (empty); raises QuietHoursError when malformed."""
    if value is None or not value.strip():
        return None
    found = _WINDOW.match(value)
    if not found:
        raise QuietHoursError(f"QUIET_HOURS は「21:00-08:00」の形式で指定してください（現在: {value!r}）")
    start, end = _clock(*found.group(1, 2)), _clock(*found.group(3, 4))
    return None if start == end else QuietWindow(start, end)


def deliver_at(config, moment: datetime, urgent: bool = False) -> datetime:
    """When a push planned for ``moment`` may go out under the configured quiet hours."""
    if urgent:
        return moment
    window = parse(config.get("QUIET_HOURS"))
    return window.end_after(moment) if window else moment
