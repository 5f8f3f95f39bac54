"""Daily roll-up: idempotent recomputation, retention pruning, demo rows left alone."""
from datetime import timedelta

import kpi_scenario as scenario
import pytest
from kpi_helpers import at
from kpi_scenario import DAY
from sqlalchemy import func, select

from kpi import demo, rollup, service
from kpi import metrics as m
from kpi.models import Click, DailyMetric, KpiEvent, PageView, RollupDay
from kpi.queries import Scope, total
from notifications.models import Subscriber


def metric_rows(session):
    session.expire_all()
    return sorted((r.day, r.metric, r.channel, r.persona, r.article_id, r.ref_id, r.label, r.value, r.is_demo)
                  for r in session.scalars(select(DailyMetric)))


@pytest.fixture
def built(app, session):
    return scenario.build(session, app.config["SECRET_KEY"])


def test_rolling_up_a_day_twice_gives_the_same_rows(app, session, built):
    secret = app.config["SECRET_KEY"]
    rollup.rollup_day(session, DAY, secret)
    session.commit()
    first = metric_rows(session)
    rollup.rollup_day(session, DAY, secret)
    session.commit()
    assert metric_rows(session) == first and first


def test_a_recomputed_day_picks_up_late_events(app, session, built):
    secret = app.config["SECRET_KEY"]
    rollup.rollup_day(session, DAY, secret)
    session.add(PageView(day=DAY, created_at=at(DAY), path="/", channel="web", visitor_hash="zz"))
    session.commit()
    rollup.rollup_day(session, DAY, secret)
    assert total(session, m.PAGE_VIEWS, Scope(DAY, DAY)) == 9


def test_unique_visitors_referrers_and_next_steps(app, session, built):
    rollup.rollup_day(session, DAY, app.config["SECRET_KEY"])
    scope = Scope(DAY, DAY)
    assert total(session, m.UNIQUE_VISITORS, scope) == 4  # a, b, c, d; the DNT view has no hash
    assert total(session, m.UNIQUE_VISITORS, Scope(DAY, DAY, "line")) == 3
    assert total(session, m.NEXT_STEP_VIEWS, scope) == 2
    assert total(session, m.FRIEND_LINK_OPENS, scope) == 1
    assert total(session, m.BOT_COMMANDS, scope) == 1
    assert total(session, m.WAITLISTED, scope) == 1


def test_follows_come_from_events_when_the_bot_records_them(app, session):
    secret = app.config["SECRET_KEY"]
    session.add(Subscriber(channel="line", external_id="U9", status="active", created_at=at(DAY), followed_at=at(DAY)))
    session.commit()
    rollup.rollup_day(session, DAY, secret)
    assert total(session, m.FOLLOWS, Scope(DAY, DAY)) == 1  # derived from the subscriber row
    for _ in range(2):
        service.record_event(session, "follow", channel="line", at=at(DAY))
    service.record_event(session, "refollow", channel="line", at=at(DAY))
    session.commit()
    rollup.rollup_day(session, DAY, secret)
    assert total(session, m.FOLLOWS, Scope(DAY, DAY)) == 2  # events win; no double counting
    assert total(session, m.REFOLLOWS, Scope(DAY, DAY)) == 1
    assert total(session, m.FOLLOWERS, Scope(DAY, DAY)) == 1


def test_derived_refollows_and_unfollows(app, session):
    session.add(Subscriber(channel="line", external_id="U1", status="active", created_at=at(DAY - timedelta(days=30)),
                           followed_at=at(DAY)))
    session.add(Subscriber(channel="line", external_id="U2", status="blocked", created_at=at(DAY - timedelta(days=30)),
                           followed_at=at(DAY - timedelta(days=30)), unfollowed_at=at(DAY)))
    session.commit()
    rollup.rollup_day(session, DAY, app.config["SECRET_KEY"])
    scope = Scope(DAY, DAY)
    assert (total(session, m.REFOLLOWS, scope), total(session, m.UNFOLLOWS, scope)) == (1, 1)
    assert total(session, m.FOLLOWERS, scope) == 1
    assert total(session, m.FOLLOWERS, Scope(DAY - timedelta(days=1), DAY - timedelta(days=1))) == 0


def test_retention_aggregates_then_drops_raw_events(app, session, built):
    secret = app.config["SECRET_KEY"]
    today = DAY + timedelta(days=91)
    recent = today - timedelta(days=3)
    session.add(PageView(day=recent, created_at=at(recent), path="/", channel="web", visitor_hash="r"))
    session.commit()
    result = rollup.run(session, today, secret, retention=90)
    session.commit()
    assert result["pruned"] == [DAY] and recent in result["rolled_up"]
    for table in (PageView, Click, KpiEvent):
        assert session.scalar(select(func.count()).select_from(table).where(table.day == DAY)) == 0
    assert session.scalar(select(func.count()).select_from(PageView)) == 1  # the recent one stays
    assert total(session, m.PAGE_VIEWS, Scope(DAY, DAY)) == 8
    assert session.get(RollupDay, DAY).raw_pruned


def test_a_pruned_day_is_never_recomputed_from_nothing(app, session, built):
    secret = app.config["SECRET_KEY"]
    rollup.run(session, DAY + timedelta(days=100), secret, retention=90)
    session.commit()
    before = [r for r in metric_rows(session) if r[0] == DAY]
    assert rollup.rollup_day(session, DAY, secret) is False
    rollup.run(session, DAY + timedelta(days=101), secret, retention=90)
    session.commit()
    assert [r for r in metric_rows(session) if r[0] == DAY] == before and before


def test_days_with_raw_events_are_caught_up_after_downtime(app, session, built):
    assert DAY in rollup.days_to_roll_up(session, DAY + timedelta(days=20))
    rollup.rollup_day(session, DAY, app.config["SECRET_KEY"])
    session.commit()
    assert DAY not in rollup.days_to_roll_up(session, DAY + timedelta(days=20))


def test_demo_rows_survive_a_roll_up_of_their_day(app, session):
    demo.create_demo(session, DAY)
    session.commit()
    demo_rows = [r for r in metric_rows(session) if r[0] == DAY]
    rollup.rollup_day(session, DAY, app.config["SECRET_KEY"])
    session.commit()
    assert [r for r in metric_rows(session) if r[0] == DAY] == demo_rows


@pytest.mark.parametrize("raw, expected", [(None, 90), ("", 90), ("30", 30)])
def test_retention_setting(raw, expected, monkeypatch):
    monkeypatch.delenv("KPI_RAW_RETENTION_DAYS", raising=False)
    assert rollup.retention_days({"KPI_RAW_RETENTION_DAYS": raw}) == expected


@pytest.mark.parametrize("raw", ["zero", "0", "-5"])
def test_bad_retention_setting_is_a_clear_error(raw):
    with pytest.raises(ValueError, match="KPI_RAW_RETENTION_DAYS"):
        rollup.retention_days({"KPI_RAW_RETENTION_DAYS": raw})


def test_retention_from_the_environment(monkeypatch):
    monkeypatch.setenv("KPI_RAW_RETENTION_DAYS", "14")
    assert rollup.retention_days({}) == 14


def test_the_worker_job_rolls_up_and_commits(app, session):
    from kpi import jobs

    session.add(PageView(day=m.jst_day(), created_at=at(m.jst_day()), path="/", channel="web", visitor_hash="x"))
    session.commit()
    jobs.rollup_job(app)
    assert total(session, m.PAGE_VIEWS, Scope(m.jst_day(), m.jst_day())) == 1
