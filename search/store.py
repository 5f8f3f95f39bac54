"""Index folders on disk: generations, the CURRENT pointer, and the writer lock.

Layout of ``<instance>/index/``::

    CURRENT              name of the live generation (replaced atomically)
    gen-<time>-<pid>/    a complete Whoosh index + meta.json
    writer.lock          fcntl lock: one writer across all processes
    STALE                marker: an update could not be applied; reconcile soon

A rebuild writes a new generation folder and then swaps CURRENT with
``os.replace``, so readers only ever open a finished index. The previous
generation is kept for readers that are still on it; older ones are removed.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from search.morph import backend_name
from search.schema import INDEX_FORMAT, build_schema

POINTER = "CURRENT"
LOCK_FILE = "writer.lock"
STALE_MARKER = "STALE"
META_FILE = "meta.json"


class LockTimeout(RuntimeError):
    """Another process kept the index writer lock for too long."""


def expected_meta() -> dict:
    return {"format": INDEX_FORMAT, "analyser": backend_name()}


class IndexStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # --- the live generation -------------------------------------------------
    def current_name(self) -> str | None:
        try:
            name = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
            return None
        return name if name.startswith("gen-") and "/" not in name else None

    def open_current(self):
        """Open the live generation; raises if it is missing, foreign or unreadable."""
        name = self.current_name()
        if name is None:
            raise FileNotFoundError("no search index yet")
        path = self.root / name
        if self.read_meta(path) != expected_meta():
            raise ValueError(f"search index {name} has another format")
        return open_index(path)

    def live_read_from(self) -> float | None:
        """When the live generation's build began reading the database (None if unknown)."""
        name = self.current_name()
        try:
            return json.loads((self.root / name / META_FILE).read_text(encoding="utf-8")).get("read_from")
        except (OSError, ValueError, TypeError):
            return None

    @staticmethod
    def read_meta(path: Path) -> dict:
        try:
            meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {key: meta.get(key) for key in ("format", "analyser")}

    # --- building a generation -----------------------------------------------
    def create_generation(self):
        """A new, empty index in its own folder (not yet live)."""
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.root / f"gen-{stamp}-{os.getpid()}"
        path.mkdir()
        return path, whoosh_index.create_in(str(path), build_schema())

    def publish(self, path: Path, doc_count: int, read_from: float | None = None) -> None:
        """Make ``path`` live. ``read_from``: when the build began reading the database (epoch s)."""
        meta = {**expected_meta(), "doc_count": doc_count, "built_at": datetime.now(UTC).isoformat(),
                "read_from": read_from}
        _write_atomically(path / META_FILE, json.dumps(meta))
        _write_atomically(self.root / POINTER, path.name)
        self.clear_stale()
        self.remove_old_generations(keep={path.name})

    def remove_old_generations(self, keep: set[str]) -> None:
        """Keep the live one, the given ones and the newest previous one; delete the rest."""
        generations = sorted(p for p in self.root.glob("gen-*") if p.is_dir())
        others = [p for p in generations if p.name not in keep]
        for path in others[:-1]:
            shutil.rmtree(path, ignore_errors=True)

    def discard(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)

    # --- stale marker ----------------------------------------------------------
    def mark_stale(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / STALE_MARKER).touch()

    def is_stale(self) -> bool:
        return (self.root / STALE_MARKER).exists()

    def clear_stale(self) -> None:
        (self.root / STALE_MARKER).unlink(missing_ok=True)

    # --- the one writer --------------------------------------------------------
    @contextmanager
    def writer_lock(self, timeout: float = 30.0):
        """Hold the cross-process writer lock; ``timeout=0`` means try once."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / LOCK_FILE, "a+")
        try:
            _acquire(handle, timeout)
        except LockTimeout:
            handle.close()
            raise
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


def open_index(path: Path):
    """Open the Whoosh index in ``path`` with plain file reads, not memory maps.

    whoosh-reloaded 2.7.5 copies every memory-mapped sub-file of a segment into
    a ``BytesIO`` when it is opened (``BufferFile``): opening a 10k-document
    index touched all 95 MB of its pages *and* copied 90 MB of postings and
    column data into each process. With plain reads only what a query reads is
    read (the OS page cache is shared by all processes).
    """
    return FileStorage(str(path), supports_mmap=False).open_index()


def _acquire(handle, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockTimeout("search index is being written by another process") from None
            time.sleep(0.05)


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
