"""Ranking: exact under any page size, equal to Whoosh's full scoring, titles and recency."""
from __future__ import annotations

from datetime import timedelta

import pytest
from whoosh.query import And, Or, Term

from content.models import Article, Tag
from core.db import utcnow
from search.engine import _clause_scores, rank, unit_scores
from search.index import get_index
from search.querying import parse_units, unit_clauses
from search.service import search

QUERIES = ["町工場", "工場見学 若者", "3Dプリンタ 研磨 宇宙", "子どもと一緒に参加できるイベント", "溶接 アート 火花 金型",
           "ものづくり"]


@pytest.mark.parametrize("query", QUERIES)
def test_small_pages_are_the_head_of_the_full_ranking(demo_session, query):
    full = [(hit.slug, hit.score) for hit in search(demo_session, query, per_page=50, log=False).results]
    assert full
    for per_page in range(1, 6):
        page = search(demo_session, query, per_page=per_page, log=False)
        assert [(hit.slug, hit.score) for hit in page.results] == full[:per_page]
    assert [s for _, s in full] == sorted((s for _, s in full), reverse=True)


@pytest.mark.parametrize("query", ["町工場", "3Dプリンタ", "宇宙", "工場見学", "まちこうば", "子ども"])
def test_clause_scores_equal_whooshs_own_unlimited_scoring(demo_search_app, query):
    """Our term-at-a-time scores are Whoosh's BM25F scores of the equivalent query, times the boost.

    (The boost is compared outside Whoosh: its BM25F ignores the boost of a lone Term.)
    """
    with get_index().reading() as data:
        for unit in parse_units(query):
            total: dict[int, float] = {}
            for clause in (c for c in unit_clauses(unit) if not c.prefix):
                query_ = And([Term(clause.field, term) for term in clause.terms])
                theirs = {docnum: score for score, docnum in data.searcher.search(query_, limit=None).top_n}
                ours = _clause_scores(data, clause)
                assert ours.keys() == theirs.keys()
                for docnum, score in theirs.items():
                    assert ours[docnum] == pytest.approx(clause.boost * score, rel=1e-9)
                    total[docnum] = total.get(docnum, 0.0) + ours[docnum]
            assert unit_scores(data, unit) == pytest.approx(total)


def test_whoosh_small_limits_are_not_trusted(demo_search_app):
    """Whoosh's own top-N of an Or of Ors is what the pitfall is about; ours never depends on it."""
    with get_index().reading() as data:
        units = parse_units("町工場 若者 宇宙 研磨 アート")
        query = Or([Or([And([Term(c.field, t) for t in c.terms], boost=c.boost) for c in unit_clauses(u)])
                    for u in units])
        full = [docnum for _, docnum in data.searcher.search(query, limit=None).top_n]
        ours = [r.docnum for r in rank(data, units, now=2**40, category=None, offset=0, limit=len(full)).page]
        for limit in range(1, 6):
            head = rank(data, units, now=2**40, category=None, offset=0, limit=limit).page
            assert [r.docnum for r in head] == ours[:limit]
        assert set(ours) <= set(full)


def _article(session, slug, title, body, published_at, tags=()):
    article = Article(slug=slug, title=title, category="feature", summary="", body_md=body, status="published",
                      published_at=published_at)
    article.tags = [Tag(name=name) for name in tags]
    session.add(article)
    return article


def test_title_and_tag_hits_outrank_body_hits(app, session):
    now = utcnow() - timedelta(days=1)
    _article(session, "body", "工場だより", "歯車の話。" + "歯車をつくる。" * 2, now)
    _article(session, "title", "歯車の工場", "町の話。", now)
    _article(session, "tag", "町のお話", "町の話。", now, tags=["歯車"])
    session.commit()
    assert [hit.slug for hit in search(session, "歯車", log=False).results][2] == "body"


def test_recency_is_a_mild_tie_breaker(app, session):
    _article(session, "old", "真空ポンプの部品", "真空ポンプの部品をつくる。", utcnow() - timedelta(days=900))
    _article(session, "new", "真空ポンプの部品", "真空ポンプの部品をつくる。", utcnow() - timedelta(days=2))
    _article(session, "fresh-but-weak", "工場の話", "工場には真空ポンプもある。", utcnow() - timedelta(days=1))
    session.commit()
    hits = search(session, "真空ポンプ", log=False).results
    by_slug = {hit.slug: hit.score for hit in hits}
    assert by_slug["new"] > by_slug["old"]
    assert by_slug["new"] / by_slug["old"] <= 1.16
    assert hits[-1].slug == "fresh-but-weak"  # relevance still wins over freshness


def test_documents_matching_every_word_come_first(app, session):
    now = utcnow() - timedelta(days=1)
    _article(session, "both", "旋盤と宇宙", "旋盤で宇宙の部品。", now)
    _article(session, "one", "旋盤 旋盤 旋盤", "旋盤。旋盤。旋盤。旋盤。", now)
    session.commit()
    result = search(session, "旋盤 宇宙", log=False)
    assert [hit.slug for hit in result.results] == ["both"]  # two words: both required
    three = search(session, "旋盤 宇宙 部品", log=False)  # three words: two of three suffice
    assert [hit.slug for hit in three.results] == ["both"]
    # Nobody has both: half of the query is not an answer (an honest "nothing found" instead).
    assert search(session, "旋盤 火星", log=False).total == 0
    # Nobody has all three: documents covering most of the query still come, the half-match does not.
    relaxed = search(session, "旋盤 宇宙 火星", log=False)
    assert [hit.slug for hit in relaxed.results] == ["both"]


def test_unpublished_and_future_articles_are_hidden(app, session, monkeypatch):
    _article(session, "later", "冷間鍛造の話", "冷間鍛造。", utcnow() + timedelta(days=3))
    draft = _article(session, "draft", "冷間鍛造の下書き", "冷間鍛造。", None)
    draft.status = "draft"
    session.commit()
    assert search(session, "冷間鍛造", log=False).total == 0
    monkeypatch.setattr("search.service.utcnow", lambda: utcnow() + timedelta(days=4))
    assert [hit.slug for hit in search(session, "冷間鍛造", log=False).results] == ["later"]


def test_rank_filters_before_cutting_the_page(demo_search_app):
    with get_index().reading() as data:
        units = parse_units("町工場")
        everything = rank(data, units, now=2**40, category=None, offset=0, limit=100)
        local = rank(data, units, now=2**40, category="local", offset=0, limit=1)
    assert local.total == everything.facets["local"]
    assert local.page[0].docnum == next(r.docnum for r in everything.page if data.category[r.docnum] == "local")
