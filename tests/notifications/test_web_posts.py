"""Every broadcast also appears on the web: /posts, /posts/<id> and the article page."""
from __future__ import annotations

from datetime import timedelta

import pytest
from broadcast_helpers import DISCORD_CHANNEL, add_subscribers, drain, make_article

from core.db import utcnow
from notifications import routing
from notifications.service import broadcasts_for_article, cancel_broadcast, create_broadcast


@pytest.fixture
def client(bapp):
    return bapp.test_client()


def _sent(bapp, session, **kwargs):
    broadcast = create_broadcast(session, **kwargs)
    session.commit()
    drain(bapp, session)
    session.refresh(broadcast)
    return broadcast


def test_timeline_shows_what_went_out_like_the_messages(bapp, client, session):
    routing.save_route(session, "*", DISCORD_CHANNEL)
    add_subscribers(session, 2)
    article = make_article(session)
    with_card = _sent(bapp, session, article=article, text="今週の注目記事です", channels=["line", "discord", "web"])
    text_only = _sent(bapp, session, text="工場見学会の申込を受け付けています\n詳しくはサイトで", channels=["web"])

    html = client.get("/posts").get_data(as_text=True)
    assert "今週の注目記事です" in html and article.title in html
    assert "工場見学会の申込を受け付けています" in html
    assert html.index("工場見学会") < html.index("今週の注目記事です")  # newest first
    assert "LINEでの表示" in html and 'class="pg-card"' in html
    assert "LINE・Discordで配信" in html
    assert f"/articles/{article.slug}" in html  # the web links straight to the page, untracked

    page = client.get(f"/posts/{with_card.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Discordでは" in body and "LINEでは" in body and article.title in body
    assert client.get(f"/posts/{text_only.id}").status_code == 200


def test_not_yet_sent_and_cancelled_broadcasts_stay_off_the_web_but_line_only_ones_are_listed(
        bapp, client, session):
    add_subscribers(session, 1)
    later = create_broadcast(session, text="未来のお知らせ", channels=["web"], at=utcnow() + timedelta(days=1))
    cancelled = create_broadcast(session, text="取り消したお知らせ", channels=["web"], at=utcnow() + timedelta(days=1))
    cancel_broadcast(session, cancelled)
    line_only = _sent(bapp, session, text="LINEだけのお知らせ", channels=["line"])
    session.commit()

    html = client.get("/posts").get_data(as_text=True)
    for text in ("未来のお知らせ", "取り消したお知らせ"):
        assert text not in html
    for post in (later, cancelled):
        assert client.get(f"/posts/{post.id}").status_code == 404
    # The timeline lists every public push, whatever channel it went to (issue 13).
    assert "LINEだけのお知らせ" in html and client.get(f"/posts/{line_only.id}").status_code == 200
    assert client.get("/posts/999999").status_code == 404


def test_article_page_embeds_its_broadcasts(bapp, client, session):
    article = make_article(session)
    other = make_article(session, slug="other-article", title="別の記事")
    _sent(bapp, session, article=article, text="記事ページにも載るお知らせ", channels=["web"])
    _sent(bapp, session, article=other, text="別の記事のお知らせ", channels=["web"])

    assert [b.text for b in broadcasts_for_article(session, article.id)] == ["記事ページにも載るお知らせ"]
    html = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "LINE・Discordでのお知らせ" in html and "記事ページにも載るお知らせ" in html
    assert "別の記事のお知らせ" not in html
    quiet = client.get(f"/articles/{other.slug}").get_data(as_text=True)
    assert "記事ページにも載るお知らせ" not in quiet


def test_timeline_pages(bapp, client, session):
    for i in range(22):
        create_broadcast(session, text=f"お知らせ{i:02d}", channels=["web"])
    session.commit()
    drain(bapp, session)
    first, second = client.get("/posts").get_data(as_text=True), client.get("/posts?page=2").get_data(as_text=True)
    assert "お知らせ21" in first and "お知らせ02" in first and "お知らせ01" not in first
    assert "お知らせ01" in second and "お知らせ00" in second and 'rel="prev"' in second
    assert client.get("/posts?page=3").status_code == 404
    assert client.get("/posts?page=abc").status_code == 404
