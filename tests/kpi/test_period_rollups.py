"""kpi_daily_totals and kpi_weekly_metrics: always the sums of kpi_daily_metrics (database triggers),
and the breakdown read from whole weeks + edge days equals summing the daily rows directly."""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import kpi_scenario as scenario
import pytest
from kpi_scenario import DAY
from sqlalchemy import delete, func, select, text, update

from kpi import demo, rollup
from kpi import metrics as m
from kpi.models import DailyMetric, DailyTotal, WeeklyMetric
from kpi.queries import breakdown_query, whole_weeks

DIMS = ("metric", "channel", "persona", "article_id", "ref_id", "label")


def daily_rows(session) -> list[DailyMetric]:
    session.expire_all()
    return list(session.scalars(select(DailyMetric)))


def expected_weekly(session) -> Counter:
    sums: Counter = Counter()
    for row in daily_rows(session):
        sums[(m.week_start(row.day), *(getattr(row, name) for name in DIMS))] += row.value
    return sums


def expected_totals(session) -> Counter:
    sums: Counter = Counter()
    for row in daily_rows(session):
        sums[(row.day, row.metric, row.channel, row.article_id != 0)] += row.value
    return sums


def stored_weekly(session) -> Counter:
    return Counter({(r.week, *(getattr(r, name) for name in DIMS)): r.value
                    for r in session.scalars(select(WeeklyMetric))})


def stored_totals(session) -> Counter:
    return Counter({(r.day, r.metric, r.channel, bool(r.on_article)): r.value for r in session.scalars(select(DailyTotal))})


def assert_in_step(session) -> None:
    weekly, totals = expected_weekly(session), expected_totals(session)
    assert stored_weekly(session) == weekly
    assert stored_totals(session) == totals
    # No leftover rows: each derived row counts exactly the daily rows behind it.
    assert session.scalar(select(func.count()).select_from(WeeklyMetric)) == len(weekly)
    assert session.scalar(select(func.count()).select_from(DailyTotal)) == len(totals)


def put(session, day: date, value: int, **dims) -> None:
    session.add(DailyMetric(day=day, metric=dims.pop("metric", m.CLICKS), value=value, **dims))
    session.commit()


def test_every_write_to_the_daily_rows_is_reflected(app, session):
    monday = date(2026, 9, 7)
    put(session, monday, 3, channel="line", article_id=4)
    put(session, monday + timedelta(days=6), 2, channel="line", article_id=4)  # Sunday: the same week
    put(session, monday + timedelta(days=7), 5, channel="line", article_id=4)  # next Monday: the next week
    put(session, monday, 7, channel="line", metric=m.PAGE_VIEWS, label="/")
    put(session, monday, 0, channel="web", metric=m.PAGE_VIEWS, label="/zero")  # a zero still is a row
    assert_in_step(session)
    assert stored_weekly(session)[(monday, m.CLICKS, "line", "", 4, 0, "")] == 5
    assert stored_totals(session)[(monday, m.PAGE_VIEWS, "line", False)] == 7

    session.execute(update(DailyMetric).where(DailyMetric.metric == m.PAGE_VIEWS).values(value=DailyMetric.value + 1))
    session.commit()
    assert_in_step(session)
    session.execute(delete(DailyMetric).where(DailyMetric.day == monday))
    session.commit()
    assert_in_step(session)
    assert (monday, m.PAGE_VIEWS, "web", False) not in stored_totals(session)  # gone with its last daily row
    session.execute(delete(DailyMetric))
    session.commit()
    assert session.scalar(select(func.count()).select_from(WeeklyMetric)) == 0
    assert session.scalar(select(func.count()).select_from(DailyTotal)) == 0


def test_the_roll_up_and_the_demo_keep_them_in_step(app, session):
    secret = app.config["SECRET_KEY"]
    scenario.build(session, secret)
    rollup.rollup_day(session, DAY, secret)
    session.commit()
    assert_in_step(session)
    demo.create_demo(session, DAY + timedelta(days=3))
    session.commit()
    assert_in_step(session)
    rollup.rollup_day(session, DAY, secret)  # recomputed: deleted and inserted again
    session.commit()
    assert_in_step(session)
    demo.clear_demo(session)
    session.commit()
    assert_in_step(session)
    assert stored_weekly(session)


@pytest.mark.parametrize(("start", "end", "weeks"), [
    (date(2026, 9, 7), date(2026, 9, 13), (date(2026, 9, 7), date(2026, 9, 7))),  # Monday..Sunday
    (date(2026, 9, 8), date(2026, 9, 13), None),  # Tuesday..Sunday
    (date(2026, 9, 7), date(2026, 9, 12), None),  # Monday..Saturday
    (date(2026, 9, 6), date(2026, 9, 21), (date(2026, 9, 7), date(2026, 9, 14))),
    (date(2026, 9, 10), date(2026, 9, 10), None),
])
def test_whole_weeks(start, end, weeks):
    assert whole_weeks(start, end) == weeks


def test_the_breakdown_equals_summing_the_daily_rows(app, session):
    rng = random.Random(7)
    first = date(2026, 8, 1)
    keys = {(first + timedelta(days=rng.randint(0, 80)), rng.choice((m.CLICKS, m.PAGE_VIEWS)), rng.choice(("line", "web")),
             rng.choice(("", "student")), rng.choice((0, 1, 2)), rng.choice((0, 9)), rng.choice(("", "/a")),
             rng.random() < 0.2) for _ in range(600)}
    session.add_all(DailyMetric(**dict(zip(("day", *DIMS, "is_demo"), key)), value=rng.randint(0, 5))
                    for key in sorted(keys))
    session.commit()
    rows = daily_rows(session)
    for _ in range(40):
        start = first + timedelta(days=rng.randint(-3, 80))
        end = start + timedelta(days=rng.randint(0, 40))
        expected: Counter = Counter()
        for row in rows:
            if start <= row.day <= end:
                expected[tuple(getattr(row, name) for name in DIMS)] += row.value
        got = {tuple(row[:-1]): row[-1] for row in session.execute(breakdown_query(start, end))}
        assert got == dict(expected), (start, end)


def test_the_triggers_exist_after_the_migrations(app, session):
    """A later migration that rebuilds kpi_daily_metrics (SQLite batch mode) must create them again."""
    if session.get_bind().dialect.name == "postgresql":
        names = session.scalars(text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'kpi_daily_metrics'::regclass"
                                     " AND NOT tgisinternal")).all()
    else:
        names = session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                     " AND tbl_name = 'kpi_daily_metrics'")).all()
    assert {"kpi_daily_metrics_inserted", "kpi_daily_metrics_updated", "kpi_daily_metrics_deleted"} <= set(names)
