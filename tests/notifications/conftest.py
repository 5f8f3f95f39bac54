"""Fixtures for broadcasting: an app wired to the LINE and Discord stand-ins."""
from __future__ import annotations

import pytest
from broadcast_helpers import DISCORD_CHANNEL, standin_config

from core.db import db
from testkit import make_test_app
from tests.standins.discord_api import DiscordStandin
from tests.standins.line_api import LineStandin


@pytest.fixture
def line_api():
    with LineStandin(quota_limit=None) as standin:
        yield standin


@pytest.fixture
def discord_api():
    with DiscordStandin() as standin:
        standin.add_channel(DISCORD_CHANNEL, name="お知らせ")
        yield standin


@pytest.fixture
def bapp(database_url, tmp_path, line_api, discord_api):
    """The app with LINE and Discord pointed at the stand-ins, quiet hours off, fast retries."""
    app = make_test_app(database_url, tmp_path / "instance", **standin_config(line_api, discord_api))
    with app.app_context():
        yield app
    db.session.remove()


@pytest.fixture
def session(bapp):
    return db.session
