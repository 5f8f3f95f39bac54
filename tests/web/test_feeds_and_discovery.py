"""Atom/RSS feeds, sitemap.xml, robots.txt, canonical URLs and feed discovery links."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from archive_helpers import parse

from content import service

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "http://testserver.local"


def _xml(response):
    assert response.status_code == 200
    return ET.fromstring(response.data)


def test_site_atom_feed_lists_latest_articles_with_absolute_links(demo_client, session):
    response = demo_client.get("/feed.xml")
    assert response.mimetype == "application/atom+xml"
    root = _xml(response)
    entries = root.findall(f"{ATOM}entry")
    latest = service.latest_articles(session, limit=20)
    assert [e.find(f"{ATOM}title").text for e in entries] == [a.title for a in latest]
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert link.startswith(BASE + "/")
    self_link = [l.get("href") for l in root.findall(f"{ATOM}link") if l.get("rel") == "self"]
    assert self_link == [BASE + "/feed.xml"]


def test_category_feeds_contain_only_that_category(demo_client, session):
    for flavour, path in (("atom", "/feed/local.xml"), ("rss", "/rss/local.xml")):
        root = _xml(demo_client.get(path))
        expected = {a.title for a in service.latest_articles(session, "local", 20)}
        if flavour == "atom":
            titles = {e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")}
        else:
            titles = {item.find("title").text for item in root.find("channel").findall("item")}
        assert titles == expected and titles, path


def test_rss_feed_is_valid_rss_with_absolute_links(demo_client):
    response = demo_client.get("/rss.xml")
    assert response.mimetype == "application/rss+xml"
    channel = _xml(response).find("channel")
    assert channel.find("language").text == "ja"
    items = channel.findall("item")
    assert len(items) >= 16
    for item in items:
        assert item.find("link").text.startswith(BASE + "/")
        assert item.find("pubDate").text


def test_unknown_category_feed_is_404(demo_client):
    assert demo_client.get("/feed/nope.xml").status_code == 404
    assert demo_client.get("/rss/about.xml").status_code == 404


def test_sitemap_lists_every_public_article_and_archive(demo_client, session):
    root = _xml(demo_client.get("/sitemap.xml"))
    locations = {url.find(f"{SITEMAP}loc").text for url in root.findall(f"{SITEMAP}url")}
    for article in service.latest_articles(session, limit=100):
        expected = "/about" if article.slug == "about" else f"/articles/{article.slug}"
        assert BASE + expected in locations
    assert {BASE + "/", BASE + "/events", BASE + "/category/feature", BASE + "/series/people"} <= locations


def test_robots_points_to_sitemap(demo_client):
    response = demo_client.get("/robots.txt")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    assert "User-agent: *" in text
    assert f"Sitemap: {BASE}/sitemap.xml" in text


def test_pages_link_their_feeds_and_canonical_url(demo_client):
    page = parse(demo_client.get("/category/news"))
    alternates = {(l.get("type"), l.get("href")) for l in page.link_tags if l.get("rel") == "alternate"}
    assert ("application/atom+xml", BASE + "/feed.xml") in alternates
    assert ("application/rss+xml", BASE + "/rss.xml") in alternates
    assert ("application/atom+xml", BASE + "/feed/news.xml") in alternates
    assert page.canonical() == BASE + "/category/news"


def test_canonical_ignores_stray_query_strings(demo_client):
    page = parse(demo_client.get("/articles/space-industry-ota?utm_source=line&x=" + "y" * 50))
    assert page.canonical() == BASE + "/articles/space-industry-ota"
