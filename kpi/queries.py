"""Reading the daily roll-ups (the dashboard never touches raw events).

All functions take a ``Scope`` (date range + optional channel) and sum
``kpi_daily_metrics.value``. Metrics that are snapshots (followers) are read at
a single day instead of summed.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import wraps

from flask import has_request_context, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kpi import metrics as m
from kpi.models import DailyMetric

# Metrics without a channel dimension: a channel filter does not apply to them.
CHANNEL_LESS = {m.REFERRERS}
DIMENSIONS = {"channel": DailyMetric.channel, "persona": DailyMetric.persona, "article": DailyMetric.article_id,
              "ref": DailyMetric.ref_id, "label": DailyMetric.label, "day": DailyMetric.day}


@dataclass(frozen=True)
class Scope:
    start: date
    end: date
    channel: str = ""  # "" = every channel

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted(self, days: int) -> Scope:
        return replace(self, start=self.start + timedelta(days=days), end=self.end + timedelta(days=days))

    def last_week(self) -> Scope:
        return replace(self, start=self.end - timedelta(days=6))


def request_memo(func):
    """Within one request, the same query is answered once (several tables share them)."""

    @wraps(func)
    def wrapper(session, *args, **kwargs):
        if not has_request_context():
            return func(session, *args, **kwargs)
        # On the request itself, not on ``g``: an app context can outlive many requests (tests, tools).
        cache = request.environ.setdefault("kpi.query_cache", {})
        key = (func.__name__, id(session), args, tuple(sorted(kwargs.items())))
        if key not in cache:
            cache[key] = func(session, *args, **kwargs)
        return cache[key]

    return wrapper


def _where(metric: str, scope: Scope, **equals):
    conditions = [DailyMetric.metric == metric, DailyMetric.day >= scope.start, DailyMetric.day <= scope.end]
    if metric == m.UNIQUE_VISITORS:
        conditions.append(DailyMetric.channel == scope.channel)  # "" rows are the whole-site count
    elif scope.channel and metric not in CHANNEL_LESS:
        conditions.append(DailyMetric.channel == scope.channel)
    for name, value in equals.items():
        conditions.append(DIMENSIONS[name] == value)
    return conditions


@request_memo
def total(session: Session, metric: str, scope: Scope, **equals) -> int:
    value = session.scalar(select(func.sum(DailyMetric.value)).where(*_where(metric, scope, **equals)))
    return int(value or 0)


@request_memo
def article_views(session: Session, scope: Scope, **equals) -> int:
    value = session.scalar(select(func.sum(DailyMetric.value))
                           .where(*_where(m.PAGE_VIEWS, scope, **equals), DailyMetric.article_id != 0))
    return int(value or 0)


@request_memo
def grouped(session: Session, metric: str, scope: Scope, by: tuple[str, ...], *, limit: int | None = None,
            articles_only: bool = False, **equals) -> tuple[tuple, ...]:
    """[(*group values, sum)] ordered by the sum, largest first."""
    columns = [DIMENSIONS[name] for name in by]
    total_col = func.sum(DailyMetric.value).label("total")
    query = select(*columns, total_col).where(*_where(metric, scope, **equals)).group_by(*columns)
    if articles_only:
        query = query.where(DailyMetric.article_id != 0)
    query = query.order_by(total_col.desc(), *columns)
    if limit:
        query = query.limit(limit)
    return tuple((*row[:-1], int(row[-1] or 0)) for row in session.execute(query))


def by_dimension(session: Session, metric: str, scope: Scope, by: str, **kwargs) -> dict:
    return {row[0]: row[1] for row in grouped(session, metric, scope, (by,), **kwargs)}


def daily(session: Session, metric: str, scope: Scope, **kwargs) -> dict[date, int]:
    return by_dimension(session, metric, scope, "day", **kwargs)


def weekly(session: Session, metric: str, scope: Scope, **kwargs) -> dict[date, int]:
    """Sums per Monday-starting week (partial weeks at the edges included as they are)."""
    out: dict[date, int] = defaultdict(int)
    for day, value in daily(session, metric, scope, **kwargs).items():
        out[m.week_start(day)] += value
    return dict(out)


@request_memo
def snapshot(session: Session, metric: str, scope: Scope) -> int:
    """A snapshot metric (followers) on the last day of the scope that has one."""
    last_day = session.scalar(select(func.max(DailyMetric.day)).where(*_where(metric, scope)))
    if last_day is None:
        return 0
    return total(session, metric, replace(scope, start=last_day, end=last_day))


def snapshot_series(session: Session, metric: str, scope: Scope) -> dict[date, int]:
    return daily(session, metric, scope)


def has_demo_rows(session: Session, scope: Scope) -> bool:
    return session.scalar(select(DailyMetric.id).where(
        DailyMetric.is_demo.is_(True), DailyMetric.day >= scope.start, DailyMetric.day <= scope.end).limit(1)) is not None


def first_day(session: Session) -> date | None:
    return session.scalar(select(func.min(DailyMetric.day)))
