"""Reading the daily roll-ups (the dashboard never touches raw events).

All functions take a ``Scope`` (date range + optional channel) and sum
``kpi_daily_metrics.value``. Metrics that are snapshots (followers) are read at
a single day instead of summed.

Every function answers from one of two *frames* — aggregates of every metric
at once, read in one query each and kept for the rest of the request:

- the daily frame: per (metric, channel, day, tied to an article or not), over
  a window wide enough for the headline's previous week and the projection's
  observed weeks (totals, daily and weekly series, snapshots), read from
  ``kpi_daily_totals`` (~15 rows a day);
- the breakdown frame: per (metric, channel, persona, article, ref, label) over
  the scope's days (top lists, funnels by persona or article, events...), summed
  in SQL from ``kpi_weekly_metrics`` for the whole weeks of the scope and from
  ``kpi_daily_metrics`` for the few days at its edges.

Both derived tables are sums of ``kpi_daily_metrics`` kept by database triggers
(migration 0028), so they always agree with it. A dashboard render costs two
roll-up queries however many tables and funnel steps read them; a new metric or
funnel stage is just another key in the frames. Channel filters, limits and
ordering are applied in Python on these small sets.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import wraps

from flask import has_request_context, request
from sqlalchemy import BigInteger, and_, cast, func, or_, select, union_all
from sqlalchemy.orm import Session

from kpi import metrics as m
from kpi.models import DailyMetric, DailyTotal, WeeklyMetric

# Metrics without a channel dimension: a channel filter does not apply to them.
CHANNEL_LESS = {m.REFERRERS}
# Dimensions of each frame, in the order of their columns after (metric, channel).
DAILY_DIMS = ("day", "on_article")
BREAKDOWN_DIMS = ("persona", "article", "ref", "label")
# The daily frame reaches back this far from the scope's end (headline: 14 days, projection: 8 full weeks).
DAILY_WINDOW_DAYS = 70


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


# --- the two frames -----------------------------------------------------------------


class Frame:
    """Rows ``(channel, *dims, value)`` per metric, for the days ``start``..``end``."""

    def __init__(self, dims: tuple[str, ...], start: date, end: date, rows):
        self.dims, self.start, self.end = dims, start, end
        self.by_metric: dict[str, list[tuple]] = defaultdict(list)
        for row in rows:  # (metric, channel, *dims, value); the value is a whole number from SQL
            self.by_metric[row[0]].append(tuple(row[1:]))
        self._of_channel: dict[tuple[str, str], list[tuple]] = {}

    def covers(self, scope: Scope) -> bool:
        return self.start <= scope.start and scope.end <= self.end

    def column(self, name: str) -> int:
        return 0 if name == "channel" else 1 + self.dims.index(name)

    def of_channel(self, metric: str, channel: str | None) -> list[tuple]:
        """The metric's rows of one channel (None: of every channel), sorted out once per frame."""
        if channel is None:
            return self.by_metric.get(metric, [])
        key = (metric, channel)
        if key not in self._of_channel:
            self._of_channel[key] = [row for row in self.by_metric.get(metric, ()) if row[0] == channel]
        return self._of_channel[key]


def _read_frame(session: Session, dims: tuple[str, ...], query, start: date, end: date) -> Frame:
    return Frame(dims, start, end, session.execute(query))


def whole_weeks(start: date, end: date) -> tuple[date, date] | None:
    """The first and last Monday of the Monday–Sunday weeks lying wholly in start..end (None: none)."""
    first = start + timedelta(days=-start.weekday() % 7)
    last = m.week_start(end) - timedelta(days=0 if end.weekday() == 6 else 7)
    return (first, last) if first <= last else None


def request_cache(session: Session) -> dict:
    """Per-request memo of KPI reads (empty and unshared outside a request)."""
    return _frame_cache(session)


def _frame_cache(session: Session) -> dict:
    if not has_request_context():
        return {}  # tools and tests outside a request read afresh each time
    return request.environ.setdefault("kpi.frames", {}).setdefault(id(session), {})


def daily_frame(session: Session, scope: Scope) -> Frame:
    """Read from ``kpi_daily_totals``: the daily rows already summed per (day, metric, channel, on_article)."""
    cache = _frame_cache(session)
    frame = cache.get("daily")
    if frame is None or not frame.covers(scope):
        start = min(scope.start, scope.end - timedelta(days=DAILY_WINDOW_DAYS))
        if frame is not None:
            start, end = min(start, frame.start), max(scope.end, frame.end)
        else:
            end = scope.end
        query = (select(DailyTotal.metric, DailyTotal.channel, DailyTotal.day, DailyTotal.on_article, DailyTotal.value)
                 .where(DailyTotal.day >= start, DailyTotal.day <= end))
        frame = cache["daily"] = _read_frame(session, DAILY_DIMS, query, start, end)
    return frame


def breakdown_query(start: date, end: date):
    """Sums per (metric, channel, persona, article, ref, label) over start..end: the whole weeks
    from ``kpi_weekly_metrics``, only the days outside them from ``kpi_daily_metrics``."""
    weeks = whole_weeks(start, end)
    dims = ("metric", "channel", "persona", "article_id", "ref_id", "label")
    daily = select(*(getattr(DailyMetric, name) for name in dims), DailyMetric.value)
    if weeks is None:
        parts = daily.where(DailyMetric.day >= start, DailyMetric.day <= end)
    else:
        first, last = weeks
        edges = or_(and_(DailyMetric.day >= start, DailyMetric.day < first),
                    and_(DailyMetric.day > last + timedelta(days=6), DailyMetric.day <= end))
        weekly = (select(*(getattr(WeeklyMetric, name) for name in dims), WeeklyMetric.value)
                  .where(WeeklyMetric.week >= first, WeeklyMetric.week <= last))
        parts = union_all(weekly, daily.where(edges))
    rows = parts.subquery()
    columns = [rows.c[name] for name in dims]
    # BIGINT, not PostgreSQL's NUMERIC sum: the frame takes the values as they come.
    return select(*columns, cast(func.sum(rows.c.value), BigInteger)).group_by(*columns)


def breakdown_frame(session: Session, scope: Scope) -> Frame:
    cache = _frame_cache(session)
    key = ("breakdown", scope.start, scope.end)
    if key not in cache:
        cache[key] = _read_frame(session, BREAKDOWN_DIMS, breakdown_query(scope.start, scope.end),
                                 scope.start, scope.end)
    return cache[key]


# --- filtering the frames -------------------------------------------------------------


def _channel_wanted(metric: str, scope: Scope) -> str | None:
    """The one channel whose rows count for the scope, or None for every channel."""
    if metric == m.UNIQUE_VISITORS:
        return scope.channel  # "" rows are the whole-site count
    return None if not scope.channel or metric in CHANNEL_LESS else scope.channel


def _rows(session: Session, metric: str, scope: Scope, names: set[str], articles_only: bool, equals: dict):
    """The matching rows of the frame that knows every dimension in ``names``, and that frame."""
    wanted = names | set(equals) - {"channel"}
    frame = (daily_frame if wanted <= {"day"} else breakdown_frame)(session, scope)
    if "day" in wanted and frame.dims != DAILY_DIMS:
        raise ValueError("days cannot be combined with other dimensions")
    rows = frame.of_channel(metric, _channel_wanted(metric, scope))
    if "day" in frame.dims and not (scope.start <= frame.start and frame.end <= scope.end):
        day_col, start, end = frame.column("day"), scope.start, scope.end
        rows = [row for row in rows if start <= row[day_col] <= end]
    if articles_only:
        article_col = frame.column("on_article" if frame.dims == DAILY_DIMS else "article")
        rows = [row for row in rows if row[article_col]]
    for name, value in equals.items():
        col = frame.column(name)
        rows = [row for row in rows if row[col] == value]
    return frame, rows


# --- what the reports ask ---------------------------------------------------------------


@request_memo
def total(session: Session, metric: str, scope: Scope, **equals) -> int:
    _frame, rows = _rows(session, metric, scope, set(), False, equals)
    return sum(row[-1] for row in rows)


def article_views(session: Session, scope: Scope, **equals) -> int:
    _frame, rows = _rows(session, m.PAGE_VIEWS, scope, set(), True, equals)
    return sum(row[-1] for row in rows)


@request_memo
def grouped(session: Session, metric: str, scope: Scope, by: tuple[str, ...], *, limit: int | None = None,
            articles_only: bool = False, **equals) -> tuple[tuple, ...]:
    """[(*group values, sum)] ordered by the sum, largest first (ties by the group values)."""
    frame, rows = _rows(session, metric, scope, set(by), articles_only, equals)
    columns = [frame.column(name) for name in by]
    sums: dict[tuple, int] = {}
    get = sums.get
    if len(columns) == 1:
        (col,) = columns
        for row in rows:
            key = (row[col],)
            sums[key] = get(key, 0) + row[-1]
    else:
        for row in rows:
            key = tuple([row[col] for col in columns])
            sums[key] = get(key, 0) + row[-1]
    ordered = sorted(sums.items(), key=lambda item: (-item[1], item[0]))
    return tuple((*key, value) for key, value in ordered[:limit])


def by_dimension(session: Session, metric: str, scope: Scope, by: str, **kwargs) -> dict:
    return {row[0]: row[1] for row in grouped(session, metric, scope, (by,), **kwargs)}


def daily(session: Session, metric: str, scope: Scope, **kwargs) -> dict[date, int]:
    return by_dimension(session, metric, scope, "day", **kwargs)


def weekly(session: Session, metric: str, scope: Scope, **kwargs) -> dict[date, int]:
    """Sums per Monday-starting week (partial weeks at the edges included as they are)."""
    out: dict[date, int] = {}
    week_start = m.week_start
    for day, value in daily(session, metric, scope, **kwargs).items():
        monday = week_start(day)
        out[monday] = out.get(monday, 0) + value
    return out


def snapshot(session: Session, metric: str, scope: Scope) -> int:
    """A snapshot metric (followers) on the last day of the scope that has one."""
    series = daily(session, metric, scope)
    return series[max(series)] if series else 0


def snapshot_series(session: Session, metric: str, scope: Scope) -> dict[date, int]:
    return daily(session, metric, scope)


@request_memo
def has_demo_rows(session: Session, scope: Scope) -> bool:
    # ``is_demo`` as a plain condition (not ``IS TRUE``): what the partial index ix_kpi_daily_metrics_demo_day covers.
    return session.scalar(select(DailyMetric.id).where(
        DailyMetric.is_demo, DailyMetric.day >= scope.start, DailyMetric.day <= scope.end).limit(1)) is not None


def first_day(session: Session) -> date | None:
    return session.scalar(select(func.min(DailyMetric.day)))
