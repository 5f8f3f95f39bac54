"""Fixtures for the LINE adapter: the app wired to a local LINE stand-in."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import make_test_app
from tests.standins.line_api import LineStandin
from tests.standins.line_webhook import signed_request, webhook_body
from web.db import db

CHANNEL_SECRET = "test-line-channel-secret"
ACCESS_TOKEN = "test-channel-access-token"
USER = "U" + "a1" * 16
OTHER_USER = "U" + "b2" * 16


@pytest.fixture
def line():
    with LineStandin(access_token=ACCESS_TOKEN) as standin:
        yield standin


def line_config(line: LineStandin) -> dict:
    return {
        "LINE_CHANNEL_SECRET": CHANNEL_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN,
        "LINE_API_BASE_URL": line.base_url,
        "BASE_URL": "https://testserver.local",
    }


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


def post_events(client, events: list[dict], secret: str = CHANNEL_SECRET):
    raw, headers = signed_request(webhook_body(events), secret)
    return client.post("/callback", data=raw, headers=headers)


def post_raw(client, raw: bytes, secret: str = CHANNEL_SECRET, **extra_headers):
    from tests.standins.line_webhook import sign

    headers = {"Content-Type": "application/json", "X-Line-Signature": sign(raw, secret), **extra_headers}
    return client.post("/callback", data=raw, headers=headers)


def jobs(session, kind: str | None = None):
    from sqlalchemy import select

    from bot.line.models import BotJob

    session.expire_all()
    query = select(BotJob).order_by(BotJob.id)
    if kind:
        query = query.where(BotJob.kind == kind)
    return session.scalars(query).all()


def sent_messages(line: LineStandin, kind: str | None = None) -> list[dict]:
    return [m for sent in line.outbox if kind in (None, sent.kind) for m in sent.messages]


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
