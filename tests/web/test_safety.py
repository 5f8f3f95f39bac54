"""Hostile input: HTML in Markdown, path traversal on /media, odd URLs."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from archive_helpers import Page, import_folder, write_article

ATOM = "{http://www.w3.org/2005/Atom}"

MALICIOUS_BODY = """
## 見出し

<script>alert('x')</script>
<img src="x.png" onerror="alert(1)">
<a href="javascript:alert(1)">生のリンク</a>
<iframe src="https://evil.example/"></iframe>
<div onclick="alert(1)" style="background:url(javascript:alert(1))">クリック</div>

[Markdownのリンク](javascript:alert(1))
[データ](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
![画像](javascript:alert(1))
<svg onload="alert(1)"></svg>

[正しいリンク](https://example.com/ok)
"""


@pytest.fixture
def hostile_app(app, tmp_path):
    folder = tmp_path / "hostile"
    write_article(folder, "hostile-article", title="<script>alert('title')</script>危ない記事",
                  body=MALICIOUS_BODY, extra="summary: \"<img src=x onerror=alert(2)>要約\"\n"
                                              "tags: [\"<b>タグ</b>\"]\n")
    import_folder(app, folder)
    return app


def _assert_inert(html: str, where: str) -> None:
    """No element that runs code: no script/iframe/svg, no on* handler, no javascript:/data: URL."""
    for tag, attrs in Page(html).tags:
        assert tag not in ("script", "iframe", "svg", "object", "embed") or (
            tag == "script" and attrs.get("src", "").startswith("/static/")
        ), (where, tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (where, tag, attrs)
            assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:")), (where, tag, attrs)
            assert "javascript:" not in value.lower() or name in ("content", "title"), (where, tag, attrs)


def test_html_in_markdown_cannot_run(hostile_app):
    client = hostile_app.test_client()
    for path in ("/articles/hostile-article", "/category/news", "/", "/tag/<b>タグ</b>"):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_inert(response.get_data(as_text=True), path)
    body = client.get("/articles/hostile-article").get_data(as_text=True)
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in body  # shown as text, not run


def test_feeds_carry_only_sanitised_html(hostile_app):
    client = hostile_app.test_client()
    atom = ET.fromstring(client.get("/feed.xml").data)
    content = atom.find(f"{ATOM}entry/{ATOM}content").text
    _assert_inert(content, "atom content")
    rss = ET.fromstring(client.get("/rss.xml").data)
    _assert_inert(rss.find("channel/item/description").text or "", "rss description")


def test_article_page_keeps_safe_markdown(hostile_app):
    html = hostile_app.test_client().get("/articles/hostile-article").get_data(as_text=True)
    assert "<h2>見出し</h2>" in html
    assert '<a href="https://example.com/ok" rel="noopener noreferrer">正しいリンク</a>' in html
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;危ない記事" in html  # title shown as text


def test_media_is_served_with_long_cache_headers(demo_app, session):
    from content.models import Article

    article = session.query(Article).filter(Article.hero_image.is_not(None)).first()
    width = article.hero_sizes[0]
    response = demo_app.test_client().get(f"/media/{article.hero_image}-{width}.webp")
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]


@pytest.mark.parametrize("path", [
    "/media/../secret_key", "/media/..%2fsecret_key", "/media/%2e%2e/secret_key",
    "/media/%2e%2e%2fmonozukuri.sqlite3", "/media//etc/passwd", "/media/..%5csecret_key",
    "/media/nope.webp", "/media/", "/ogp/..%2f..%2fsecret_key.png",
])
def test_media_rejects_traversal(app, path):
    Path(app.instance_path, "secret_key").write_text("do-not-leak")
    response = app.test_client().get(path, follow_redirects=True)  # "//" is merged by a redirect
    assert response.status_code in (400, 404), path
    assert b"do-not-leak" not in response.data


def test_odd_slugs_and_tags_are_404_not_500(demo_client):
    for path in ("/articles/" + "a" * 5000, "/articles/%00", "/articles/..%2f..%2fetc", "/tag/%00",
                 "/series/%ff", "/category/" + "x" * 3000):
        assert demo_client.get(path).status_code == 404, path
