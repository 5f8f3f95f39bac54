"""A fresh web worker finds the mappers configured, the templates compiled and the index open."""
from __future__ import annotations

import gc
import weakref

from search import warmup
from search.index import get_index


def test_prepare_compiles_the_search_page_with_what_it_extends_and_includes(demo_search_app):
    names = warmup.compile_templates(demo_search_app, warmup.SEARCH_TEMPLATES)
    assert {"search/results.html", "base.html", "partials/contact_block.html"} <= set(names)
    env = demo_search_app.jinja_env
    assert all(env.get_template(name) is env.get_template(name) for name in names)  # cached, not recompiled


def test_the_master_prepares_once_before_its_first_fork(demo_search_app, monkeypatch):
    calls = []
    monkeypatch.setattr(warmup, "prepare", lambda app: calls.append(app))
    monkeypatch.setitem(warmup._fork_target, "app", weakref.ref(demo_search_app))
    monkeypatch.setitem(warmup._fork_target, "prepared", False)
    try:
        warmup._before_fork()
        warmup._before_fork()  # a respawned worker: nothing to do again
    finally:
        gc.unfreeze()
    assert calls == [demo_search_app]


def test_a_failing_preparation_never_breaks_the_fork(demo_search_app, monkeypatch):
    def broken(app):
        raise RuntimeError("template error")

    monkeypatch.setattr(warmup, "prepare", broken)
    monkeypatch.setitem(warmup._fork_target, "app", weakref.ref(demo_search_app))
    monkeypatch.setitem(warmup._fork_target, "prepared", False)
    try:
        warmup._before_fork()
    finally:
        gc.unfreeze()


def test_prepare_touches_no_database(demo_search_app, monkeypatch):
    from sqlalchemy import event

    from core.db import db

    checkouts = []

    def listener(*args) -> None:
        checkouts.append(args)

    event.listen(db.engine, "checkout", listener)
    try:
        warmup.prepare(demo_search_app)
    finally:
        event.remove(db.engine, "checkout", listener)
    assert checkouts == []


def test_warm_opens_the_index_and_the_recency_factors(demo_search_app):
    index = get_index(demo_search_app)
    index.invalidate()
    warmup.warm(index.store.root)
    data = index._reader_slot.data
    assert data.searcher.doc_count() == 19
    assert len(data._recency) == 1 and len(next(iter(data._recency.values()))) == 19


def test_a_starting_worker_opens_the_index_before_freezing_its_start_up_objects(demo_search_app):
    from core.worker import settle

    index = get_index(demo_search_app)
    index.invalidate()
    assert gc.get_freeze_count() == 0
    try:
        settle(demo_search_app)
        data = index._reader_slot.data
        assert data is not None and data.searcher.doc_count() == 19
        collected = {id(thing) for thing in gc.get_objects()}  # the three generations, not the frozen objects
        assert gc.is_tracked(data) and id(data) not in collected
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_forked_worker_starts_its_own_pool_with_one_connection_ready(demo_search_app):
    from core.db import db

    db.engine.dispose()
    db.after_fork_in_child()  # what core.db runs in every forked child
    assert db.engine.pool.checkedin() == 0
    warmup._warm_child(get_index(demo_search_app).store.root, demo_search_app)
    assert db.engine.pool.checkedin() == 1  # the first request takes it instead of connecting
