"""Broadcast settings in the console and "publish and announce"."""
from __future__ import annotations

from datetime import timedelta

import pytest
from broadcast_helpers import DISCORD_CHANNEL, add_subscribers, drain, login, make_article, make_staff, page, post_form
from sqlalchemy import select

from content import publishing
from core.db import utcnow
from notifications import routing
from notifications.models import Broadcast
from staff.models import AuditLog

SETTINGS = "/admin/broadcasts/settings"


@pytest.fixture
def ward(session):
    return make_staff(session, "ward")


@pytest.fixture
def ward_client(bapp, ward):
    client = bapp.test_client()
    login(client, ward)
    return client


def test_settings_save_routes_and_rules_and_are_audited(ward_client, session):
    data = {"route_channel_*": DISCORD_CHANNEL, "route_channel_news": "1300000000000000002",
            "route_role_news": "1400000000000000001", "announce_news": "1",
            "announce_channels_news": ["line", "web"]}
    assert post_form(ward_client, SETTINGS, SETTINGS, data).status_code == 302
    session.expire_all()
    routes = routing.routes(session)
    assert routes["*"].channel_id == DISCORD_CHANNEL and routes["*"].role_id is None
    assert (routes["news"].channel_id, routes["news"].role_id) == ("1300000000000000002", "1400000000000000001")
    rule = routing.announce_rule(session, "news")
    assert rule.enabled and rule.channels == ["line", "web"]
    assert not routing.announce_rule(session, "feature").enabled
    assert session.scalar(select(AuditLog).where(AuditLog.action == "broadcast.settings")) is not None
    html = page(ward_client, SETTINGS)
    assert 'value="1300000000000000002"' in html
    # Clearing a channel removes the route.
    assert post_form(ward_client, SETTINGS, SETTINGS, {"route_channel_*": DISCORD_CHANNEL}).status_code == 302
    session.expire_all()
    assert set(routing.routes(session)) == {"*"}


@pytest.mark.parametrize("data, message", [
    ({"route_channel_news": "general"}, "チャンネルIDはDiscordのID"),
    ({"route_channel_news": "1300000000000000002", "route_role_news": "@everyone"}, "ロールIDはDiscordのID"),
    ({"announce_news": "1"}, "自動配信先チャンネルを1つ以上選んでください"),
])
def test_bad_settings_are_refused_whole(ward_client, session, data, message):
    response = post_form(ward_client, SETTINGS, SETTINGS, {"route_channel_*": DISCORD_CHANNEL, **data})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    session.expire_all()
    assert routing.routes(session) == {}  # nothing half-saved


def test_discord_targets_merge_roles_per_channel(session):
    routing.save_route(session, "*", "1300000000000000009")
    routing.save_route(session, "news", DISCORD_CHANNEL, "1400000000000000001")
    routing.save_route(session, "local", DISCORD_CHANNEL, "1400000000000000002")
    routing.save_route(session, "tours", "1300000000000000003")
    targets = routing.discord_targets(session, ["news", "local", "tours"])
    assert [(t.channel_id, t.role_ids) for t in targets] == [
        (DISCORD_CHANNEL, ("1400000000000000001", "1400000000000000002")), ("1300000000000000003", ())]
    assert [t.channel_id for t in routing.discord_targets(session, ["admin"])] == ["1300000000000000009"]
    assert [t.channel_id for t in routing.discord_targets(session, [])] == ["1300000000000000009"]


def test_publishing_announces_once_when_the_category_is_on(bapp, session, ward, line_api, discord_api):
    routing.save_route(session, "news", DISCORD_CHANNEL)
    routing.save_announce_rule(session, "news", True, ["line", "discord", "web"])
    session.commit()
    users = add_subscribers(session, 3, topics=("news",))
    others = add_subscribers(session, 3, topics=("tours",), seed=9)
    article = make_article(session, status="draft")

    publishing.publish(session, article, ward)
    session.commit()
    (broadcast,) = session.scalars(select(Broadcast)).all()
    assert (broadcast.origin, broadcast.article_id, broadcast.topics) == ("auto", article.id, ["news"])
    assert broadcast.channels == ["line", "discord", "web"] and broadcast.created_by_id == ward.id

    drain(bapp, session)
    assert all(line_api.delivered_to(u) == 1 for u in users)
    assert all(line_api.delivered_to(u) == 0 for u in others)
    assert len(discord_api.messages_in(DISCORD_CHANNEL)) == 1

    publishing.unpublish(session, article, ward)
    publishing.publish(session, article, ward)  # published again: no second announcement
    session.commit()
    assert len(session.scalars(select(Broadcast)).all()) == 1


def test_publishing_is_silent_when_off_and_skips_unconfigured_channels(session, ward):
    news = make_article(session, slug="a-news", status="draft")
    publishing.publish(session, news, ward)
    session.commit()
    assert session.scalar(select(Broadcast)) is None  # no rule: no announcement

    routing.save_announce_rule(session, "local", True, ["discord", "web"])  # Discord has no channel set
    local = make_article(session, slug="a-local", category="local", status="draft")
    publishing.publish(session, local, ward)
    session.commit()
    (broadcast,) = session.scalars(select(Broadcast)).all()
    assert broadcast.channels == ["web"] and broadcast.topics == ["local"]


def test_scheduled_publication_announces_too(bapp, session, ward, line_api):
    routing.save_announce_rule(session, "news", True, ["line"])
    article = make_article(session, status="draft")
    article.status, article.scheduled_at = "scheduled", utcnow() - timedelta(minutes=1)
    session.commit()
    assert publishing.publish_due(session) == [article.id]
    broadcast = session.scalar(select(Broadcast))
    assert broadcast.origin == "auto" and broadcast.created_by_id is None
