"""Which worker process runs the scheduled jobs: one leader, chosen by the database.

Several ``monozukuri worker`` processes may run against PostgreSQL. Jobs that
claim their rows (the LINE queue, the broadcast outbox) run in every process;
everything else (purges, roll-ups, reminders, scheduled publication) must run
once, so it runs only in the leader: the process holding a PostgreSQL advisory
lock on a connection of its own, kept for the process lifetime. When the
leader dies (even by SIGKILL) PostgreSQL ends its session and frees the lock;
the others try again every ``WORKER_LEADER_RETRY_SECONDS`` (a setting, 5 s by default)
and one of them takes over.

SQLite has no such lock and supports a single worker process only: there the
one process always leads.
"""
from __future__ import annotations

import logging
import os
import threading

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

# An arbitrary constant shared by every worker of this application ("mzkr" in ASCII).
LOCK_KEY = 0x6D7A6B72
APPLICATION_NAME = "monozukuri-worker-leader"


_LIVE_WORKERS_SQL = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE :prefix"
)


def live_workers(connection) -> int:
    """Worker processes running now (each keeps its leadership connection for its lifetime); at least 1.

    Lets a limit that is global on the platform's side (LINE's requests per second) be
    shared: each worker takes 1/N of it. SQLite runs a single worker.
    """
    if connection.dialect.name != "postgresql":
        return 1
    count = connection.scalar(_LIVE_WORKERS_SQL, {"prefix": f"{APPLICATION_NAME}:%"})
    return max(1, int(count or 0))


class Leadership:
    """Holds (or keeps trying to take) the leader lock; ``is_leader`` is cheap to ask."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._connection: Connection | None = None
        self._leader = engine.dialect.name != "postgresql"  # SQLite: the single worker leads
        self._lock = threading.Lock()

    @property
    def is_leader(self) -> bool:
        return self._leader

    def refresh(self) -> bool:
        """Try to become leader, or check the lock's connection is still alive; returns is_leader."""
        if self._engine.dialect.name != "postgresql":
            return True
        with self._lock:
            try:
                self._leader = self._confirm() if self._leader else self._try_acquire()
            except Exception as exc:  # the database is unreachable: nobody can be sure to lead
                log.warning("worker leadership check failed: %s", exc)
                self._drop_connection()
                self._leader = False
        return self._leader

    def _try_acquire(self) -> bool:
        if self._connection is None:
            # Kept for the process lifetime, like the lock (closing it would release the lock).
            self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._connection.execute(text("SELECT set_config('application_name', :name, false)"),
                                     {"name": f"{APPLICATION_NAME}:{os.getpid()}"})
        got = bool(self._connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}))
        if got:
            log.info("this worker (pid %d) now runs the scheduled jobs", os.getpid())
        return got

    def _confirm(self) -> bool:
        self._connection.scalar(text("SELECT 1"))
        return True

    def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
                self._connection.close()
            except Exception:  # already broken; nothing more to release
                pass
        self._connection = None

    def close(self) -> None:
        """Step down at once (a crash also frees the lock, once PostgreSQL notices the session ended)."""
        with self._lock:
            if self._leader and self._connection is not None:
                try:
                    self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                except Exception as exc:  # the session is going away anyway, and its lock with it
                    log.warning("could not release the worker leader lock: %s", exc)
            self._drop_connection()
            self._leader = self._engine.dialect.name != "postgresql"
