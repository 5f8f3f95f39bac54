"""GET /search (HTML) and GET /api/search (JSON): content, accessibility basics, bad input."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from search.models import SearchQueryLog


def test_results_page_has_form_facets_highlights_and_links(demo_search_app):
    client = demo_search_app.test_client()
    response = client.get("/search", query_string={"q": "町工場"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert 'role="search"' in html and '<label for="search-q">' in html and 'value="町工場"' in html
    assert 'aria-label="カテゴリで絞り込む"' in html and "category=feature" in html
    assert "<mark>町工場</mark>" in html and 'href="/articles/' in html
    assert 'role="status"' in html and "件見つかりました" in html
    assert 'name="robots" content="noindex' in html
    assert 'rel="next"' in html and "page=2" in html  # more than 10 hits: pagination keeps the query


def test_category_filter_and_second_page(demo_search_app):
    client = demo_search_app.test_client()
    html = client.get("/search?q=町工場&category=series").get_data(as_text=True)
    assert 'aria-current="page">テーマ別記事' in html
    second = client.get("/search?q=町工場&page=2")
    assert second.status_code == 200 and 'rel="prev"' in second.get_data(as_text=True)


def test_empty_state_offers_did_you_mean_and_popular_tags(demo_search_app):
    html = demo_search_app.test_client().get("/search?q=ロボト").get_data(as_text=True)
    assert "見つかりませんでした" in html
    assert "もしかして" in html and "q=%E3%83%AD%E3%83%9C%E3%83%83%E3%83%88" in html  # ロボット
    assert "記事の多いテーマから探す" in html and "町工場" in html


def test_user_text_is_escaped(demo_search_app):
    html = demo_search_app.test_client().get("/search", query_string={"q": "<script>alert(1)</script>"}).get_data(
        as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("query_string", ["page=0", "page=abc", "page=-1", "page=1001", "category=nope",
                                          "category=%3Cscript%3Ealert(1)%3C/script%3E"])
def test_bad_parameters_are_a_400_page_in_japanese(demo_search_app, query_string):
    response = demo_search_app.test_client().get(f"/search?q=工場&{query_string}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "検索条件が正しくありません" in html and "<script>alert" not in html and "%3Cscript" not in html


def test_hostile_queries_never_break_the_page_or_the_api(demo_search_app, hostile_queries):
    client = demo_search_app.test_client()
    for query in hostile_queries:
        text = "" if query is None else str(query)
        assert client.get("/search", query_string={"q": text}).status_code == 200, text
        response = client.get("/api/search", query_string={"q": text})
        assert response.status_code == 200 and response.is_json, text


def test_api_shape_and_absolute_urls(demo_search_app):
    response = demo_search_app.test_client().get("/api/search?q=3Dプリンタ&per_page=2")
    body = response.get_json()
    assert response.status_code == 200
    assert {"query", "total", "page", "results"} <= set(body)
    assert body["query"] == "3dプリンタ" and body["page"] == 1 and body["per_page"] == 2 and body["total"] >= 3
    assert len(body["results"]) == 2
    first = body["results"][0]
    assert {"slug", "title", "url", "category", "snippet", "published_at"} <= set(first)
    assert first["url"] == f"http://testserver.local/articles/{first['slug']}"
    assert "<mark>" in first["snippet"] and first["published_at"].endswith("+00:00")
    assert sum(body["facets"].values()) == body["total"]


@pytest.mark.parametrize("query_string, parameter", [
    ("page=0", "page"), ("page=x", "page"), ("page=1001", "page"), ("per_page=0", "per_page"),
    ("per_page=51", "per_page"), ("per_page=1.5", "per_page"), ("category=unknown", "category"),
])
def test_api_rejects_bad_parameters_with_a_json_400(demo_search_app, query_string, parameter):
    response = demo_search_app.test_client().get(f"/api/search?q=工場&{query_string}")
    assert response.status_code == 400 and response.is_json
    error = response.get_json()["error"]
    assert error["code"] == "invalid_parameter" and error["parameter"] == parameter and "指定してください" in error["message"]


def test_the_views_log_their_channel(demo_search_app, demo_session):
    client = demo_search_app.test_client()
    client.get("/search?q=溶接")
    client.get("/api/search?q=溶接&category=series")
    rows = demo_session.execute(select(SearchQueryLog.channel, SearchQueryLog.category)).all()
    assert sorted(rows, key=str) == sorted([("web", None), ("api", "series")], key=str)
