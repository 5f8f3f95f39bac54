"""search(): hits, facets, paging, logging, helpers — on SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import func, select

from content.models import CATEGORIES
from search.models import SearchQueryLog
from search.service import SearchHit, SearchPage, did_you_mean, popular_tags, search


def test_hits_carry_everything_a_channel_needs(search_app, session):
    page = search(session, "万華鏡", base_url="http://testserver.local/", log=False)
    assert isinstance(page, SearchPage) and page.total >= 1
    hit = page.results[0]
    assert isinstance(hit, SearchHit)
    assert hit.slug == "local-kaleidoscope-workshop"
    assert hit.url == "http://testserver.local/articles/local-kaleidoscope-workshop"
    assert hit.category == "local" and hit.category_label == CATEGORIES["local"]
    assert hit.kind == "event" and hit.event_starts_at is not None and hit.event_starts_at.tzinfo is not None
    assert hit.published_at is not None and hit.published_at.tzinfo is not None
    assert "<mark>万華鏡</mark>" in hit.snippet and "<mark>" not in hit.snippet_text and "万華鏡" in hit.snippet_text
    assert hit.image == "local-kaleidoscope-workshop" and hit.score > 0
    assert search(session, "万華鏡", log=False).results[0].url == "/articles/local-kaleidoscope-workshop"


def test_facets_count_every_category_and_the_filter_keeps_them(search_app, session):
    everything = search(session, "町工場", log=False)
    assert sum(everything.facets.values()) == everything.total
    assert list(everything.facets) == [key for key in CATEGORIES if key in everything.facets]
    narrowed = search(session, "町工場", category="feature", log=False)
    assert narrowed.total == everything.facets["feature"]
    assert narrowed.facets == everything.facets
    assert {hit.category for hit in narrowed.results} == {"feature"}


def test_paging_is_a_window_on_one_ranking(search_app, session):
    full = [hit.slug for hit in search(session, "町工場", per_page=50, log=False).results]
    pages = [search(session, "町工場", page=n, per_page=4, log=False) for n in (1, 2, 3, 4)]
    assert [hit.slug for page in pages for hit in page.results] == full[:16]
    assert pages[0].pages == -(-len(full) // 4)
    beyond = search(session, "町工場", page=999, per_page=4, log=False)
    assert beyond.results == [] and beyond.total == len(full)


def test_out_of_range_paging_is_clamped_not_raised(search_app, session):
    for page, per_page, expected in [(0, 10, (1, 10)), (-3, 0, (1, 1)), ("x", None, (1, 10)),
                                     (10**9, 10**9, (1000, 50))]:
        result = search(session, "工場", page=page, per_page=per_page, log=False)
        assert (result.page, result.per_page) == expected


def test_unknown_category_is_ignored_by_the_function(search_app, session):
    assert search(session, "工場", category="nope", log=False).total == search(session, "工場", log=False).total


def test_hostile_text_never_raises(search_app, session, hostile_queries):
    for query in hostile_queries:
        result = search(session, query, channel="line")
        assert isinstance(result, SearchPage) and result.total >= 0, query
        assert all("<script" not in hit.snippet for hit in result.results)
    assert search(session, "旋盤" + "😀" * 3000, log=False).total > 0  # the words still count


def test_every_query_is_logged_normalised_with_channel_and_count(search_app, session):
    search(session, "ＩｏＴ　工場", channel="discord", category="series")
    search(session, "ｘｙｚｚｙｑｑ", channel="line")
    search(session, "   ")  # nothing to search for: nothing to log
    search(session, "工場", log=False)
    rows = session.scalars(select(SearchQueryLog).order_by(SearchQueryLog.id)).all()
    assert [(r.query, r.channel, r.category) for r in rows] == [("iot 工場", "discord", "series"),
                                                                 ("xyzzyqq", "line", None)]
    assert rows[0].result_count > 0 and rows[1].result_count == 0
    assert rows[0].created_at.tzinfo is not None


def test_logging_leaves_the_callers_transaction_alone(search_app, session):
    from content.models import Tag

    session.add(Tag(name="検索テスト"))
    session.flush()  # the caller holds uncommitted work (on SQLite: the write lock)
    search(session, "工場", channel="line")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Tag).where(Tag.name == "検索テスト")) == 0
    search(session, "工場", channel="line")  # a read-only caller: logged at once, no commit needed
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SearchQueryLog)) == 1


def test_empty_state_helpers(search_app, session):
    tags = popular_tags(session, 5)
    assert len(tags) == 5 and tags[0] == "町工場"  # the tag on the most published articles
    assert popular_tags(session, 0) == []
    assert did_you_mean("ロボト") == ["ロボット"]
    assert did_you_mean("ろぼと") == ["ロボット"]
    assert did_you_mean("溶接") == []  # finds something already
    assert did_you_mean("AND OR NOT * ?") == []
    empty = search(session, "ロボト", log=False)
    assert empty.total == 0 and empty.suggestions == ["ロボット"]
