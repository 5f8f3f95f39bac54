"""Fixtures shared by the chat adapters' tests (LINE and Discord): apps on the demo content."""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from core.db import db
from testkit import make_test_app


@pytest.fixture(scope="session")
def bot_demo_template(sqlite_template, tmp_path_factory) -> Path:
    """A folder with ``demo.sqlite3`` (migrated, demo content imported) and the ``instance/``
    the import wrote (renditions, search index), built once per test session."""
    from content.demo import import_demo_content

    folder = tmp_path_factory.mktemp("bot-demo")
    path = folder / "demo.sqlite3"
    shutil.copy(sqlite_template, path)
    app = make_test_app(f"sqlite:///{path}", folder / "instance")
    with app.app_context():
        import_demo_content(app)
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))  # all rows into the file we copy
    db.session.remove()
    return folder


@pytest.fixture
def open_demo_app(request, database_url, tmp_path):
    """``with open_demo_app(copy_instance=False, **config) as app``: the demo articles and events,
    inside an app context. SQLite copies the session's template (and, with ``copy_instance``,
    its instance folder); PostgreSQL imports the demo content afresh."""
    @contextmanager
    def opened(copy_instance: bool = False, **config):
        instance = tmp_path / "instance"
        if database_url.startswith("sqlite"):
            template = request.getfixturevalue("bot_demo_template")
            shutil.copy(template / "demo.sqlite3", Path(database_url.removeprefix("sqlite:///")))
            if copy_instance:
                shutil.copytree(template / "instance", instance, dirs_exist_ok=True)
        app = make_test_app(database_url, instance, **config)
        with app.app_context():
            if not database_url.startswith("sqlite"):
                from content.demo import import_demo_content

                import_demo_content(app)
            yield app
        db.session.remove()
    return opened
