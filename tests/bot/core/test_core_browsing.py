"""新着, events and the site link: cards with images, labels and tracked links."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bot_core_factories import make_article, make_event

from content import service as content_service


def _follow_tracked(client, url: str):
    response = client.get(urlsplit(url).path)
    assert response.status_code == 302
    return urlsplit(response.headers["Location"])


def test_latest_on_demo_content(demo_bot, demo_app, session, client):
    """Cards: titles in publication order, category labels, existing 960px images, tracked links."""
    demo_bot.send_text("U1", "新着を教えて")
    cards = demo_bot.last_cards()
    expected = content_service.latest_articles(session, limit=10)
    assert 0 < len(cards) <= 10 and [c.title for c in cards] == [a.title for a in expected]
    media = Path(demo_app.instance_path) / "media"
    for card, article in zip(cards, expected):
        assert card.label == article.category_label and card.body
        assert card.image_url.startswith("http://testserver.local/media/") and card.image_url.endswith("-960.jpg")
        assert (media / card.image_url.rsplit("/", 1)[1]).is_file()
        assert card.url.startswith("http://testserver.local/r/")
        target = _follow_tracked(client, card.url)
        assert target.path == f"/articles/{article.slug}"
        assert parse_qs(target.query)["utm_source"] == ["line"]
        assert parse_qs(target.query)["utm_campaign"] == [f"article-{article.id}"]
    demo_bot.send_text("U1", "新着 お知らせ")
    assert {c.label for c in demo_bot.last_cards()} == {"お知らせ"}
    demo_bot.tap("U1", demo_bot.choice("特集記事"))
    assert demo_bot.last_cards() and {c.label for c in demo_bot.last_cards()} == {"特集記事"}


def test_hero_image_uses_the_largest_width_up_to_960(bot, session):
    make_article(session, "small", hero_image="small-abc", hero_sizes=[320, 480])
    make_article(session, "huge", days_ago=2, hero_image="huge-abc", hero_sizes=[480, 960, 1600])
    make_article(session, "plain", days_ago=3)
    session.commit()
    bot.send_text("U1", "新着")
    images = {c.title: c.image_url for c in bot.last_cards()}
    assert images == {"記事 small": "http://testserver.local/media/small-abc-480.jpg",
                      "記事 huge": "http://testserver.local/media/huge-abc-960.jpg", "記事 plain": None}


def test_latest_when_there_is_nothing(bot):
    bot.send_text("U1", "新着 特集")
    assert "特集記事の記事はまだありません" in bot.last_text() and "新着" in bot.last_labels()


def test_events_list_upcoming_events_soonest_first(bot, session):
    make_event(session, "tour-later", "tour", 20, place="蒲田", capacity=10)
    make_event(session, "ws-soon", "workshop", 3, audience="小学生と保護者")
    make_event(session, "ws-past", "workshop", -3)
    session.commit()
    bot.send_text("U1", "イベントある？")
    cards = bot.last_cards()
    assert [c.title for c in cards] == ["workshop ws-soon", "tour tour-later"]
    assert cards[0].label == "子ども向け体験教室" and "対象：小学生と保護者" in cards[0].body
    assert "会場：蒲田" in cards[1].body and "定員：10名" in cards[1].body
    assert "日時：" in cards[0].body and "（2件）" in bot.last_text()


def test_events_by_kind(bot, session, client):
    make_event(session, "tour-a", "tour", 5)
    make_event(session, "ws-a", "workshop", 6)
    session.commit()
    bot.send_text("U1", "ワークショップ")
    assert [c.title for c in bot.last_cards()] == ["workshop ws-a"]
    assert _follow_tracked(client, bot.last_cards()[0].url).path == "/articles/ws-a"
    bot.send_text("U1", "工場見学")
    assert [c.title for c in bot.last_cards()] == ["tour tour-a"]


def test_no_events_offers_to_subscribe_to_the_topic(bot, session):
    bot.send_text("U1", "見学会")
    assert "いま予定されている企業見学会はありません" in bot.last_text()
    bot.tap("U1", bot.choice("企業見学会の通知を受け取る"))
    assert "「企業見学会」のお知らせを受け取るようにしました" in bot.last_text()


def test_demo_events_are_listed(demo_bot, session):
    demo_bot.send_text("U1", "イベント")
    upcoming = content_service.upcoming_events(session, limit=10)
    assert [c.title for c in demo_bot.last_cards()] == [e.title for e in upcoming]


def test_chat_event_list_leaves_out_cancelled_events_and_drafts(demo_bot, session):
    upcoming = content_service.upcoming_events(session, limit=10)
    cancelled, drafted = upcoming[0], next(e for e in upcoming[1:] if e.article is not None)
    cancelled.status = "cancelled"
    drafted.article.status = "draft"
    session.commit()
    demo_bot.send_text("U1", "イベント")
    titles = [c.title for c in demo_bot.last_cards()]
    assert cancelled.title not in titles and drafted.title not in titles
    assert titles == [e.title for e in upcoming if e not in (cancelled, drafted)]


def test_site_link_is_a_tracked_card(bot, client):
    bot.send_text("U1", "サイトを開いて")
    (card,) = bot.last_cards()
    assert card.button_label == "サイトを開く" and _follow_tracked(client, card.url).path == "/"


def test_help_lists_every_command(bot):
    bot.send_text("U1", "使い方を教えて")
    for word in ("新着", "イベント", "受信設定", "サイト", "データ削除"):
        assert word in bot.last_text()
    bot.tap("U1", bot.choice("検索のしかた"))
    assert "探したい言葉" in bot.last_text()


def test_links_are_attributed_to_the_channel(app, session, client):
    from bot.core.testing import FakeAdapter

    make_article(session, "one")
    session.commit()
    for channel, source in (("discord", "discord"), ("playground", "web"), ("line", "line")):
        adapter = FakeAdapter(session, app.config, channel=channel)
        adapter.send_text("someone", "新着")
        assert parse_qs(_follow_tracked(client, adapter.last_cards()[0].url).query)["utm_source"] == [source]


def test_an_event_without_a_public_article_links_to_its_event_page(bot, session, client):
    from datetime import timedelta

    from core.db import utcnow
    from events.models import Event

    event = Event(kind="tour", title="記事のない見学会", starts_at=utcnow() + timedelta(days=4))
    session.add(event)
    session.commit()
    bot.send_text("U1", "見学")
    (card,) = bot.last_cards()
    assert card.title == "記事のない見学会" and card.image_url is None
    assert _follow_tracked(client, card.url).path == f"/events/{event.id}"
