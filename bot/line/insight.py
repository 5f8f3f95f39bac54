"""LINE's own per-unit statistics (insight API), fetched daily into ``kpi_line_unit_stats``.

Broadcasts are sent with a ``customAggregationUnits`` name; LINE reports
impressions and clicks per unit for messages sent in a period of up to 30 days.
Each run asks for the last 30 days (Tokyo dates, as LINE expects) of every
unit LINE knows, and stores one row per unit and fetch day (re-running on the
same day replaces it).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, timedelta

from linebot.v3.insight import Insight
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.line.client import LineNotConfigured, insight_api, messaging_api
from kpi.models import LineUnitStat

log = logging.getLogger(__name__)
PERIOD_DAYS = 30  # LINE allows "to" up to 30 days after "from"
PAGE_SIZE = 100


InsightUnavailable = LineNotConfigured  # the LINE channel is off: no statistics to fetch


def unit_names(config: Mapping) -> list[str]:
    names: list[str] = []
    with messaging_api(config) as api:
        start = None
        while True:
            page = api.get_aggregation_unit_name_list(limit=str(PAGE_SIZE), start=start)
            names += list(page.custom_aggregation_units or [])
            start = page.next
            if not start:
                return names


def _sum(values) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def fetch_unit(api: Insight, unit: str, period_from: date, period_to: date) -> dict:
    answer = api.get_statistics_per_unit(unit, f"{period_from:%Y%m%d}", f"{period_to:%Y%m%d}")
    overview = answer.overview
    return {
        "unit": unit, "period_from": period_from, "period_to": period_to,
        "unique_impression": overview.unique_impression if overview else None,
        "unique_click": overview.unique_click if overview else None,
        "unique_media_played": overview.unique_media_played if overview else None,
        "impressions": _sum(m.impression for m in answer.messages or []),
        "clicks": _sum(c.click for c in answer.clicks or []),
    }


def store(session: Session, values: dict, fetched_day: date) -> LineUnitStat:
    row = session.scalar(select(LineUnitStat).where(
        LineUnitStat.unit == values["unit"], LineUnitStat.fetched_day == fetched_day, LineUnitStat.is_demo.is_(False)))
    if row is None:
        row = LineUnitStat(fetched_day=fetched_day, is_demo=False, unit=values["unit"])
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    return row


def fetch_all(session: Session, config: Mapping, today: date) -> int:
    """Fetch every unit's last-30-day statistics; returns how many units were stored (caller commits)."""
    period_from, period_to = today - timedelta(days=PERIOD_DAYS), today
    stored = 0
    with insight_api(config) as api:
        for unit in unit_names(config):
            try:
                store(session, fetch_unit(api, unit, period_from, period_to), today)
                stored += 1
            except Exception as exc:  # one failing unit must not lose the others
                log.warning("LINE statistics for unit %s not fetched: %s", unit, exc)
    session.flush()
    return stored
