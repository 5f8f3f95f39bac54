"""``?page=`` policy: missing/empty → page 1; anything else not a real page → 404."""
from __future__ import annotations

import pytest
from archive_helpers import parse

from content import service


def test_listing_is_split_in_pages_of_twelve(many_news):
    client = many_news.test_client()
    first = parse(client.get("/category/news"))
    third = parse(client.get("/category/news?page=3"))
    assert len([h for h in first.headings if h[0] == 2]) == 12
    assert len([h for h in third.headings if h[0] == 2]) == 6
    assert first.has("a", href="/category/news?page=2")
    assert third.has("a", href="/category/news?page=2", rel="prev")


def test_current_page_is_marked_with_aria_current(many_news):
    page = parse(many_news.test_client().get("/category/news?page=2"))
    current = [link for link in page.links if link.get("aria-current") == "page"]
    assert [link["href"] for link in current] == ["/category/news?page=2"]
    assert page.has("nav", **{"aria-label": "ページ送り"})
    assert page.canonical() == "http://testserver.local/category/news?page=2"


def test_pages_do_not_overlap(many_news, session):
    client = many_news.test_client()
    seen: list[str] = []
    for number in (1, 2, 3):
        seen += [title for level, title in parse(client.get(f"/category/news?page={number}")).headings if level == 2]
    assert len(seen) == len(set(seen)) == 30


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "999999", "4", "01", " 1", "1e3", "９"])
def test_bad_page_values_are_404(many_news, value):
    response = many_news.test_client().get("/category/news", query_string={"page": value})
    assert response.status_code == 404
    assert "ページが見つかりません" in response.get_data(as_text=True)


def test_empty_page_value_is_page_one(many_news):
    response = many_news.test_client().get("/category/news?page=")
    assert response.status_code == 200


def test_ten_thousand_character_query_string_is_handled(many_news):
    client = many_news.test_client()
    long_value = "あ" * 10_000
    assert client.get("/category/news", query_string={"page": long_value}).status_code == 404
    assert client.get("/category/news", query_string={"q": long_value}).status_code == 200
    assert client.get("/", query_string={"x": "a" * 10_000}).status_code == 200
    assert client.get("/category/news?page=" + "9" * 10_000).status_code == 404


def test_empty_category_still_has_page_one(app):
    response = app.test_client().get("/category/admin")
    assert response.status_code == 200
    assert "まだ記事がありません" in response.get_data(as_text=True)
    assert app.test_client().get("/category/admin?page=2").status_code == 404


def test_paginate_helper(many_news, session):
    query = service.published_articles_query("news")
    page = service.paginate(session, query, 2, per_page=12)
    assert (page.number, page.pages, page.total, page.has_prev, page.has_next) == (2, 3, 30, True, True)
    assert service.paginate(session, query, 0) is None
    assert service.paginate(session, query, 4, per_page=12) is None
    assert service.paginate(session, service.published_articles_query("admin"), 1).pages == 1
