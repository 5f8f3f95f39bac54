"""Helpers importable from any test module (``from testkit import ...``).

Test folders have no ``__init__.py`` and several ``conftest.py`` files, so
``from conftest import ...`` is ambiguous; shared helpers live here instead
(``pythonpath = ["tests"]`` in pyproject.toml puts this folder on sys.path).
"""
from __future__ import annotations

import shutil
from pathlib import Path

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
