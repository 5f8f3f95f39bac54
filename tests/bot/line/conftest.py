"""Fixtures for the LINE adapter: the app wired to a local LINE stand-in."""
from __future__ import annotations

import pytest

from core.db import db
from testkit import make_test_app
from tests.bot.line.line_helpers import ACCESS_TOKEN, line_config
from tests.standins.line_api import LineStandin


@pytest.fixture
def line():
    with LineStandin(access_token=ACCESS_TOKEN) as standin:
        yield standin
        assert standin.response_errors == []  # the stand-in answered within the spec
        assert [str(r) for r in standin.validation_errors] == []  # LINE would have accepted every request


@pytest.fixture
def line_app(database_url, tmp_path, line):
    app = make_test_app(database_url, tmp_path / "instance", **line_config(line))
    with app.app_context():
        yield app
    db.session.remove()


@pytest.fixture
def line_demo_app(open_demo_app, line):
    """The demo content with LINE wired to the stand-in."""
    with open_demo_app(**line_config(line)) as app:
        yield app


@pytest.fixture
def demo_site(open_demo_app):
    """The demo content without LINE (the playground needs no LINE at all)."""
    with open_demo_app(BASE_URL="https://testserver.local") as app:
        yield app


@pytest.fixture
def client(line_app):
    return line_app.test_client()
