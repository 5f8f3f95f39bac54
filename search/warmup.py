"""A fresh web worker answers its first search as fast as its hundredth.

Before: the first search in each gunicorn worker loaded the Sudachi
dictionary, imported Whoosh's reading modules, configured the ORM's mappers,
compiled the page's templates and opened the index — about half a second on
an idle machine, seconds under load. Now:

* ``install(app)`` (from ``create_app``, skipped for test apps) loads the
  dictionary and those modules in the process that creates the app — the
  gunicorn master — so every forked worker starts with them (shared pages);
* just before the master's first fork (all domains are loaded by then),
  ``prepare(app)`` configures the ORM mappers (~190 ms on a worker's first
  query), compiles the search page's templates with everything they extend
  or include (~120 ms) and runs the template context processors once (they
  import the channel plugins: ~25 ms). None of this touches the database;
* after each fork, a daemon thread in the child opens the live index and
  builds its ``SearcherData`` before the first request arrives. It opens its
  own files (a reader opened before the fork would share file offsets between
  processes). A missing or broken index is left for the first search, which
  repairs it. Then it leaves one database connection in the worker's own pool
  (``core.db`` has already dropped the pool inherited from the master);
* objects inherited from the master are frozen for the collector (``gc.freeze``)
  so they stay shared with it.
"""
from __future__ import annotations

import gc
import logging
import os
import threading
import weakref
from pathlib import Path

log = logging.getLogger(__name__)
_fork_target: dict = {"root": None, "app": None, "prepared": False}
_fork_hook_installed = False
# Rendered by the search views: compiled in the master (with what they extend and include).
SEARCH_TEMPLATES = ("search/results.html",)


def install(app) -> None:
    global _fork_hook_installed
    if app.testing or not app.config.get("SEARCH_WARMUP", True):
        return
    preload()
    from search.index import index_root

    _fork_target.update(root=index_root(app), app=weakref.ref(app), prepared=False)
    if not _fork_hook_installed:
        os.register_at_fork(before=_before_fork, after_in_child=_after_fork)
        _fork_hook_installed = True


def preload() -> None:
    """Load what every search needs and no worker should load alone."""
    import whoosh.codec.whoosh3  # noqa: F401
    import whoosh.reading  # noqa: F401
    import whoosh.searching  # noqa: F401

    from search.phrases import parse_query

    parse_query("町工場の見学")  # loads the dictionary and the synonym table


def prepare(app) -> None:
    """What each worker's first request would otherwise do on its own (run once, in the master)."""
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    compile_templates(app, SEARCH_TEMPLATES)
    with app.test_request_context("/search"):
        app.update_template_context({})  # context processors load what every page needs (channel plugins)


def compile_templates(app, names) -> list[str]:
    """Load ``names`` and every template they extend, include or import into Jinja's cache."""
    from jinja2 import meta

    env = app.jinja_env
    pending, seen = list(names), []
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.append(name)
        env.get_template(name)
        source = env.loader.get_source(env, name)[0]
        pending += [ref for ref in meta.find_referenced_templates(env.parse(source)) if isinstance(ref, str)]
    return seen


def _before_fork() -> None:
    if not _fork_target["prepared"]:
        _fork_target["prepared"] = True
        app = _fork_target["app"]() if _fork_target["app"] is not None else None
        try:
            if app is not None:
                prepare(app)
        except Exception:  # a worker then does it at its first request; never break a fork
            log.warning("search warm-up before fork failed", exc_info=True)
    # gc.freeze(): the collector of a forked worker then never walks (and so never
    # writes to) the objects inherited from the master, which stay shared pages
    # instead of becoming private copies in every worker.
    gc.freeze()


def _after_fork() -> None:
    root = _fork_target["root"]
    app = _fork_target["app"]() if _fork_target["app"] is not None else None
    if root is not None:
        threading.Thread(target=_warm_child, args=(root, app), name="search-warm-up", daemon=True).start()


def _warm_child(root: Path, app) -> None:
    warm(root)
    if app is not None:
        open_connection(app)


def open_connection(app) -> None:
    """Leave one database connection in this worker's pool (never raises).

    A fresh worker's first request would otherwise connect first: ~15 ms on an idle
    machine, more under load, all of it added to that visitor's first search.
    """
    from core.db import db

    try:
        with app.app_context(), db.engine.connect():
            pass
    except Exception:  # the first request connects (or reports the database) itself
        log.debug("database warm-up skipped", exc_info=True)


def warm_for_worker(app, **_data) -> None:
    """A worker process opens the live index before its first chat search (``core.signals.worker_starting``)."""
    from search.index import index_root

    warm(index_root(app))


def warm(root: Path) -> None:
    """Open the live index of ``root`` for this process (never raises)."""
    from search.index import index_at

    try:
        index_at(root).warm()
    except Exception:  # the first search repairs or reports; a warm-up never breaks a worker
        log.debug("search warm-up skipped", exc_info=True)
