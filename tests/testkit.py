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
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from web.app import create_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    return create_app(config)


def app_on_copy(template: Path, folder: Path, **extra):
    """An app on a private copy of a migrated SQLite file, its instance folder inside ``folder``."""
    database = folder / "db.sqlite3"
    shutil.copy(template, database)
    return make_test_app(f"sqlite:///{database}", folder / "instance", **extra)


def _admin_engine(url: str):
    return create_engine(url, isolation_level="AUTOCOMMIT")


@contextmanager
def scratch_postgres_database(url: str):
    """A fresh database per test session, so parallel runs never share state."""
    base = make_url(url)
    name = f"{base.database}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
