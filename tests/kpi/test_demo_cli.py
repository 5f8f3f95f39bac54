"""Demo activity, the ``monozukuri kpi`` commands, KPI event recording and the worker wiring."""
from datetime import date

import pytest
from apscheduler.schedulers.blocking import BlockingScheduler
from kpi_helpers import at
from sqlalchemy import func, select

from core.db import db
from kpi import demo, jobs, service
from kpi import metrics as m
from kpi.models import DailyMetric, KpiEvent, PageView
from kpi.queries import Scope, total
from notifications.models import Subscriber
from notifications.subscriptions import FollowResult
from web import cli

END = date(2026, 6, 28)


def demo_count(session, flag=True):
    return session.scalar(select(func.count()).select_from(DailyMetric).where(DailyMetric.is_demo.is_(flag)))


def test_demo_fills_ten_weeks_of_every_kind_of_activity(app, session):
    demo.create_demo(session, END)
    scope = Scope(date(2026, 4, 20), END)
    for metric in (m.FOLLOWERS, m.FOLLOWS, m.PAGE_VIEWS, m.UNIQUE_VISITORS, m.CLICKS, m.DELIVERED,
                   m.REGISTRATIONS, m.ATTENDANCES, m.SEARCHES, m.ZERO_RESULT_SEARCHES, m.NEXT_STEP_VIEWS,
                   m.FRIEND_LINK_OPENS, m.DISCORD_JOINS, m.BOT_COMMANDS, m.REFERRERS):
        assert total(session, metric, scope) > 0, metric
    days = session.scalars(select(DailyMetric.day).distinct()).all()
    assert min(days) == date(2026, 4, 20) and max(days) == END
    assert demo_count(session, False) == 0


def test_demo_is_deterministic_and_replaces_itself(app, session):
    demo.create_demo(session, END)
    first = demo_count(session)
    demo.create_demo(session, END)
    assert demo_count(session) == first


def test_clear_removes_only_demo_rows(app, session):
    session.add(DailyMetric(day=END, metric=m.PAGE_VIEWS, value=5))
    demo.create_demo(session, END)
    demo.clear_demo(session)
    assert demo_count(session) == 0 and demo_count(session, False) == 1


def test_setup_demo_step_runs_only_on_empty_kpi_tables(app, session):
    demo.demo_step(app)
    filled = demo_count(session)
    assert filled > 0
    demo.clear_demo(session)
    session.add(PageView(day=END, created_at=at(END), path="/", channel="web"))
    session.commit()
    demo.demo_step(app)
    assert demo_count(session) == 0  # real data exists: no demo on top of it


def test_cli_demo_and_clear(app, monkeypatch, capsys):
    monkeypatch.setattr("web.app.create_app", lambda *a, **k: app)
    assert cli.main(["kpi", "demo"]) == 0
    assert "demo row(s)" in capsys.readouterr().out
    assert demo_count(db.session) > 0
    assert cli.main(["kpi", "demo", "--clear"]) == 0
    assert demo_count(db.session) == 0


def test_cli_rollup_of_one_day_and_bad_day(app, monkeypatch, capsys):
    monkeypatch.setattr("web.app.create_app", lambda *a, **k: app)
    db.session.add(PageView(day=END, created_at=at(END), path="/", channel="web"))
    db.session.commit()
    assert cli.main(["kpi", "rollup", "--day", END.isoformat()]) == 0
    assert total(db.session, m.PAGE_VIEWS, Scope(END, END)) == 1
    assert cli.main(["kpi", "rollup", "--day", "28/06/2026"]) == 2
    assert "--day must look like" in capsys.readouterr().err


def test_cli_fetch_insight_without_line_is_a_clear_error(app, monkeypatch, capsys):
    monkeypatch.setattr("web.app.create_app", lambda *a, **k: app)
    assert cli.main(["kpi", "fetch-insight"]) == 2
    assert "LINE_CHANNEL_ACCESS_TOKEN" in capsys.readouterr().err


def test_record_follow_result_counts_new_and_restored_only(app, session):
    person = Subscriber(channel="line", external_id="U1", persona="student", inflow_source="event-flyer")
    service.record_follow_result(session, FollowResult(person, "new"))
    service.record_follow_result(session, FollowResult(person, "restored"))
    assert service.record_follow_result(session, FollowResult(person, "already")) is None
    service.record_unfollow(session, person)
    session.flush()
    rows = [(e.kind, e.channel, e.persona, e.label) for e in session.scalars(select(KpiEvent).order_by(KpiEvent.id))]
    assert rows == [("follow", "line", "student", "event-flyer"), ("refollow", "line", "student", ""),
                    ("unfollow", "line", "student", "")]


def test_discord_bot_events(app, session):
    service.record_bot_event(session, "discord", "join")
    service.record_bot_event(session, "discord", "command", label="/events")
    session.commit()
    from kpi import rollup

    rollup.rollup_day(session, m.jst_day(), app.config["SECRET_KEY"])
    today = Scope(m.jst_day(), m.jst_day())
    assert total(session, m.DISCORD_JOINS, today) == 1 and total(session, m.BOT_COMMANDS, today) == 1
    with pytest.raises(ValueError):
        service.record_bot_event(session, "discord", "dance")


def test_worker_registers_the_kpi_jobs(app):
    scheduler = BlockingScheduler(timezone="Asia/Tokyo")
    jobs.register_jobs(scheduler, app)
    assert {j.id for j in scheduler.get_jobs()} == {"kpi_delete_salts", "kpi_rollup", "kpi_line_insight"}
    from core.domains import optional_modules

    assert jobs in list(optional_modules(app.extensions["domains"], "jobs"))  # the worker builds from these
