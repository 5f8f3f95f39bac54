"""Daily-rotated salts for cookie-less unique visitors (Plausible-style).

A visitor hash is sha256(salt of the day, host, IP, user agent). The salt
exists only while its day lasts: the worker deletes every older salt, after
which nobody (not even us) can link a hash back to an address or to the same
visitor on another day. Each process caches today's salt to keep the page-view
hook to a single INSERT.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
from datetime import date

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from kpi.models import DailySalt

# (database, day) -> salt; keyed by database so tests and tools with several databases stay apart.
_cache: dict[tuple[str, date], str] = {}
_lock = threading.Lock()


def salt_for(conn: Connection, day: date, create: bool = True) -> str | None:
    """The day's salt, created on first use (a concurrent creator wins and is reused).

    ``create=False`` is for a day that is already over: its salt may have been
    deleted on purpose and must not come back; None is returned then.
    """
    key = (conn.engine.url.render_as_string(), day)
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    salt = conn.scalar(select(DailySalt.salt).where(DailySalt.day == day))
    if salt is None:
        if not create:
            return None
        salt = _create(conn, day)
    with _lock:
        for old in [k for k in _cache if k[1] != day]:
            del _cache[old]  # older days must not linger in memory
        _cache[key] = salt
    return salt


def _create(conn: Connection, day: date) -> str:
    candidate = secrets.token_hex(32)
    try:
        with conn.begin_nested():
            conn.execute(insert(DailySalt).values(day=day, salt=candidate))
        return candidate
    except IntegrityError:
        return conn.scalar(select(DailySalt.salt).where(DailySalt.day == day))


def visitor_hash(salt: str, host: str, ip: str, user_agent: str) -> str:
    digest = hashlib.sha256("\x1f".join((salt, host.lower(), ip, user_agent)).encode("utf-8"))
    return digest.hexdigest()[:16]


def delete_salts_before(conn: Connection, today: date) -> int:
    """Drop the salts of finished days (the worker runs this right after midnight)."""
    result = conn.execute(delete(DailySalt).where(DailySalt.day < today))
    with _lock:
        for key in [k for k in _cache if k[1] < today]:
            del _cache[key]
    return result.rowcount or 0


def forget_cached_salts() -> None:
    """Tests and tools: make the next lookup read the database."""
    with _lock:
        _cache.clear()
