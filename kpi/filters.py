"""Dashboard filters from the query string: date range and channel, validated in Japanese."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from kpi.metrics import channels
from kpi.queries import Scope
from kpi.report.labels import channel_label

DEFAULT_DAYS = 56  # eight weeks: enough for week-over-week trends
MAX_DAYS = 731


@dataclass
class Filters:
    scope: Scope
    errors: list[str] = field(default_factory=list)

    def query_args(self) -> dict[str, str]:
        args = {"from": self.scope.start.isoformat(), "to": self.scope.end.isoformat()}
        if self.scope.channel:
            args["channel"] = self.scope.channel
        return args


def _parse_day(raw: str | None, label: str, errors: list[str]) -> date | None:
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors.append(f"{label}「{raw[:20]}」は日付として読めません。2026-04-01 の形で入力してください。")
        return None


def parse(args: Mapping[str, str], today: date) -> Filters:
    """Bad input never fails the page: the default applies and the error is shown."""
    errors: list[str] = []
    start = _parse_day(args.get("from"), "開始日", errors)
    end = _parse_day(args.get("to"), "終了日", errors) or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        errors.append("開始日が終了日より後になっています。期間を確認してください。")
        start, end = today - timedelta(days=DEFAULT_DAYS - 1), today
    elif (end - start).days + 1 > MAX_DAYS:
        errors.append(f"期間は最長{MAX_DAYS}日（約2年）までです。終了日から{MAX_DAYS}日分を表示しています。")
        start = end - timedelta(days=MAX_DAYS - 1)
    channel = args.get("channel") or ""
    if channel not in ("", *channels()):
        choices = "".join(f"「{label}」" for label in ["すべて", *channel_choices().values()])
        errors.append(f"チャネルは{choices}から選んでください。")
        channel = ""
    return Filters(Scope(start, end, channel), errors)


def channel_choices() -> dict[str, str]:
    """Channel key → label for the dashboard's channel filter (every registered channel)."""
    return {key: channel_label(key) for key in channels()}
