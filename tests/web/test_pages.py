"""Public pages with the demo content: every page answers with real content."""
from __future__ import annotations

from urllib.parse import quote

from archive_helpers import parse
from sqlalchemy import select

from content import service
from content.models import CATEGORIES, Article
from core.db import db
from events.models import Event


def _published(session) -> list[Article]:
    return service.latest_articles(session, limit=100)


def test_top_page_shows_latest_of_each_category_and_events(demo_client, session):
    response = demo_client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for category in ("feature", "series", "news", "local", "admin"):
        newest = service.latest_articles(session, category, 1)[0]
        assert newest.title in html, category
        assert f'href="/category/{category}"' in html
    events = service.upcoming_events(session, public_only=True)
    assert len(events) >= 2
    assert events[0].title in html
    assert "定員" in html and "残り" in html
    assert 'href="/playground"' in html  # LINE fallback without LINE_FRIEND_URL
    assert "Discordコミュニティは準備中です" in html


def test_top_page_uses_configured_line_and_discord_links(demo_app):
    demo_app.config.update(LINE_FRIEND_URL="https://lin.ee/demo123", DISCORD_INVITE_URL="https://discord.gg/demo")
    html = demo_app.test_client().get("/").get_data(as_text=True)
    assert 'href="https://lin.ee/demo123"' in html
    assert 'href="https://discord.gg/demo"' in html
    assert "準備中" not in html


def test_every_published_article_page_renders_its_body(demo_client, session):
    for article in _published(session):
        path = "/about" if article.slug == "about" else f"/articles/{article.slug}"
        response = demo_client.get(path)
        assert response.status_code == 200, path
        page = parse(response)
        assert page.headings[0] == (1, article.title)
        assert article.hero_alt in [image.get("alt") for image in page.images], path


def test_article_page_has_picture_sources_credit_tags_share_and_related(demo_client, session):
    article = service.published_article(session, "space-industry-ota")
    response = demo_client.get("/articles/space-industry-ota")
    html = response.get_data(as_text=True)
    page = parse(response)
    assert '<source type="image/webp"' in html
    for width in article.hero_sizes:
        assert f"/media/{article.hero_image}-{width}.webp {width}w" in html
        assert f"/media/{article.hero_image}-{width}.jpg {width}w" in html
    assert article.hero_credit in html
    hrefs = page.hrefs()
    for name in article.tag_names:
        assert f"/tag/{quote(name)}" in hrefs
    url = "http://testserver.local/articles/space-industry-ota"
    assert f"https://social-plugins.line.me/lineit/share?url={quote(url)}" in hrefs
    assert any(href.startswith("https://twitter.com/intent/tweet?url=") for href in hrefs)
    assert any(href.startswith("https://www.facebook.com/sharer/sharer.php?u=") for href in hrefs)
    assert any(link.get("data-copy-url") == "http://testserver.local/articles/space-industry-ota" for link in page.links)
    related = [title for level, title in page.headings if level == 3]
    expected = service.related_articles(session, article)
    assert expected and related == [item.title for item in expected]


def test_related_articles_prefer_shared_tags(demo_app, session):
    article = service.published_article(session, "local-kouwa-seiki-tour")
    related = service.related_articles(session, article, limit=4)
    tags = set(article.tag_names)
    assert related and article not in related
    assert tags & set(related[0].tag_names)
    assert all(item.category != "about" for item in related)


def test_article_with_event_shows_event_box(demo_client, session):
    event = session.scalar(select(Event).where(Event.kind == "tour"))
    response = demo_client.get(f"/articles/{event.article.slug}")
    html = response.get_data(as_text=True)
    assert "イベント情報" in html and event.kind_label in html
    assert "2027年2月6日（土） 14:00〜16:00" in html
    assert event.place in html and event.audience in html
    assert f"定員{event.capacity}名（残り{event.capacity}席）" in html
    assert "申込締切" in html and "2027年1月30日（土） 23:59" in html
    assert f'href="/events/{event.id}"' in html and "申し込む" in html


def test_article_without_event_has_no_event_box(demo_client):
    html = demo_client.get("/articles/space-industry-ota").get_data(as_text=True)
    assert "イベント情報" not in html and ">申し込む</a>" not in html  # the company call to action says 見学を申し込む


def test_remaining_seats_count_registrations(demo_app, session):
    from events.service import Application, register

    event = session.scalar(select(Event).where(Event.kind == "workshop").order_by(Event.starts_at))
    register(session, Application(event.id, "line", "U1", adults=1, children=2, consent=True,
                                  name="大田 花子", contact="hanako@example.jp"))
    assert service.remaining_seats(session, [event]) == {event.id: event.capacity - 3}
    html = demo_app.test_client().get(f"/articles/{event.article.slug}").get_data(as_text=True)
    assert f"定員{event.capacity}名（残り{event.capacity - 3}席）" in html


def test_events_list_and_event_page(demo_client, session):
    events = service.upcoming_events(session, public_only=True)
    html = demo_client.get("/events").get_data(as_text=True)
    for event in events:
        assert event.title in html
    # the "申し込む" link leads to the registration page (events package)
    response = demo_client.get(f"/events/{events[0].id}")
    assert response.status_code == 200
    assert events[0].title in response.get_data(as_text=True)


def test_draft_article_and_its_event_stay_hidden(demo_app, session, tmp_path):
    from archive_helpers import import_folder, write_article

    write_article(tmp_path / "d", "secret-draft", category="local", extra=(
        "status: draft\nevent:\n  kind: tour\n  starts_at: 2099-01-01T10:00:00+09:00\n  capacity: 5\n"
    ))
    import_folder(demo_app, tmp_path / "d")
    client = demo_app.test_client()
    assert client.get("/articles/secret-draft").status_code == 404
    event = session.scalar(select(Event).join(Event.article).where(Article.slug == "secret-draft"))
    assert client.get(f"/events/{event.id}").status_code == 404
    assert "secret-draft" not in client.get("/events").get_data(as_text=True)


def test_category_series_and_tag_archives(demo_client, session):
    for category in CATEGORIES:
        if category == "about":
            continue
        html = demo_client.get(f"/category/{category}").get_data(as_text=True)
        for article in service.latest_articles(session, category, 12):
            assert article.title in html, category
    html = demo_client.get("/series/people").get_data(as_text=True)
    people = session.scalars(select(Article).where(Article.series == "people")).all()
    assert people and all(article.title in html for article in people)
    assert "テーマ別記事：人" in html
    html = demo_client.get("/tag/宇宙").get_data(as_text=True)
    assert "宇宙へ飛び立つ大田の町工場" in html


def test_about_page_is_the_concept_article(demo_client, session):
    about = session.scalar(select(Article).where(Article.slug == "about"))
    response = demo_client.get("/about")
    assert response.status_code == 200
    assert about.title in response.get_data(as_text=True)
    redirect = demo_client.get("/articles/about")
    assert redirect.status_code == 301 and redirect.headers["Location"].endswith("/about")


def test_unknown_things_get_the_japanese_404_page(demo_client):
    for path in ("/articles/no-such-article", "/category/no-such", "/category/about", "/series/robots",
                 "/tag/存在しないタグ", "/tag/" + "長" * 300, "/no/such/page", "/feed/nope.xml", "/ogp/nope.png"):
        response = demo_client.get(path)
        assert response.status_code == 404, path
        if path != "/ogp/nope.png":
            html = response.get_data(as_text=True)
            assert "ページが見つかりません" in html and 'lang="ja"' in html, path


def test_500_page_is_japanese(demo_app):
    demo_app.config["PROPAGATE_EXCEPTIONS"] = False

    @demo_app.get("/_test/boom")
    def boom():
        raise RuntimeError("boom")

    response = demo_app.test_client().get("/_test/boom")
    assert response.status_code == 500
    assert "エラーが発生しました" in response.get_data(as_text=True)


def test_public_pages_are_cacheable_and_revalidate(demo_client):
    first = demo_client.get("/articles/space-industry-ota")
    assert first.headers["Cache-Control"].startswith("public") and "max-age=60" in first.headers["Cache-Control"]
    etag = first.headers["ETag"]
    again = demo_client.get("/articles/space-industry-ota", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_healthz_still_answers(demo_client):
    assert demo_client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def _count_statements(app, path: str) -> int:
    from sqlalchemy import event as sa_event

    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert app.test_client().get(path).status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_pages_run_a_small_fixed_number_of_queries(demo_app):
    """No N+1: rendering runs a handful of statements, whatever the number of cards."""
    demo_app.config["PAGE_CACHE"] = False
    # article, tags, event, company x2, related + tags, seats, broadcast posts (notifications include)
    assert _count_statements(demo_app, "/articles/local-kouwa-seiki-tour") <= 10
    assert _count_statements(demo_app, "/") <= 7  # + the editable top-page settings row
    assert _count_statements(demo_app, "/category/series") <= 4


def test_cached_pages_cost_at_most_one_query_and_follow_local_commits(demo_app, session):
    client = demo_app.test_client()
    first = client.get("/").get_data(as_text=True)
    assert _count_statements(demo_app, "/") <= 1  # at most the content fingerprint
    assert client.get("/?utm_source=line").get_data(as_text=True) == first
    article = service.latest_articles(session, "news", 1)[0]
    article.title = "いま変わったばかりのお知らせ"
    session.commit()  # a commit in this process refreshes the fingerprint at once
    assert "いま変わったばかりのお知らせ" in client.get("/").get_data(as_text=True)


def test_changes_from_other_processes_show_after_the_reuse_window(demo_app, session, monkeypatch):
    from sqlalchemy import update

    from content import fingerprint
    from core.db import utcnow

    client = demo_app.test_client()
    client.get("/")
    article = service.latest_articles(session, "news", 1)[0]
    with db.engine.begin() as conn:  # like the importer CLI or another worker: no local Session commit
        conn.execute(update(Article.__table__).where(Article.__table__.c.id == article.id)
                     .values(title="別のプロセスで変えたタイトル", updated_at=utcnow()))
    db.session.remove()  # the next request starts with a fresh session, as in production
    monkeypatch.setattr(fingerprint, "REUSE_SECONDS", 0.0)  # the window has passed
    assert "別のプロセスで変えたタイトル" in client.get("/").get_data(as_text=True)


def test_500_page_survives_a_broken_template(demo_app, monkeypatch):
    from web.views import errors

    demo_app.config["PROPAGATE_EXCEPTIONS"] = False

    @demo_app.get("/_test/boom2")
    def boom():
        raise RuntimeError("boom")

    def broken(*_args, **_kwargs):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(errors, "render_template", broken)
    response = demo_app.test_client().get("/_test/boom2")
    assert response.status_code == 500
    assert "エラーが発生しました" in response.get_data(as_text=True)


def test_versioned_static_assets_are_cached_for_a_year(demo_client):
    page = parse(demo_client.get("/"))
    stylesheet = next(l["href"] for l in page.link_tags if l.get("rel") == "stylesheet")
    assert "?v=" in stylesheet
    response = demo_client.get(stylesheet)
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    plain = demo_client.get(stylesheet.split("?")[0])
    assert "immutable" not in plain.headers.get("Cache-Control", "")
