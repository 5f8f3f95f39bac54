"""Article and category pages from stored parts: byte for byte the templates' page, never stale.

The article page is the stored article-specific fragment (``page_html``), the stored cards of
its related articles and the per-process site chrome; the category archive is the stored
cards in a per-process frame. Each test compares with the page ``render_template`` gives, or
shows that a change of an input is served by the very next request.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from content import page_cards, page_parts, service
from content.models import CATEGORIES, Article, Company, Tag, article_related
from content.views.archive import CATEGORY_LEADS, PER_PAGE
from core import site
from core.db import db, utcnow
from events.models import Event, Registration
from videos.models import Video


@pytest.fixture(autouse=True)
def _uncached(app):
    app.config["PAGE_CACHE"] = False  # what is measured here is the page as every request makes it


def _whole(app, slug: str) -> str:
    path = "/about" if slug == "about" else f"/articles/{slug}"
    with app.test_request_context(path):
        return page_parts.render_whole(slug)


def _category_whole(app, category: str, number: int) -> str:
    from flask import render_template

    path = f"/category/{category}" + (f"?page={number}" if number > 1 else "")
    with app.test_request_context(path):
        query = service.published_articles_query(category, with_tags=False)
        page = service.paginate(db.session, query, number, PER_PAGE)
        return render_template("archive/list.html", page=page, heading=CATEGORIES[category],
                               lead=CATEGORY_LEADS.get(category, ""), kind="category", category=category,
                               canonical=site.canonical_url(number))


def _page(client, slug: str) -> str:
    response = client.get("/about" if slug == "about" else f"/articles/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _related_slugs(html: str) -> list[str]:
    section = html.split('id="related-heading"', 1)[1] if 'id="related-heading"' in html else ""
    return [part.split('"', 1)[0] for part in section.split('href="/articles/')[1:]]


def _with_related(session) -> Article:
    for article in service.latest_articles(session, limit=100):
        if article.category != "about" and service.related_articles(session, article):
            return article
    raise AssertionError("the demo content has an article with related articles")


def _stored(session, article_id: int):
    session.expire_all()
    table = Article.__table__
    return session.execute(select(table).where(table.c.id == article_id)).one()


def test_every_article_page_is_the_templates_page(demo_app, demo_client, session):
    slugs = [a.slug for a in service.latest_articles(session, limit=200)]
    assert len(slugs) > 10
    for slug in slugs:
        first = _page(demo_client, slug)  # builds and stores the parts
        assert first == _whole(demo_app, slug), slug
        assert _page(demo_client, slug) == first, slug  # from the stored parts


def test_article_with_event_broadcast_video_and_hero_is_the_templates_page(demo_app, demo_client, session):
    from notifications.models import Broadcast

    event = session.scalar(select(Event).where(Event.article_id.is_not(None), Event.capacity > 0))
    article = session.get(Article, event.article_id)
    article.body_md = (article.body_md or "") + "\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n"
    now = utcnow()
    session.add(Broadcast(kind="broadcast", title="お知らせ", text="記事のお知らせです", channels=["web"],
                          article_id=article.id, send_at=now, started_at=now, status="done",
                          aggregation_unit="broadcast"))
    session.commit()
    html = _page(demo_client, article.slug)
    assert 'class="event-box"' in html and 'data-video-id="dQw4w9WgXcQ"' in html and "記事のお知らせです" in html
    assert html == _whole(demo_app, article.slug)
    assert _page(demo_client, article.slug) == html
    # The embedded video's title comes from the videos table, read per request.
    session.add(Video(video_id="dQw4w9WgXcQ", title="取り込んだ動画の題名", published_at=utcnow()))
    session.commit()
    html = _page(demo_client, article.slug)
    assert "動画を再生: 取り込んだ動画の題名" in html
    assert html == _whole(demo_app, article.slug)


def test_category_pages_are_the_templates_pages(demo_app, demo_client, session):
    for category in ("news", "feature", "series", "local", "admin"):
        response = demo_client.get(f"/category/{category}")
        assert response.get_data(as_text=True) == _category_whole(demo_app, category, 1), category


def test_category_pages_with_many_articles(many_news, client):
    for number in (1, 2, 3):
        html = client.get(f"/category/news?page={number}" if number > 1 else "/category/news").get_data(as_text=True)
        assert html == _category_whole(many_news, "news", number), number
    assert client.get("/category/news?page=4").status_code == 404
    assert client.get("/category/admin").get_data(as_text=True) == _category_whole(many_news, "admin", 1)


def test_a_card_grid_from_stored_cards_is_the_macros_grid(demo_app, session):
    macros = demo_app.jinja_env.get_template("partials/macros.html").module
    articles = service.latest_articles(session, limit=6)
    articles[1].hero_image = None  # a card without a picture too
    session.commit()
    assert any(a.hero_image for a in articles) and any(not a.hero_image for a in articles)
    table = Article.__table__
    with demo_app.test_request_context("/"):
        rows = [db.session.execute(select(*page_cards.card_columns(table), table.c.card_key, table.c.card_html)
                                   .where(table.c.id == a.id)).one() for a in articles]
        cards = page_cards.cards(rows, page_cards.parts_version())
        for level, extra in ((2, ""), (3, "card-grid--compact")):
            assert str(macros.card_grid(cards, level, extra)) == str(macros.card_grid(articles, level, extra))


def test_views_store_parts_without_touching_version_or_updated_at(demo_client, session):
    article = _with_related(session)
    version, updated_at = article.version, article.updated_at
    html = _page(demo_client, article.slug)
    row = _stored(session, article.id)
    assert row.page_key and row.page_html and row.related_at
    related = session.execute(select(article_related.c.related_id).where(article_related.c.article_id == article.id)
                              .order_by(article_related.c.position)).scalars().all()
    assert related == [a.id for a in service.related_articles(session, article)]
    assert [session.get(Article, i).slug for i in related] == _related_slugs(html)
    card = _stored(session, related[0])
    assert card.card_key and card.card_html
    session.expire_all()
    stored = session.get(Article, article.id)
    assert (stored.version, stored.updated_at) == (version, updated_at)  # an open editor is not made stale


def test_stored_parts_are_served_as_they_are(demo_client, session):
    article = _with_related(session)
    _page(demo_client, article.slug)
    html = _stored(session, article.id).page_html
    assert "</article>" in html
    session.execute(update(Article).where(Article.id == article.id)
                    .values(page_html=html.replace("</article>", "<p>保存済みの断片</p></article>", 1),
                            updated_at=Article.updated_at))
    session.commit()
    assert "保存済みの断片" in _page(demo_client, article.slug)  # same key: no rendering per request


@pytest.mark.parametrize("change", ["body", "title", "summary", "tags", "tag_renamed", "company", "plain_sql"])
def test_an_edit_is_served_by_the_next_request(demo_app, demo_client, session, change):
    article = _with_related(session)
    _page(demo_client, article.slug)
    if change == "body":
        article.body_md = (article.body_md or "") + "\n\n追記：見学会の定員を増やしました。\n"
        expected = "見学会の定員を増やしました"
    elif change == "title":
        article.title, expected = "新しい見出しの記事", "新しい見出しの記事"
    elif change == "summary":
        article.summary, expected = "書き直した要約です。", "書き直した要約です。"
    elif change == "tags":
        article.tags = [*article.tags, Tag(name="新しいタグ")]
        expected = "新しいタグ"
    elif change == "tag_renamed":  # the console never renames a tag; a fix in the database still shows
        tag = article.tags[0]
        session.execute(update(Tag).where(Tag.id == tag.id).values(name="改名したタグ"))
        expected = "改名したタグ"
    elif change == "company":
        company = session.scalar(select(Company))
        article.company = company
        company.name, expected = "名前を変えた株式会社", "名前を変えた株式会社"
        article.category = "feature"
    else:  # an edit that bypasses the ORM (and its version/updated_at bookkeeping)
        session.execute(Article.__table__.update().where(Article.__table__.c.id == article.id)
                        .values(title="SQLで直した見出し", updated_at=Article.__table__.c.updated_at))
        expected = "SQLで直した見出し"
    session.commit()
    html = _page(demo_client, article.slug)
    assert expected in html
    assert html == _whole(demo_app, article.slug)


def test_an_edited_related_article_shows_in_the_next_request(demo_app, demo_client, session):
    article = _with_related(session)
    related = _related_slugs(_page(demo_client, article.slug))
    neighbour = session.scalar(select(Article).where(Article.slug == related[0]))
    neighbour.title = "関連記事の新しい見出し"
    neighbour.summary = "関連記事の新しい要約"
    session.commit()
    html = _page(demo_client, article.slug)
    assert "関連記事の新しい見出し" in html and "関連記事の新しい要約" in html
    assert html == _whole(demo_app, article.slug)
    # ... and in its category archive, whose card is the same stored one.
    assert "関連記事の新しい見出し" in demo_client.get(f"/category/{neighbour.category}").get_data(as_text=True)


def test_an_unpublished_related_article_disappears_at_once(demo_client, session):
    article = _with_related(session)
    first = _related_slugs(_page(demo_client, article.slug))
    hidden = session.scalar(select(Article).where(Article.slug == first[0]))
    hidden.status = "draft"
    session.commit()
    assert first[0] not in _related_slugs(_page(demo_client, article.slug))


def test_a_withdrawn_article_is_gone_at_once(demo_client, session):
    article = _with_related(session)
    _page(demo_client, article.slug)
    article.published_at = utcnow() + timedelta(days=1)  # back to scheduled
    session.commit()
    assert demo_client.get(f"/articles/{article.slug}").status_code == 404
    assert f"/articles/{article.slug}\"" not in demo_client.get(f"/category/{article.category}").get_data(as_text=True)


def test_seats_left_are_live(demo_app, demo_client, session):
    event = session.scalar(select(Event).where(Event.article_id.is_not(None), Event.capacity > 2,
                                               Event.starts_at > utcnow()))
    article = session.get(Article, event.article_id)
    before = _page(demo_client, article.slug)
    assert f"定員{event.capacity}名（残り{event.capacity}席）" in before
    session.add(Registration(event_id=event.id, channel="web", person_key="test:seat", status="confirmed",
                             adults=2, children=0, purpose_version="1", consented_at=utcnow(),
                             token="seat-test-token"))
    session.commit()
    after = _page(demo_client, article.slug)
    assert f"定員{event.capacity}名（残り{event.capacity - 2}席）" in after
    assert after == _whole(demo_app, article.slug)


def test_related_articles_are_ranked_again_when_old_or_when_the_tags_change(demo_client, session):
    article = _with_related(session)
    _page(demo_client, article.slug)
    session.execute(article_related.delete().where(article_related.c.article_id == article.id))
    session.commit()
    assert _related_slugs(_page(demo_client, article.slug)) == []  # fresh: the stored (empty) list is used
    session.execute(update(Article).where(Article.id == article.id)
                    .values(related_at=utcnow() - page_parts.RELATED_REFRESH - timedelta(seconds=1),
                            updated_at=Article.updated_at))
    session.commit()
    assert _related_slugs(_page(demo_client, article.slug))  # old: ranked again
    session.execute(article_related.delete().where(article_related.c.article_id == article.id))
    session.commit()
    article.tags = article.tags[:-1]
    session.commit()
    assert _related_slugs(_page(demo_client, article.slug))  # tags changed: ranked again


def test_settings_shown_by_the_chrome_and_the_fragment_take_effect_at_once(demo_app, demo_client, session):
    article = _with_related(session)
    _page(demo_client, article.slug)
    demo_app.config["BASE_URL"] = "https://new.example.jp"
    demo_app.config["LINE_FRIEND_URL"] = "https://line.example.jp/friend"
    html = _page(demo_client, article.slug)
    assert '<link rel="canonical" href="https://new.example.jp/articles/' in html
    assert "https://line.example.jp/friend" in html
    assert html == _whole(demo_app, article.slug)


def test_build_all_stores_every_part_ahead_of_the_first_view(demo_app, demo_client, session):
    articles, pages = page_parts.build_all(demo_app)
    published = service.latest_articles(session, limit=500)
    assert articles == len(published) and pages >= 5
    table = Article.__table__
    rows = session.execute(select(table.c.category, table.c.page_key, table.c.page_html, table.c.card_key)
                           .where(table.c.id.in_([a.id for a in published]))).all()
    assert all(row.page_key and row.page_html for row in rows)
    assert all(row.card_key for row in rows if row.category != "about")  # about is in no listing
    # The first view finds them fresh: it writes nothing.
    writes = []
    from sqlalchemy import event

    def note(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        for article in published:
            assert _page(demo_client, article.slug) == _whole(demo_app, article.slug)
        demo_client.get("/category/news")
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert [w for w in writes if "kpi_page_views" not in w] == []


def test_the_worker_rebuilds_stale_parts_before_anyone_views_them(demo_app, session):
    from content import jobs

    article_id = _with_related(session).id
    jobs.run_page_build(demo_app)
    session.get(Article, article_id).title = "誰も開いていない間に直した見出し"
    session.commit()
    jobs.run_page_build(demo_app)
    assert "誰も開いていない間に直した見出し" in _stored(session, article_id).page_html
