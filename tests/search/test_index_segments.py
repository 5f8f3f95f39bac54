"""The rebuild's segment writer writes what Whoosh's own writer writes, and the rebuild stays linear."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from whoosh import index as whoosh_index

from bench.searchkit.corpus import make_corpus
from search.documents import to_fields
from search.schema import build_schema
from search.scoring import BulkCodec
from search.segments import BulkSegmentWriter


def _documents(count: int) -> list[dict]:
    docs = make_corpus(count)
    docs[3].tags, docs[3].meta, docs[3].summary = [], [], ""  # empty fields: no postings, no lengths
    docs[4].event_starts_at = datetime(2026, 5, 1, 10, tzinfo=UTC)
    return [to_fields(doc) for doc in docs]


def _write(path, documents, writer_factory) -> None:
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    writer = writer_factory(ix, compound=False)
    for fields in documents:
        writer.add_document(**fields)
    writer.commit(merge=False)
    ix.close()


def _files(path) -> dict[str, bytes]:
    """Segment files by extension (names hold a random segment id; compound=False keeps them apart)."""
    return {file.suffix: file.read_bytes() for file in path.iterdir() if file.suffix in (".pst", ".trm", ".fln")}


def _dump(path) -> dict:
    """Everything a reader can see: terms with their postings, lengths, stored fields, columns."""
    ix = whoosh_index.open_dir(str(path))
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            postings = {}
            for field, term in reader.all_terms():
                info = reader.term_info(field, term)
                matcher = reader.postings(field, term)
                items = []
                while matcher.is_active():
                    items.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                postings[(field, term)] = (info.doc_frequency(), info.weight(), info.max_weight(),
                                           info.min_id(), info.max_id(), items)
            count = reader.doc_count_all()
            return {
                "postings": postings,
                "lengths": [reader.doc_field_length(d, "words") for d in range(count)],
                "total_length": reader.field_length("words"),
                "stored": [reader.stored_fields(d) for d in range(count)],
                # One column reader per column (opening one reads all its offsets), asked for every document.
                "columns": {name: [column[d] for d in range(count)]
                            for name in ("doc_id", "category", "published", "stamp", "hay")
                            for column in [reader.column_reader(name)]},
            }
    finally:
        ix.close()


def test_bulk_writer_writes_what_whoosh_writes(tmp_path):
    documents = _documents(260)  # > 1 postings block (1,024) for common terms: 260 docs × several occurrences
    _write(tmp_path / "whoosh", documents, lambda ix, **kw: ix.writer(codec=BulkCodec(), **kw))
    _write(tmp_path / "bulk", documents, lambda ix, **kw: BulkSegmentWriter(ix, codec=BulkCodec(), **kw))
    whoosh, bulk = _dump(tmp_path / "whoosh"), _dump(tmp_path / "bulk")
    assert len(whoosh["postings"]) > 1000
    assert any(info[0] > 128 for info in whoosh["postings"].values())
    assert bulk == whoosh
    assert _files(tmp_path / "bulk") == _files(tmp_path / "whoosh")  # byte for byte: same blocks


def test_bulk_writer_blocks_span_the_block_limit(tmp_path):
    """A term in more documents than one block holds is split into blocks exactly like Whoosh does."""
    published = datetime(2026, 1, 1, tzinfo=UTC)
    documents = [{"doc_id": f"article:{n}", "slug": f"s{n}", "title": "t", "kind": "article", "category": "news",
                  "published": int((published + timedelta(hours=n)).timestamp()), "event_starts": "", "image": "",
                  "stamp": "", "text": "", "hay": b"x", "words": {"common": [1 + n % 3, 1.5 * (1 + n % 3)]},
                  "reads": {}, "grams": {"co": [1, 1.0]}} for n in range(2500)]
    _write(tmp_path / "whoosh", documents, lambda ix, **kw: ix.writer(codec=BulkCodec(), **kw))
    _write(tmp_path / "bulk", documents, lambda ix, **kw: BulkSegmentWriter(ix, codec=BulkCodec(), **kw))
    assert _dump(tmp_path / "bulk") == _dump(tmp_path / "whoosh")
    assert _files(tmp_path / "bulk") == _files(tmp_path / "whoosh")


def test_bulk_writer_refuses_what_it_does_not_support(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = BulkSegmentWriter(ix, codec=BulkCodec())
    with pytest.raises(ValueError, match="unknown field"):
        writer.add_document(doc_id="article:1", nonsense="x")
    writer.cancel()
    ix.close()


def test_a_parallel_rebuild_holds_what_a_sequential_one_holds(search_app, monkeypatch):
    """Worker processes each load, analyse and write an id range; the result equals the in-process build."""
    from core.db import db
    from search import generation, indexer
    from search.index import get_index

    monkeypatch.setattr(generation, "SEGMENT_DOCS", 5)  # 19 demo articles: segments of 5, 5, 5 and 4
    pools, built_here = [], []
    real_pool, real_write_share = generation.ProcessPoolExecutor, generation._write_share
    monkeypatch.setattr(generation, "ProcessPoolExecutor", lambda **kw: pools.append(kw["max_workers"]) or real_pool(**kw))
    monkeypatch.setattr(generation, "_write_share", lambda *a: built_here.append(a) or real_write_share(*a))
    store = get_index(search_app).store
    assert indexer.rebuild(store, db.engine, workers=0) == 19
    sequential = _dump(store.root / store.current_name())
    assert indexer.rebuild(store, db.engine, workers=2) == 19
    assert pools == [1] and built_here  # two builders: this process and one worker process
    generation = store.root / store.current_name()
    assert _dump(generation) == sequential
    ix = whoosh_index.open_dir(str(generation))
    assert [segment.doc_count_all() for segment in ix._segments()] == [5, 5, 5, 4]
    ix.close()
    assert not [p.name for p in generation.iterdir() if p.name.endswith(".tmp")]


def test_a_failing_worker_leaves_the_live_index_untouched(unindexed_search_app, monkeypatch):
    from core.db import db
    from search import generation, indexer
    from search.index import get_index

    store = get_index(unindexed_search_app).store
    indexer.rebuild(store, db.engine, workers=0)
    live = store.current_name()
    monkeypatch.setattr(generation, "_database_url", lambda bind: "sqlite:////nonexistent/folder/db.sqlite3")
    with pytest.raises(Exception):  # noqa: B017 - whatever the worker raised, re-raised here
        indexer.rebuild(store, db.engine, workers=2)
    assert store.current_name() == live
    assert sorted(p.name for p in store.root.glob("gen-*")) == [live]


def test_per_document_values_are_read_per_segment_in_one_go(tmp_path, monkeypatch):
    """SearcherData's bulk column reads equal Whoosh's per-document answers (segments, deletions, gaps)."""
    from search import generation
    from search.postings import SearcherData, _leaf_lengths, _leaf_values
    from search.scoring import WEIGHTING
    from search.store import IndexStore

    monkeypatch.setattr(generation, "SEGMENT_DOCS", 40)
    docs = make_corpus(100)
    docs[7].title, docs[7].summary, docs[7].body, docs[7].tags, docs[7].meta = "", "", "", [], []  # no words
    store = IndexStore(tmp_path)
    path, _ = generation.write_generation(store, docs)
    store.publish(path, 100)
    ix = store.open_current()
    with ix.writer() as writer:
        writer.delete_by_term("doc_id", docs[50].doc_id)
    searcher = ix.searcher(weighting=WEIGHTING)
    reader = searcher.reader()
    assert len(reader.leaf_readers()) == 3 and reader.has_deletions()
    data = SearcherData(searcher)
    published, category = reader.column_reader("published"), reader.column_reader("category")
    assert data.published == [published[d] for d in range(100)]
    assert data.category == [category[d] for d in range(100)]
    assert data.lengths == [reader.doc_field_length(d, "words", 1) or 0 for d in range(100)]
    assert data.lengths[7] == 0 and min(data.lengths[:7]) > 0
    bulk = [(_leaf_values(leaf, "category"), _leaf_lengths(leaf, "words")) for leaf, _ in reader.leaf_readers()]
    monkeypatch.setattr("search.postings._bulk", lambda column, count: None)  # document by document
    assert bulk == [(_leaf_values(leaf, "category"), _leaf_lengths(leaf, "words")) for leaf, _ in reader.leaf_readers()]
    searcher.close()
    ix.close()


def test_sources_are_read_by_id_with_their_tags_and_an_open_end(search_app, monkeypatch):
    """Batches fetched by primary key hold what the ORM holds; unpublished ids are skipped; later ids are not lost."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from content.models import Article
    from core.db import db
    from search import documents

    with Session(bind=db.engine) as session:
        expected = {article.id: (article.tag_names, documents.stamp(article)) for article in session.scalars(
            select(Article).where(Article.status == "published", Article.published_at.is_not(None)))}
        assert any(len(tags) > 1 for tags, _ in expected.values())  # tag order is checked
        sources = list(documents.load_sources(session, batch=4))
        assert {s.article_id: (s.tags, s.stamp) for s in sources} == expected
        assert [s.article_id for s in sources] == sorted(expected)
        # An id that is not published (or gone) is skipped; the rest come in id order.
        draft = session.scalar(select(Article).order_by(Article.id.desc()).limit(1))
        draft.status = "draft"
        session.flush()
        wanted = {min(expected), draft.id, 10**9}
        assert [s.article_id for s in documents.load_sources(session, wanted)] == [min(expected)]
        session.rollback()
        # Articles published after the ids were read still come (a full read's open end).
        ids = sorted(expected)
        monkeypatch.setattr(documents, "indexable_ids", lambda session, **bounds: ids[:-5])
        assert [s.article_id for s in documents.load_sources(session, batch=4)] == ids
        assert [s.article_id for s in documents.load_sources(session, batch=4, up_to_id=ids[-6])] == ids[:-5]


def test_the_default_worker_count_follows_the_usable_cpus(monkeypatch):
    from search import generation

    assert [generation.default_workers(cpus) for cpus in (1, 2, 3, 4, 6, 8)] == [0, 2, 2, 2, 4, 6]
    monkeypatch.setattr(generation.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(generation.os, "cpu_count", lambda: 64)
    assert generation.usable_cpus() == 1 and generation.default_workers() == 0  # the affinity mask, not the machine
