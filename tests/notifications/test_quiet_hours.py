"""Quiet hours (QUIET_HOURS, Japan time) defer pushes; urgent overrides them."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from broadcast_helpers import add_subscribers, drain, standin_config
from sqlalchemy import select

from core.db import db, utcnow
from messages.replies import BotResponse, Text
from notifications import launch, quiet_hours
from notifications.models import BroadcastDelivery, Subscriber
from notifications.service import create_broadcast, push_to_subscribers
from testkit import make_test_app

JST = ZoneInfo("Asia/Tokyo")


def at_jst(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=JST)


@pytest.mark.parametrize("moment, expected", [
    (at_jst(20, 59), at_jst(20, 59)),  # before the window
    (at_jst(21, 0), at_jst(8, 0, day=11)),  # start of the window
    (at_jst(23, 30), at_jst(8, 0, day=11)),
    (at_jst(3, 0), at_jst(8, 0)),  # after midnight: same morning
    (at_jst(8, 0), at_jst(8, 0)),  # the end is outside
])
def test_default_window_crosses_midnight(moment, expected):
    assert quiet_hours.deliver_at({"QUIET_HOURS": "21:00-08:00"}, moment) == expected


def test_window_within_a_day_disabled_and_urgent():
    assert quiet_hours.deliver_at({"QUIET_HOURS": "12:00-13:00"}, at_jst(12, 30)) == at_jst(13, 0)
    assert quiet_hours.deliver_at({"QUIET_HOURS": "12:00-13:00"}, at_jst(23, 0)) == at_jst(23, 0)
    assert quiet_hours.deliver_at({"QUIET_HOURS": ""}, at_jst(23, 0)) == at_jst(23, 0)
    assert quiet_hours.deliver_at({"QUIET_HOURS": "21:00-08:00"}, at_jst(23, 0), urgent=True) == at_jst(23, 0)
    utc_moment = at_jst(22, 0).astimezone(ZoneInfo("UTC"))  # the window is Japan time whatever the input zone
    assert quiet_hours.deliver_at({"QUIET_HOURS": "21:00-08:00"}, utc_moment) == at_jst(8, 0, day=11)


@pytest.mark.parametrize("value", ["21-08", "25:00-08:00", "night", "21:00-08:60"])
def test_malformed_setting_is_reported(value):
    with pytest.raises(quiet_hours.QuietHoursError):
        quiet_hours.parse(value)


def _night_window_now() -> str:
    """A quiet window that contains the current moment (whatever time the tests run)."""
    now = datetime.now(JST)
    start, end = now - timedelta(hours=1), now + timedelta(hours=2)
    return f"{start:%H:%M}-{end:%H:%M}"


@pytest.fixture
def night_app(database_url, tmp_path, line_api):
    app = make_test_app(database_url, tmp_path / "i", **standin_config(line_api, QUIET_HOURS=_night_window_now()))
    with app.app_context():
        yield app
    db.session.remove()


def test_broadcast_in_quiet_hours_waits_and_urgent_goes_now(night_app, line_api):
    session = db.session
    users = add_subscribers(session, 3)
    calm = create_broadcast(session, text="朝に届くお知らせ", channels=["line"])
    urgent = create_broadcast(session, text="緊急のお知らせ", channels=["line"], urgent=True)
    session.commit()
    assert calm.send_at > utcnow() + timedelta(minutes=100)
    assert urgent.send_at <= utcnow()

    drain(night_app, session)
    session.refresh(calm)
    assert calm.status == "queued"
    assert all(line_api.delivered_to(u) == 1 for u in users)  # only the urgent one
    texts = [c.json["messages"][0]["text"] for c in line_api.calls_to("/v2/bot/message/multicast")]
    assert texts == ["緊急のお知らせ"]


def test_a_late_start_inside_quiet_hours_is_deferred_again(night_app, line_api):
    session = db.session
    add_subscribers(session, 2)
    broadcast = create_broadcast(session, text="お知らせ", channels=["line"], urgent=False)
    broadcast.send_at = utcnow() - timedelta(minutes=5)  # e.g. the worker was down until now
    session.commit()
    assert launch.start_due(session, night_app.config) == []
    session.refresh(broadcast)
    assert broadcast.status == "queued" and broadcast.send_at > utcnow()
    assert line_api.calls_to("/v2/bot/message/multicast") == []


def test_pushes_respect_quiet_hours_unless_urgent(night_app, line_api):
    session = db.session
    add_subscribers(session, 2)
    ids = list(session.scalars(select(Subscriber.id)))
    reminder = push_to_subscribers(session, ids, BotResponse().add(Text("明日は見学会です")), reason="reminder")
    offer = push_to_subscribers(session, ids, BotResponse().add(Text("空きが出ました")), reason="waitlist",
                                urgent=True)
    session.commit()
    drain(night_app, session)
    rows = {r.broadcast_id: r for r in session.scalars(select(BroadcastDelivery))}
    assert rows[reminder.id].status == "pending" and rows[reminder.id].next_attempt_at > utcnow()
    assert rows[offer.id].status == "sent"
