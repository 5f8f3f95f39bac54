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


def _share_url_builders() -> None:
    """Compile each URL rule's builder once per test session instead of once per app.

    Every test builds its own app, and werkzeug compiles two Python functions per
    URL rule (via ``ast`` + ``compile``) each time: ~80 % of ``create_app``. The
    compiled function depends only on the rule's text, trace and defaults (it
    reaches the rule's converters through its ``self`` argument), so identical
    rules can share it. Test-only; production builds one app per process.
    """
    from werkzeug.routing.rules import Rule

    original = Rule._compile_builder
    if getattr(original, "shared", False):
        return
    compiled: dict = {}

    def shared(self, append_unknown: bool = True):
        defaults = tuple(sorted((k, repr(v)) for k, v in (self.defaults or {}).items()))
        converters = tuple((name, type(c).__name__) for name, c in self._converters.items())
        key = (self.rule, tuple(self._trace), converters, defaults, append_unknown)
        if key not in compiled:
            compiled[key] = original(self, append_unknown)
        return compiled[key]

    shared.shared = True
    Rule._compile_builder = shared


_share_url_builders()

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
        _remember_seed_rows(url)
        yield url
        engine = _clean_engines.pop(url, None)
        if engine is not None:
            engine.dispose()
        db.session.remove()
        if db.engine is not None and db.engine.url.render_as_string(hide_password=False) == url:
            db.engine.dispose()


_RESET_SEQUENCES = text(
    "SELECT setval(s.oid, 1, false) FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace"
    " WHERE s.relkind = 'S' AND n.nspname = current_schema()"
)
_clean_engines: dict = {}
_seed_rows: dict = {}  # url → [(table, rows)] that the data migrations wrote (e.g. announce rules)


def _remember_seed_rows(url: str) -> None:
    """What a freshly migrated database holds, so every test starts from it (as on SQLite)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        _seed_rows[url] = [(table, rows) for table in load_all_models().sorted_tables
                           if (rows := [dict(r._mapping) for r in conn.execute(table.select())])]
    engine.dispose()


def _truncate_all(url: str) -> None:
    """Empty every table and restart every id sequence, as TRUNCATE ... RESTART IDENTITY would.

    DELETE in reverse dependency order is ~10x faster than TRUNCATE on the
    small tables of a test (TRUNCATE rewrites each table's files); one engine
    per database is kept for the whole session.
    """
    engine = _clean_engines.get(url)
    if engine is None:
        engine = _clean_engines[url] = create_engine(url, pool_size=1)
    tables = [t.name for t in reversed(load_all_models().sorted_tables)]
    with engine.begin() as conn:
        conn.execute(text("".join(f"DELETE FROM {name};" for name in tables)))
        conn.execute(_RESET_SEQUENCES)
        for table, rows in _seed_rows.get(url, []):
            conn.execute(table.insert(), rows)


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
