"""Writing a new index generation: one Whoosh segment per ``SEGMENT_DOCS`` documents, in this
process or with builder processes (``write_generation_parallel``), and how many builders a
full rebuild uses by default. ``search.indexer`` publishes what is written here."""
from __future__ import annotations

import gc
import importlib
import logging
import math
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from sqlalchemy.orm import Session

from core.db import Base
from search.documents import SourceDoc, indexable_ids, load_sources, to_fields
from search.scoring import BulkCodec
from search.segments import BulkSegmentWriter, commit_segments
from search.store import IndexStore, open_index

log = logging.getLogger(__name__)
# A rebuild writes one Whoosh segment per SEGMENT_DOCS documents and never merges
# them, so the work per document is constant and a rebuild is linear; queries read
# each term from a handful of segments, which costs little. Segments are written by
# ``search.segments.BulkSegmentWriter`` (postings grouped by term as they arrive:
# no pool of posting tuples to sort), in this process or, with workers, one
# segment per worker process at a time.
SEGMENT_DOCS = 2500


def write_generation(store: IndexStore, sources: Iterable[SourceDoc]):
    """Build a complete new generation in this process (not yet live). Returns (path, doc count)."""
    path, ix = store.create_generation()
    count = 0
    # Millions of live posting entries make every cyclic-GC pass slower; they hold no cycles.
    # Cycles are collected once per segment instead (below).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        documents = (to_fields(source) for source in sources)
        while written := _write_segment(ix, documents, SEGMENT_DOCS):
            count += written
            # Loaded ORM rows (article ⇄ event ⇄ tags) are reference cycles: with the
            # collector off they were never freed, and a 20k rebuild grew past 1.3 GB.
            gc.collect()
    except BaseException:
        ix.close()
        store.discard(path)
        raise
    finally:
        if gc_was_enabled:
            gc.enable()
    ix.close()
    return path, count


def _write_segment(ix, documents, limit: int) -> int:
    """Commit up to ``limit`` of ``documents`` as one new segment (earlier segments untouched).

    Returns how many were written (0 when ``documents`` is exhausted).
    """
    writer = BulkSegmentWriter(ix, codec=BulkCodec())
    written = 0
    try:
        for fields in documents:
            writer.add_document(**fields)
            written += 1
            if written == limit:
                break
    except BaseException:
        writer.cancel()
        raise
    if written:
        writer.commit(merge=False)
    else:
        writer.cancel()
    return written


def write_generation_parallel(store: IndexStore, bind, workers: int):
    """Build a new generation with ``workers`` builders, each loading, analysing and writing whole segments.

    The articles are cut into id ranges of ``SEGMENT_DOCS``; a builder reads its
    range from the database itself and writes it as one segment, so nothing but
    a segment's description travels between processes. From 2 workers up this
    process is one of them (a thread here, ``workers`` − 1 separate processes):
    it already holds the dictionary and the app, and one process fewer kept the
    2-worker build's process tree under 800 MB (each process maps the dictionary
    and its own share of postings). This process then lists the segments in id
    order: the same documents, in the same order, as a sequential build.
    Returns (path, doc count).
    """
    with Session(bind=bind) as session:
        ids = indexable_ids(session)
    # Equal shares for the workers, none above SEGMENT_DOCS.
    shares = _shares(ids, max(1, min(SEGMENT_DOCS, math.ceil(len(ids) / workers))))
    url = _database_url(bind)
    modules = sorted({mapper.class_.__module__ for mapper in Base.registry.mappers})
    path, ix = store.create_generation()
    queue = deque(enumerate(shares))  # popleft() is atomic: both sides take from it
    parts: list = [None] * len(shares)
    local = _LocalBuilder(bind, path, queue, parts) if workers >= 2 else None
    try:
        if local is not None:
            local.start()
        processes = max(1, min(workers - 1 if local is not None else workers, len(shares)))
        context = multiprocessing.get_context("spawn")  # no fork: the caller may have threads
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            running: dict = {}
            while True:
                while len(running) < processes and (item := _take(queue)) is not None:
                    index, (after, up_to) = item
                    running[pool.submit(_build_segment, url, str(path), modules, after, up_to)] = index
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for job in done:
                    parts[running.pop(job)] = job.result()
        if local is not None:
            local.finish()
        commit_segments(ix, [segment for segment, count in parts if count])
    except BaseException:
        queue.clear()
        if local is not None:
            local.join()
        ix.close()
        store.discard(path)
        raise
    ix.close()
    return path, sum(count for _, count in parts)


def _take(queue: deque):
    try:
        return queue.popleft()
    except IndexError:
        return None


class _LocalBuilder(threading.Thread):
    """This process's share of a parallel build: takes id ranges from the same queue as the pool."""

    def __init__(self, bind, path, queue: deque, parts: list) -> None:
        super().__init__(name="search-rebuild", daemon=True)
        self.bind, self.path, self.queue, self.parts = bind, path, queue, parts
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while (item := _take(self.queue)) is not None:
                index, (after, up_to) = item
                self.parts[index] = _write_share(self.bind, str(self.path), after, up_to)
        except BaseException as exc:  # re-raised by finish() in the calling thread
            self.queue.clear()
            self.error = exc

    def finish(self) -> None:
        self.join()
        if self.error is not None:
            raise self.error


def _shares(ids: list[int], size: int) -> list[tuple[int, int | None]]:
    """(after_id, up_to_id) ranges of ``size`` ids; the last one is open, so later inserts are not missed."""
    shares, after = [], 0
    for start in range(0, len(ids), size):
        last = ids[min(start + size, len(ids)) - 1]
        shares.append((after, last if start + size < len(ids) else None))
        after = last
    return shares or [(0, None)]


def _database_url(bind) -> str:
    return getattr(bind, "engine", bind).url.render_as_string(hide_password=False)


def _build_segment(url: str, path: str, modules: list[str], after_id: int, up_to_id: int | None):
    """In a worker process: one id range of articles as one segment. Returns (segment, doc count)."""
    from core.db import make_engine

    for name in modules:  # every mapped class, so the ORM can configure its relationships
        importlib.import_module(name)
    engine = make_engine(url)
    try:
        return _write_share(engine, path, after_id, up_to_id)
    finally:
        engine.dispose()


def _write_share(bind, path: str, after_id: int, up_to_id: int | None):
    """One id range of articles as one segment of the index in ``path``. Returns (segment, doc count)."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # as in write_generation; this share's cycles are collected below
    ix = open_index(path)
    try:
        writer = BulkSegmentWriter(ix, _lk=False, codec=BulkCodec())
        count = 0
        try:
            with Session(bind=bind) as session:
                for source in load_sources(session, after_id=after_id, up_to_id=up_to_id):
                    writer.add_document(**to_fields(source))
                    count += 1
        except BaseException:
            writer.cancel()
            raise
        return writer.finish_segment(), count
    finally:
        ix.close()
        gc.collect()
        if gc_was_enabled:
            gc.enable()


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask: a container's or taskset's limit), not the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # no affinity API on this platform
        return os.cpu_count() or 1


def default_workers(cpus: int | None = None) -> int:
    """Worker processes for a full rebuild from the CLI: 2 on 2–4 usable CPUs, CPUs − 2 above, else 0.

    Measured on 2 CPUs shared with other work, after reading articles by primary key
    (``search.documents.load_sources``): two workers finish a 10k rebuild in
    ~60 % of the in-process wall time at ~10 % more CPU per document, and stay
    linear at 20k; the process tree peaks below 800 MB. One CPU builds in the
    CLI's own process. From 4 CPUs up two are left to the database and the web.
    """
    cpus = usable_cpus() if cpus is None else cpus
    if cpus < 2:
        return 0
    return max(2, cpus - 2)
