"""Search fixtures: the demo content without image renditions (fast), on every backend.

``search_app``      — the ``app`` fixture (SQLite and PostgreSQL) with the demo articles imported
                       and indexed (a copy of the session's import, see ``DemoSnapshots`` in tests/conftest.py).
``unindexed_search_app`` — the same before its search index is built.
``demo_search_app`` — SQLite only, read-only tests: a copy of a database and index built
                       once per session (the relevance set, the views, ranking). Use
                       ``demo_session`` with it, never ``session`` (that one brings its own app).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import content.importer
from core.db import db
from testkit import make_test_app


def _no_renditions(_image, _media_dir, slug):
    return slug, []


@pytest.fixture
def search_app(demo_text_content, app, database_url, monkeypatch):
    monkeypatch.setattr(content.importer, "store_renditions", _no_renditions)
    demo_text_content.get(database_url, renditions=False).copy_instance(app.instance_path)
    return app


@pytest.fixture
def unindexed_search_app(demo_text_content, app, database_url, monkeypatch):
    """``search_app`` with the instance folder exactly as the import left it: no search index
    (``search_app`` adds the one built from the import; tests of a missing index start here)."""
    monkeypatch.setattr(content.importer, "store_renditions", _no_renditions)
    demo_text_content.get(database_url, renditions=False).copy_instance(app.instance_path, search_index=False)
    return app


@pytest.fixture(scope="session")
def demo_snapshot(demo_snapshots, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("search-demo")
    imported = demo_snapshots.get("sqlite", renditions=False)
    shutil.copy(imported.database, root / "db.sqlite3")
    imported.copy_instance(root / "instance")
    app = make_test_app(f"sqlite:///{root / 'db.sqlite3'}", root / "instance")
    with app.app_context():
        from search.index import get_index

        get_index(app).doc_count()  # builds the index
        db.session.remove()
    return root


@pytest.fixture
def demo_search_app(demo_snapshot, tmp_path):
    for name in ("db.sqlite3", "db.sqlite3-wal"):  # WAL mode: committed rows may still be in the -wal file
        if (demo_snapshot / name).exists():
            shutil.copy(demo_snapshot / name, tmp_path / name)
    shutil.copytree(demo_snapshot / "instance" / "index", tmp_path / "instance" / "index")
    app = make_test_app(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "instance")
    with app.app_context():
        yield app
    db.session.remove()


@pytest.fixture
def demo_session(demo_search_app):
    return db.session


HOSTILE_QUERIES = [
    "", "   ", "AND OR NOT * ? \" ( ) : ^ ~ [ ]", "\"unterminated", "title:旋盤^3 OR (宇宙 AND NOT 溶接)",
    "😀🏭🔩", "\x00\x01\x07\x1b[0m", "あ" * 5000, "旋盤 " * 2500, "\u202e反転", "<script>alert(1)</script>", None, 42,
]


@pytest.fixture
def hostile_queries() -> list:
    """User text that must never raise: query syntax, emoji, control characters, 5,000 characters."""
    return list(HOSTILE_QUERIES)
