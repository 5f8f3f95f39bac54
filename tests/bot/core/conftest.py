"""Fixtures for the bot core: a fake adapter driving the real engine."""
from __future__ import annotations

import pytest

from bot.core.testing import FakeAdapter


@pytest.fixture
def bot(app, session):
    """The core on an empty database (settings and privacy need no content)."""
    return FakeAdapter(session, app.config)


@pytest.fixture
def demo_bot(demo_app, session):
    """The core on the demo content (articles, events, tags, images)."""
    return FakeAdapter(session, demo_app.config)
