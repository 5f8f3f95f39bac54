"""Index upkeep: first-use build, repair, atomic reindex, stale repair, the writer lock."""
from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from content.models import Article
from core.db import db, utcnow
from search.documents import SourceDoc
from search.index import get_index
from search.indexer import ensure_index, rebuild, write_generation
from search.service import search
from search.store import LockTimeout


def _total(session, query="ペンスタンド") -> int:
    return search(session, query, log=False).total


def test_missing_index_is_built_on_first_use(unindexed_search_app, session):
    store = get_index().store
    assert store.current_name() is None  # nothing was built at import or app creation
    assert _total(session) == 1
    assert store.current_name() is not None


@pytest.mark.parametrize("damage", ["garbage_toc", "empty_folder", "bad_pointer", "old_format"])
def test_a_broken_index_is_rebuilt_not_a_crash(demo_session, damage):
    index = get_index()
    store = index.store
    live = store.root / store.current_name()
    if damage == "garbage_toc":
        for toc in live.glob("_MAIN_*.toc"):
            toc.write_bytes(b"\x00not a toc")
    elif damage == "empty_folder":
        shutil.rmtree(live)
        live.mkdir()
    elif damage == "bad_pointer":
        (store.root / "CURRENT").write_text("gen-does-not-exist")
    else:
        (live / "meta.json").write_text(json.dumps({"format": "0", "analyser": "janome"}))
    index.invalidate()  # as a fresh process would
    assert _total(demo_session) == 1
    assert store.current_name() is not None and (store.root / store.current_name()).is_dir()


def test_reindex_swaps_atomically_and_readers_keep_working(demo_session):
    index = get_index()
    store = index.store
    with index.reading() as before:
        old_name = store.current_name()
        assert rebuild(store, db.engine) == 19
        assert store.current_name() != old_name
        # the reader opened before the swap still answers from its generation
        assert before.searcher.doc_count() == 19
    assert _total(demo_session) == 1
    rebuild(store, db.engine)
    generations = sorted(p.name for p in store.root.glob("gen-*"))
    assert len(generations) <= 2 and store.current_name() in generations  # older ones removed


def test_a_failed_build_leaves_the_live_index_untouched(demo_session):
    store = get_index().store
    live = store.current_name()

    def broken_sources():
        yield SourceDoc(article_id=1, slug="x", title="x", category="news", published_at=utcnow())
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        write_generation(store, broken_sources())
    assert store.current_name() == live
    assert sorted(p.name for p in store.root.glob("gen-*")) == [live]
    assert _total(demo_session) == 1


def test_bulk_sql_changes_are_repaired_through_the_stale_marker(demo_session):
    index = get_index()
    index.doc_count()
    # a bulk statement: no unit of work, so no session events (but it does move updated_at)
    demo_session.execute(update(Article).where(Article.slug == "about").values(title="海底ケーブル特集",
                                                                               updated_at=utcnow()))
    demo_session.commit()
    assert _total(demo_session, "海底ケーブル") == 0
    index.store.mark_stale()
    assert _total(demo_session, "海底ケーブル") == 1
    assert not index.store.is_stale()
    assert ensure_index(index.store, db.engine, check_database=True) == "ok"


def test_the_writer_lock_is_exclusive_with_a_timeout(demo_search_app):
    store = get_index().store
    with store.writer_lock():
        with pytest.raises(LockTimeout):
            with store.writer_lock(timeout=0.2):
                pass
    with store.writer_lock(timeout=0):
        pass


def test_concurrent_processes_never_corrupt_the_index(search_app, session, tmp_path):
    """Two other processes update articles while this one rebuilds; the index stays readable and right."""
    import multiprocessing

    get_index().doc_count()
    url = search_app.config["DATABASE_URL"]
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_update_titles, args=(url, str(search_app.instance_path), n)) for n in (0, 1)]
    for worker in workers:
        worker.start()
    rebuild(get_index().store, db.engine)
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    store = get_index().store
    assert ensure_index(store, db.engine, check_database=True) in ("ok", "updated")
    titles = session.execute(text("SELECT title FROM articles WHERE title LIKE '同時更新%'")).scalars().all()
    assert len(titles) == 6
    assert search(session, "同時更新", per_page=50, log=False).total == 6


def _update_titles(url: str, instance: str, worker: int) -> None:
    from pathlib import Path

    from sqlalchemy import select

    from testkit import make_test_app

    app = make_test_app(url, Path(instance))
    with app.app_context():
        slugs = sorted(db.session.scalars(select(Article.slug)))[worker * 3:worker * 3 + 3]
        for slug in slugs:
            article = db.session.scalar(select(Article).where(Article.slug == slug))
            article.title = f"同時更新{worker}の{slug}"
            article.published_at = utcnow() - timedelta(days=1)
            db.session.commit()
        assert get_index(app).updater.wait_idle(120)
        db.session.remove()


def test_opening_the_index_reads_only_what_it_needs(tmp_path):
    """whoosh copied each memory-mapped sub-file of a segment (postings, columns) into a BytesIO on open."""
    import tracemalloc

    from bench.searchkit.corpus import make_corpus
    from search.postings import SearcherData
    from search.scoring import WEIGHTING
    from search.store import IndexStore

    store = IndexStore(tmp_path)
    path, count = write_generation(store, make_corpus(300))
    postings_bytes = sum(p.stat().st_size for p in path.glob("*.seg"))
    assert count == 300 and postings_bytes > 2_000_000
    store.publish(path, count)
    first = store.open_current()  # once untraced: the modules a reader imports on first use
    SearcherData(first.searcher(weighting=WEIGHTING)).searcher.close()
    first.close()
    tracemalloc.start()
    try:
        ix = store.open_current()
        data = SearcherData(ix.searcher(weighting=WEIGHTING))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not ix.storage.supports_mmap
    assert peak < postings_bytes / 10, peak
    assert data.scores("words", "工場")  # and it reads what a query needs
    data.searcher.close()
    ix.close()
