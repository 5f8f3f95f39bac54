"""Fixtures of the X channel's tests: the X stand-in and an app posting to it."""
from __future__ import annotations

import pytest
from standins.x_api import XApiStandin

from core.db import db
from tests.bot.x.x_helpers import x_app
from tests.notifications.broadcast_helpers import login, make_staff


@pytest.fixture
def x_api():
    with XApiStandin() as standin:
        yield standin


@pytest.fixture
def app(database_url, tmp_path, x_api):
    app = x_app(database_url, tmp_path, X_USER_ACCESS_TOKEN=x_api.token, X_API_BASE_URL=x_api.base_url,
                X_ACCOUNT_URL="https://x.com/ota_monozukuri")
    with app.app_context():
        yield app
    db.session.remove()


@pytest.fixture
def ward(app):
    client = app.test_client()
    login(client, make_staff(db.session, "ward"))
    return client
