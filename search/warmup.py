"""A fresh web worker answers its first search as fast as its hundredth.

Before: the first search in each gunicorn worker loaded the Sudachi
dictionary, imported Whoosh's reading modules and opened the index — about
half a second on an idle machine, seconds under load. Now:

* ``install(app)`` (from ``create_app``, skipped for test apps) loads the
  dictionary and those modules in the process that creates the app — the
  gunicorn master — so every forked worker starts with them (shared pages);
* after each fork, a daemon thread in the child opens the live index and
  builds its ``SearcherData`` before the first request arrives. It opens its
  own files (a reader opened before the fork would share file offsets between
  processes) and touches no database connection. A missing or broken index is
  left for the first search, which repairs it;
* objects inherited from the master are frozen for the collector (``gc.freeze``)
  so they stay shared with it.
"""
from __future__ import annotations

import gc
import logging
import os
import threading
from pathlib import Path

log = logging.getLogger(__name__)
_fork_target: dict[str, Path | None] = {"root": None}
_fork_hook_installed = False


def install(app) -> None:
    global _fork_hook_installed
    if app.testing or not app.config.get("SEARCH_WARMUP", True):
        return
    preload()
    from search.index import index_root

    _fork_target["root"] = index_root(app)
    if not _fork_hook_installed:
        # gc.freeze(): the collector of a forked worker then never walks (and so never
        # writes to) the objects inherited from the master, which stay shared pages
        # instead of becoming private copies in every worker.
        os.register_at_fork(before=gc.freeze, after_in_child=_after_fork)
        _fork_hook_installed = True


def preload() -> None:
    """Load what every search needs and no worker should load alone."""
    import whoosh.codec.whoosh3  # noqa: F401
    import whoosh.reading  # noqa: F401
    import whoosh.searching  # noqa: F401

    from search.phrases import parse_query

    parse_query("町工場の見学")  # loads the dictionary and the synonym table


def _after_fork() -> None:
    root = _fork_target["root"]
    if root is not None:
        threading.Thread(target=warm, args=(root,), name="search-warm-up", daemon=True).start()


def warm(root: Path) -> None:
    """Open the live index of ``root`` for this process (never raises)."""
    from search.index import index_at

    try:
        index_at(root).warm()
    except Exception:  # the first search repairs or reports; a warm-up never breaks a worker
        log.debug("search warm-up skipped", exc_info=True)
