"""Shared fixtures: an app per database backend, migrated by Alembic.

Tests run on SQLite always and on PostgreSQL too when TEST_DATABASE_URL is set.
The schema is always built by the real migrations (never ``create_all``).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from core.db import db
from core.migrate import alembic_config
from testkit import PROJECT_ROOT, make_test_app, scratch_postgres_database  # noqa: F401
from web.model_registry import load_all_models

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _postgres_url() -> str:
    url = os.environ["TEST_DATABASE_URL"]
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def migrate(url: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(url), "head")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated():
    with scratch_postgres_database(_postgres_url()) as url:
        migrate(url)
        yield url
        db.session.remove()
        if db.engine is not None and db.engine.url.render_as_string(hide_password=False) == url:
            db.engine.dispose()


def _truncate_all(url: str) -> None:
    tables = [t.name for t in load_all_models().sorted_tables]
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "db.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_migrated")
    _truncate_all(url)
    return url


@pytest.fixture
def app(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path / "instance")
    with app.app_context():
        yield app
    db.session.remove()


@pytest.fixture
def postgres_app(request, tmp_path):
    """For behaviour that only PostgreSQL has (row locks); runs once, never on SQLite."""
    if "postgresql" not in BACKENDS:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (CI does)")
    url = request.getfixturevalue("postgres_migrated")
    _truncate_all(url)
    app = make_test_app(url, tmp_path / "instance")
    with app.app_context():
        yield app
    db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    return db.session


DEMO_DIR = PROJECT_ROOT / "content" / "demo"


@pytest.fixture
def demo_app(app):
    """The app with the demo content imported (the state ``make run`` produces)."""
    from content.demo import import_demo_content

    import_demo_content(app)
    return app
