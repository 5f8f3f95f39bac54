"""Reading search's query log: top queries and queries without results."""
from kpi_helpers import at
from kpi_scenario import DAY

from kpi import metrics as m
from kpi import rollup, sources
from kpi.queries import Scope, total
from search.models import SearchQueryLog


def test_search_log_gives_top_and_zero_result_queries(app, session):
    for query, hits, channel in (("旋盤", 4, "web"), ("旋盤", 4, "line"), ("旋盤", 3, "api"), ("ドローン", 0, "web"),
                                 ("ドローン", 0, "web")):
        session.add(SearchQueryLog(query=query, result_count=hits, channel=channel, created_at=at(DAY)))
    session.commit()
    assert sorted(sources.searches_on(session, DAY)) == [("line", "旋盤", 1, 0), ("web", "ドローン", 2, 2),
                                                          ("web", "旋盤", 2, 0)]
    rollup.rollup_day(session, DAY, app.config["SECRET_KEY"])
    assert total(session, m.ZERO_RESULT_SEARCHES, Scope(DAY, DAY)) == 2
    assert total(session, m.SEARCHES, Scope(DAY, DAY)) == 5
