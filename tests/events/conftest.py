"""Fixtures for the events tests: events to register for, a recording push fake, staff clients."""
from __future__ import annotations

from datetime import timedelta

import pytest
from events_helpers import PushRecorder, make_event, make_subscriber

from core.db import utcnow


@pytest.fixture
def workshop(session):
    return make_event(session, kind="workshop", capacity=10)


@pytest.fixture
def tour(session):
    return make_event(session, kind="tour", capacity=5, title="町工場の見学会（テスト）")


@pytest.fixture
def past_event(session):
    return make_event(session, kind="tour", starts_at=utcnow() - timedelta(days=1), deadline=None)


@pytest.fixture
def pushes(monkeypatch):
    """Records what would be pushed to chat users (the outbox itself is tested by notifications)."""
    recorder = PushRecorder()
    monkeypatch.setattr("events.notify.push", recorder)
    return recorder


@pytest.fixture
def line_user(session):
    return make_subscriber(session, "line", "U-parent-1")


@pytest.fixture(autouse=True)
def human_speed_forms(request):
    """Test clients post forms at once; the scripted-look checks have their own tests (test_events_rules)."""
    if "app" not in request.fixturenames:  # tests on their own app (app_on_copy) are not made to use ours
        return
    app = request.getfixturevalue("app")
    app.config.update(EVENT_MIN_FILL_SECONDS=0, EVENT_BURST_COUNT=1000, EVENT_LIMIT_PER_IP_HOUR=1000,
                      EVENT_LIMIT_PER_CONTACT_DAY=1000)
