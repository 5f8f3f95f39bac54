"""Shared fixtures: an app per database backend, migrated by Alembic.

Tests run on SQLite always and on PostgreSQL too when TEST_DATABASE_URL is set.
The schema is always built by the real migrations (never ``create_all``).
"""
from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from core.db import db
from core.migrate import alembic_config
from testkit import (  # noqa: F401
    PROJECT_ROOT,
    capture_postgres,
    dispose_snapshot_engine,
    make_test_app,
    restore_postgres,
    scratch_postgres_database,
)
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
    with scratch_postgres_database(_postgres_url(), durable=False) as url:
        migrate(url)
        # What a freshly migrated database holds (e.g. the announce rules a data migration
        # wrote), so every test starts from it, as on SQLite.
        _postgres_snapshots[url] = capture_postgres(url, load_all_models())
        yield url
        dispose_snapshot_engine(url)
        db.session.remove()
        if db.engine is not None and db.engine.url.render_as_string(hide_password=False) == url:
            db.engine.dispose()


_postgres_snapshots: dict = {}  # url → PostgresSnapshot of the freshly migrated database


def _truncate_all(url: str) -> None:
    """Empty every table and restart every id sequence, as on a freshly migrated database."""
    restore_postgres(url, load_all_models(), _postgres_snapshots[url])


class DemoSnapshots:
    """The demo content imported once per test session (per xdist worker) and backend.

    ``make run`` imports it; tests that need it get a copy of the database the
    import left (a SQLite file; on PostgreSQL, every row and sequence position)
    and of the files it wrote to the instance folder (image renditions), instead
    of running the ~3 s import again. ``renditions=False`` is the same import
    without drawing images (the search tests). The importer itself is tested
    in tests/content.
    """

    def __init__(self, tmp_path_factory, sqlite_template: Path) -> None:
        self._tmp = tmp_path_factory
        self._sqlite_template = sqlite_template
        self._built: dict = {}

    def get(self, database_url: str, renditions: bool = True) -> DemoSnapshot:
        backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
        key = (backend, renditions)
        if key not in self._built:
            self._built[key] = self._shared(backend, database_url, renditions)
        return self._built[key]

    def _shared(self, backend: str, database_url: str, renditions: bool) -> DemoSnapshot:
        """Under pytest-xdist the first worker that needs an import makes it, in the run's shared
        temporary folder, and the others copy from it (the import is the same on every worker:
        same content, same migrated schema). A lock file keeps a second worker waiting while the
        first one imports."""
        name = f"demo-{backend}-{'full' if renditions else 'text'}"
        if not os.environ.get("PYTEST_XDIST_WORKER"):
            return self._build(backend, database_url, renditions, self._tmp.mktemp(name))
        folder = self._tmp.getbasetemp().parent / name  # the run's folder: shared by its workers only
        with open(folder.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            done = folder / "complete"
            if done.exists():
                return DemoSnapshot(folder, _load_rows(folder) if backend == "postgresql" else None)
            shutil.rmtree(folder, ignore_errors=True)  # a half-made one (its maker failed)
            folder.mkdir()
            snapshot = self._build(backend, database_url, renditions, folder)
            if snapshot.rows is not None:
                _save_rows(folder, snapshot.rows)
            done.touch()
            return snapshot

    def _build(self, backend: str, database_url: str, renditions: bool, folder: Path) -> DemoSnapshot:
        import content.importer
        from content.demo import import_demo_content
        from search.index import get_index

        if backend == "sqlite":
            database = folder / "db.sqlite3"
            shutil.copy(self._sqlite_template, database)
            url = f"sqlite:///{database}"
        else:
            url = database_url
            _truncate_all(url)
        app = make_test_app(url, folder / "instance")
        patch = pytest.MonkeyPatch()
        if not renditions:
            patch.setattr(content.importer, "store_renditions", lambda _image, _media, slug: (slug, []))
        try:
            with app.app_context():
                import_demo_content(app)
                get_index(app).updater.wait_idle()
                if backend == "sqlite":
                    db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))  # every row in the file
                db.session.remove()
            _build_search_index(folder, url)
        finally:
            patch.undo()
        rows = capture_postgres(url, load_all_models()) if backend == "postgresql" else None
        return DemoSnapshot(folder, rows)


def _build_search_index(folder: Path, url: str) -> None:
    """The search index of the imported content, built as the first search builds it (the
    instance folder keeps what the import itself wrote): ``copy_instance`` adds it, so a copy
    does not rebuild it (~1 s) at its first search. Building it only reads the database."""
    from search.index import get_index

    scratch = folder / "index-build"
    shutil.copytree(folder / "instance", scratch / "instance")
    app = make_test_app(url, scratch / "instance")
    with app.app_context():
        get_index(app).doc_count()
        db.session.remove()
    shutil.copytree(scratch / "instance" / "index", folder / "search-index")
    shutil.rmtree(scratch)


def _save_rows(folder: Path, rows) -> None:
    """A PostgreSQL snapshot on disk for the other workers (tables by name: each worker has its own metadata)."""
    data = ([(table.name, found) for table, found in rows.rows], rows.sequences)
    (folder / "rows.pickle").write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def _load_rows(folder: Path):
    from testkit import PostgresSnapshot

    tables, sequences = pickle.loads((folder / "rows.pickle").read_bytes())
    metadata = load_all_models()
    return PostgresSnapshot([(metadata.tables[name], found) for name, found in tables], sequences)


class DemoSnapshot:
    def __init__(self, folder: Path, rows) -> None:
        self.folder, self.rows = folder, rows
        self.database = folder / "db.sqlite3"
        self.instance = folder / "instance"

    def copy_instance(self, instance: Path | str, search_index: bool = True) -> None:
        """The files the import wrote (image renditions), copied into another instance folder,
        with the search index built from the imported rows unless ``search_index=False``."""
        shutil.copytree(self.instance, instance, dirs_exist_ok=True)
        if search_index:
            shutil.copytree(self.folder / "search-index", Path(instance) / "index", dirs_exist_ok=True)


@pytest.fixture(scope="session")
def demo_snapshots(tmp_path_factory, sqlite_template) -> DemoSnapshots:
    return DemoSnapshots(tmp_path_factory, sqlite_template)


@pytest.fixture(scope="session")
def demo_content(demo_snapshots) -> DemoSnapshots:
    """Request it (directly or through ``demo_app``…) and the test's database starts with the demo content."""
    return demo_snapshots


@pytest.fixture(scope="session")
def demo_text_content(demo_snapshots) -> DemoSnapshots:
    """Same as ``demo_content``, imported without drawing image renditions."""
    return demo_snapshots


def _wanted_demo(request) -> bool | None:
    """None: an empty migrated database; True/False: the demo content with/without renditions."""
    if "demo_content" in request.fixturenames:
        return True
    if "demo_text_content" in request.fixturenames:
        return False
    return None


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """The test's own database: empty and migrated, or holding the demo content when the test
    (or one of its fixtures) requests ``demo_content``/``demo_text_content``. The content is in
    place before any app of the test is created."""
    demo = _wanted_demo(request)
    if request.param == "sqlite":
        path = tmp_path / "db.sqlite3"
        snapshots = request.getfixturevalue("demo_snapshots") if demo is not None else None
        source = snapshots.get("sqlite", demo).database if snapshots else request.getfixturevalue("sqlite_template")
        shutil.copy(source, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_migrated")
    if demo is None:
        _truncate_all(url)
    else:
        restore_postgres(url, load_all_models(), request.getfixturevalue("demo_snapshots").get(url, demo).rows)
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


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    """Production argon2 parameters cost ~0.4 s per hash here; tests need correctness, not cost.

    (Processes a test starts, such as ``monozukuri staff create``, hash as in production.)
    """
    from argon2 import PasswordHasher

    from staff import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    return db.session


DEMO_DIR = PROJECT_ROOT / "content" / "demo"


@pytest.fixture
def demo_app(demo_content, app, database_url):
    """The app with the demo content imported (the state ``make run`` produces): the rows come
    with ``database_url``, the image renditions are copied into the app's instance folder."""
    demo_content.get(database_url).copy_instance(app.instance_path)
    return app


def pytest_collection_modifyitems(config, items):
    """Hand the slow files out first.

    Under ``--dist loadfile --no-loadscope-reorder`` xdist gives whole files to workers in this
    order; files that drive Chromium take the longest, so they start first and no worker is left
    finishing one alone at the end. The order inside a file is kept."""
    slow_files = {item.path for item in items if item.get_closest_marker("browser")}
    items.sort(key=lambda item: item.path not in slow_files)


def pytest_sessionfinish(session):
    """Close the Chromium the browser tests share (tests/browser_kit.py), if one was started."""
    kit = sys.modules.get("browser_kit")
    if kit is not None:
        kit.close_shared_chromium()
