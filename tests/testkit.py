"""Helpers importable from any test module (``from testkit import ...``).

Test folders have no ``__init__.py`` and several ``conftest.py`` files, so
``from conftest import ...`` is ambiguous; shared helpers live here instead
(``pythonpath = ["tests"]`` in pyproject.toml puts this folder on sys.path).
"""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from jinja2 import BytecodeCache
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.util import LRUCache

from web.app import create_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class _SharedTemplateCode(BytecodeCache):
    """Each template compiled once per test process instead of once per app.

    Every test builds its own app, each with its own Jinja environment, and
    compiling a console page's templates (parse + generate + ``compile``) costs
    more than rendering them. The compiled code does not depend on the
    environment it was made in (``Template.from_code`` binds it), all test apps
    configure Jinja alike, and the key includes a checksum of the source.
    Test-only; production builds one app per process.
    """

    def __init__(self) -> None:
        self._code: dict = {}

    def load_bytecode(self, bucket) -> None:
        bucket.code = self._code.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket) -> None:
        self._code[(bucket.key, bucket.checksum)] = bucket.code


_TEMPLATE_CODE = _SharedTemplateCode()


def _share_rule_parsing() -> None:
    """Parse each URL rule's text once per test process instead of once per app.

    ``Rule.compile`` parses the rule's text part by part with a regular expression:
    ~60 % of ``create_app`` once the builders are shared (``_share_url_builders`` in
    tests/conftest.py), and every test builds its own app. What the parse yields (the
    parts' regular expressions and weights, the trace) depends only on the text and on
    the converter classes the map names; the converter objects belong to each app's map,
    so they are made again, with the same arguments, for every rule. Test-only;
    production builds one app per process.
    """
    from werkzeug.routing.rules import Rule

    original = Rule._parse_rule
    if getattr(original, "shared", False):
        return
    parsed: dict = {}

    def shared(self, rule: str):
        key = (rule, tuple(sorted(self.map.converters.items())))
        if key not in parsed:
            made: list = []  # (variable, converter name, args, kwargs) as the parse asked for them
            get_converter = self.get_converter

            def recording(variable, name, args, kwargs):
                made.append((variable, name, args, kwargs))
                return get_converter(variable, name, args, kwargs)

            trace_from = len(self._trace)
            self.get_converter = recording
            try:
                parts = list(original(self, rule))
            finally:
                del self.get_converter
            parsed[key] = (parts, self._trace[trace_from:], made)
            return parts
        parts, trace, made = parsed[key]
        for variable, name, args, kwargs in made:
            self._converters[variable] = self.get_converter(variable, name, args, kwargs)
            self.arguments.add(variable)
        self._trace.extend(trace)
        return list(parts)

    shared.shared = True
    Rule._parse_rule = shared


_share_rule_parsing()


class _SharedDialects:
    """Each SQL statement compiled once per test process and backend instead of once per test.

    SQLAlchemy caches compiled statements under a key that holds the dialect object, and
    every engine has a dialect of its own: the engine's cache and the mappers' caches (the
    ORM's INSERT/UPDATE statements) start empty for every test on a new SQLite file, and
    compiling is about a tenth of a test's time. Engines of one backend get one dialect
    (initialised on its engine's first connection: same driver, same server) and one
    compiled cache. Test-only; production has one engine per process.
    """

    def __init__(self) -> None:
        self._shared: dict = {}  # (dialect name, driver) → (dialect, compiled cache)

    def share(self, engine) -> None:
        backend = (engine.dialect.name, engine.dialect.driver)
        if backend not in self._shared:
            with engine.connect():  # the dialect reads the server's version and features
                pass
            self._shared[backend] = (engine.dialect, LRUCache(20_000))
        engine.dialect, engine._compiled_cache = self._shared[backend]


_DIALECTS = _SharedDialects()


def make_test_app(database_url: str, instance: Path, **extra):
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key",
        "BASE_URL": "http://testserver.local",
        "LINE_CHANNEL_SECRET": None,
        "LINE_CHANNEL_ACCESS_TOKEN": None,
        "DISCORD_BOT_TOKEN": None,
    }
    config.update(extra)
    app = create_app(config)
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    _DIALECTS.share(app.extensions["db"].engine)
    return app


def app_on_copy(template: Path, folder: Path, **extra):
    """An app on a private copy of a migrated SQLite file, its instance folder inside ``folder``."""
    database = folder / "db.sqlite3"
    shutil.copy(template, database)
    return make_test_app(f"sqlite:///{database}", folder / "instance", **extra)


def _admin_engine(url: str):
    return create_engine(url, isolation_level="AUTOCOMMIT")


def worker_id() -> str:
    """``gw0``, ``gw1``… under pytest-xdist, ``main`` otherwise."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextmanager
def scratch_postgres_database(url: str, durable: bool = True):
    """A fresh database per test session (per xdist worker), so parallel runs never share state.

    ``durable=False`` (the test suite) turns off synchronous commit for it: a test database needs
    no crash safety, and every test commits many times. Benches keep the server's setting."""
    base = make_url(url)
    name = f"{base.database}_{worker_id()}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        if not durable:
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class PostgresSnapshot:
    """Every row of every table and every sequence's position, taken once, restored per test."""
    rows: list  # [(table, [row dict, ...])] in dependency order
    sequences: dict  # sequence name → last value (None: never used)


_SEQUENCES = text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()")
_SETVAL = text("SELECT setval(CAST(s.name AS regclass), s.value, s.called)"
               " FROM unnest(CAST(:names AS text[]), CAST(:values AS bigint[]), CAST(:called AS boolean[]))"
               " AS s(name, value, called)")
_snapshot_engines: dict = {}


def _engine(url: str):
    """One small engine per database for the whole session (snapshots are taken and put back often)."""
    engine = _snapshot_engines.get(url)
    if engine is None:
        engine = _snapshot_engines[url] = create_engine(url, pool_size=1)
    return engine


def dispose_snapshot_engine(url: str) -> None:
    engine = _snapshot_engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def capture_postgres(url: str, metadata) -> PostgresSnapshot:
    with _engine(url).connect() as conn:
        rows = [(table, found) for table in metadata.sorted_tables
                if (found := [dict(r._mapping) for r in conn.execute(
                    table.select().order_by(*table.primary_key.columns))])]
        sequences = dict(conn.execute(_SEQUENCES).all())
    return PostgresSnapshot(rows, sequences)


def restore_postgres(url: str, metadata, snapshot: PostgresSnapshot, triggers: bool = True) -> None:
    """Put the database back to ``snapshot``: what TRUNCATE ... RESTART IDENTITY and a reload would do.

    DELETE in reverse dependency order is ~10x faster than TRUNCATE on the
    small tables of a test (TRUNCATE rewrites each table's files).
    ``triggers=False``: the rows go back exactly as taken, with no trigger firing (a snapshot
    holding the roll-ups that triggers keep would otherwise get them twice).
    """
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with _engine(url).begin() as conn:
        if not triggers:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("".join(f"DELETE FROM {name};" for name in tables)))
        names = list(snapshot.sequences)
        if names:
            conn.execute(_SETVAL, {"names": names, "values": [snapshot.sequences[n] or 1 for n in names],
                                   "called": [snapshot.sequences[n] is not None for n in names]})
        for table, rows in snapshot.rows:
            conn.execute(table.insert(), rows)

