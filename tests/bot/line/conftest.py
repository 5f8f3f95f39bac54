"""Fixtures for the LINE adapter: the app wired to a local LINE stand-in."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from testkit import make_test_app
from tests.bot.line.line_helpers import ACCESS_TOKEN, line_config
from tests.standins.line_api import LineStandin
from web.db import db


@pytest.fixture
def line():
    with LineStandin(access_token=ACCESS_TOKEN) as standin:
        yield standin


@pytest.fixture
def line_app(database_url, tmp_path, line):
    app = make_test_app(database_url, tmp_path / "instance", **line_config(line))
    with app.app_context():
        yield app
    db.session.remove()


@pytest.fixture(scope="session")
def demo_sqlite_template(sqlite_template, tmp_path_factory) -> Path:
    """A migrated SQLite file with the demo content, imported once per test session."""
    from content.demo import import_demo_content

    folder = tmp_path_factory.mktemp("line-demo")
    path = folder / "demo.sqlite3"
    shutil.copy(sqlite_template, path)
    app = make_test_app(f"sqlite:///{path}", folder / "instance")
    with app.app_context():
        import_demo_content(app)
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))  # all rows into the file we copy
    db.session.remove()
    return path


def _demo_app(request, database_url: str, instance: Path, **config):
    """An app with the demo articles and events (copied from a template on SQLite)."""
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        shutil.copy(request.getfixturevalue("demo_sqlite_template"), path)
    app = make_test_app(database_url, instance, **config)
    with app.app_context():
        if not database_url.startswith("sqlite"):
            from content.demo import import_demo_content

            import_demo_content(app)
        yield app
    db.session.remove()


@pytest.fixture
def line_demo_app(request, database_url, tmp_path, line):
    """The demo content with LINE wired to the stand-in."""
    yield from _demo_app(request, database_url, tmp_path / "instance", **line_config(line))


@pytest.fixture
def demo_site(request, database_url, tmp_path):
    """The demo content without LINE (the playground needs no LINE at all)."""
    yield from _demo_app(request, database_url, tmp_path / "instance", BASE_URL="https://testserver.local")


@pytest.fixture
def client(line_app):
    return line_app.test_client()
