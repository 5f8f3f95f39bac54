"""``monozukuri search reindex`` and ``monozukuri search status``."""
from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    search = subparsers.add_parser("search", help="search index commands")
    sub = search.add_subparsers(dest="search_command", required=True)
    reindex = sub.add_parser("reindex", help="rebuild the index into a new folder and swap it in atomically")
    reindex.add_argument("--workers", type=int, default=None,
                         help="processes building segments (default: 2 on 2-4 usable CPUs, CPUs - 2 above, "
                              "0 = in this process, the default on 1 CPU)")
    reindex.set_defaults(handler=_reindex)
    status = sub.add_parser("status", help="show the live index generation and check it against the database")
    status.set_defaults(handler=_status)


def _reindex(args) -> int:
    from core.cli import CommandError, create_app
    from core.db import db
    from search.generation import default_workers
    from search.index import get_index
    from search.indexer import rebuild
    from search.store import LockTimeout

    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        try:
            workers = default_workers() if args.workers is None else max(0, args.workers)
            count = rebuild(get_index(app).store, db.engine, workers=workers)
        except LockTimeout as exc:
            raise CommandError(f"reindex aborted, the live index is unchanged: {exc}") from exc
    print(f"search index rebuilt: {count} document(s) in {time.perf_counter() - started:.1f}s")
    return 0


def _status(_args) -> int:
    from core.cli import create_app
    from core.db import db
    from search.index import get_index
    from search.indexer import ensure_index

    app = create_app()
    with app.app_context():
        index = get_index(app)
        outcome = ensure_index(index.store, db.engine, check_database=True)
        print(f"search index {index.store.current_name()}: {index.doc_count(db.engine)} document(s), {outcome}")
    return 0


def ensure_demo_index(app) -> None:
    """DEMO_STEPS entry: build the index if missing or of an old format, fix stale documents."""
    from core.db import db
    from search.index import get_index
    from search.indexer import ensure_index

    index = get_index(app)
    index.updater.wait_idle()
    outcome = ensure_index(index.store, db.engine, check_database=True)
    log.info("search index: %s (%d document(s))", outcome, index.doc_count(db.engine))
