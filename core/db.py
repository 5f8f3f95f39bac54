"""Database handle shared by the web app, the worker and the Discord process.

A small extension object (created at import, bound with ``init_app``) rather
than request globals: services take plain sessions, so the worker and the bots
use exactly the same code as the web views.
"""
from __future__ import annotations

import os
import time
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Deterministic constraint names keep Alembic autogenerate stable on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC on every backend.

    SQLite has no timezone type; without this, aware values come back naive
    and comparisons across the code base would silently go wrong.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware values")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    return datetime.now(UTC)


# How long an SQLite connection waits for another's write lock before "database is locked".
SQLITE_BUSY_TIMEOUT_SECONDS = 10


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the worker write while web workers read; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL syncs at checkpoints instead of every commit: a power cut may
    # lose the last commits but never corrupts the database (SQLite's documented trade-off).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_size=10, max_overflow=20)
    _ping_idle_connections(engine)
    return engine


# A connection back from the pool is pinged only when it sat idle this long: a ping on every
# checkout (pool_pre_ping) costs each request one more round trip, while a server restart
# drops connections that were idle, not ones used a moment ago (those fail once and the pool
# is invalidated by SQLAlchemy's disconnect handling).
IDLE_SECONDS_BEFORE_PING = 10.0


def _ping_idle_connections(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _note_checkin(_dbapi_connection, record) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < IDLE_SECONDS_BEFORE_PING:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("connection lost while idle in the pool") from exc
        if not alive:
            raise DisconnectionError("connection lost while idle in the pool")


class Database:
    """Engine + thread-scoped session, bound to an app with ``init_app``."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session = scoped_session(sessionmaker(expire_on_commit=False))
        self._fork_hook_installed = False

    def init_app(self, app) -> None:
        self.bind(app.config["DATABASE_URL"])
        if not self._fork_hook_installed:  # gunicorn forks its workers from the process that made the app
            os.register_at_fork(after_in_child=self.after_fork_in_child)
            self._fork_hook_installed = True
        app.extensions["db"] = self
        app.teardown_appcontext(self._remove_session)

    def bind(self, url: str) -> None:
        if self.engine is not None and str(self.engine.url) == url:
            return
        if self.engine is not None:
            self.session.remove()
            self.engine.dispose()
        self.engine = make_engine(url)
        self.session.configure(bind=self.engine)

    def after_fork_in_child(self) -> None:
        """A pooled connection of the parent must never be used by a child too (SQLAlchemy's
        after-fork rule): the child starts a pool of its own, the parent keeps its sockets."""
        if self.engine is not None:
            self.engine.dispose(close=False)

    def new_session(self) -> Session:
        """An independent session (for threads and jobs that must not share state)."""
        return Session(bind=self.engine, expire_on_commit=False)

    def _remove_session(self, _exc=None) -> None:
        self.session.remove()


db = Database()
