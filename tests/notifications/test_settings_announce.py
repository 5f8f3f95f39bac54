"""Broadcast settings in the console and "publish and announce"."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from broadcast_helpers import DISCORD_CHANNEL, add_subscribers, drain, login, make_article, make_staff, page, post_form
from sqlalchemy import select

from content import publishing
from core.db import utcnow
from notifications import announce, routing
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


GUILD = "1200000000000000001"
NEWS_CHANNEL, NEWS_ROLE = "1300000000000000002", "1400000000000000001"


@pytest.fixture
def named(discord_api):
    """The stand-in server's channels and roles, with the names staff pick them by."""
    discord_api.add_guild(GUILD, "大田区ものづくりコミュニティ")
    discord_api.add_channel(NEWS_CHANNEL, type=5, name="区からのお知らせ")
    discord_api.add_role(GUILD, NEWS_ROLE, "お知らせ係", mentionable=True)
    discord_api.add_role(GUILD, "1400000000000000099", "standin-bot", managed=True)  # the bot's own role
    return discord_api


def test_settings_offer_channels_and_roles_by_name_and_save_routes_and_rules(ward_client, session, named):
    html = page(ward_client, SETTINGS)
    assert "#お知らせ" in html and "#区からのお知らせ（アナウンスチャンネル）" in html and "@お知らせ係" in html
    assert "@standin-bot" not in html and "@everyone" not in html  # not roles staff can hand out
    assert 'inputmode="numeric"' not in html and not re.search(r">[^<]*\d{15,22}[^<]*<", html)
    data = {"route_channel_*": DISCORD_CHANNEL, "route_channel_news": NEWS_CHANNEL,
            "route_role_news": NEWS_ROLE, "announce_news": "1",
            "announce_channels_news": ["line", "web"]}
    assert post_form(ward_client, SETTINGS, SETTINGS, data).status_code == 302
    session.expire_all()
    routes = routing.routes(session)
    assert routes["*"].channel_id == DISCORD_CHANNEL and routes["*"].role_id is None
    assert (routes["news"].channel_id, routes["news"].role_id) == (NEWS_CHANNEL, NEWS_ROLE)
    rule = routing.announce_rule(session, "news")
    assert rule.enabled and rule.channels == ["line", "web"]
    assert not routing.announce_rule(session, "feature").enabled
    assert session.scalar(select(AuditLog).where(AuditLog.action == "broadcast.settings")) is not None
    html = page(ward_client, SETTINGS)
    assert re.search(r'<option value="%s" selected>#区からのお知らせ' % NEWS_CHANNEL, html)
    assert re.search(r'<option value="%s" selected>@お知らせ係</option>' % NEWS_ROLE, html)
    # Clearing a channel removes the route.
    assert post_form(ward_client, SETTINGS, SETTINGS, {"route_channel_*": DISCORD_CHANNEL}).status_code == 302
    session.expire_all()
    assert set(routing.routes(session)) == {"*"}


@pytest.mark.parametrize("data, message", [
    ({"route_channel_news": "general"}, "「お知らせ」の投稿チャンネルは一覧から選んでください"),
    ({"route_channel_news": "1300000000000000777"}, "「お知らせ」の投稿チャンネルは一覧から選んでください"),
    ({"route_channel_news": NEWS_CHANNEL, "route_role_news": "@everyone"}, "「お知らせ」で通知するロールは一覧から選んでください"),
    ({"route_channel_news": NEWS_CHANNEL, "route_role_news": GUILD}, "「お知らせ」で通知するロールは一覧から選んでください"),
    ({"route_role_news": NEWS_ROLE}, "投稿チャンネルも選んでください"),
    ({"announce_news": "1"}, "自動配信先チャンネルを1つ以上選んでください"),
])
def test_bad_settings_are_refused_whole(ward_client, session, named, data, message):
    response = post_form(ward_client, SETTINGS, SETTINGS, {"route_channel_*": DISCORD_CHANNEL, **data})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    session.expire_all()
    assert routing.routes(session) == {}  # nothing half-saved


def test_when_discord_cannot_be_asked_the_page_says_so_and_keeps_the_routes(ward_client, session, named):
    routing.save_route(session, "news", NEWS_CHANNEL, NEWS_ROLE)
    session.commit()
    named.fail_next(503, count=20)
    html = page(ward_client, SETTINGS)
    assert "Discordに接続できなかったため、チャンネルとロールの一覧を読み込めませんでした" in html
    assert "いまの設定のチャンネル（名前を読み込めません）" in html and "いまの設定のロール（名前を読み込めません）" in html
    data = {"route_channel_news": NEWS_CHANNEL, "route_role_news": NEWS_ROLE}
    assert post_form(ward_client, SETTINGS, SETTINGS, data).status_code == 302  # unchanged: kept
    refused = post_form(ward_client, SETTINGS, SETTINGS, {**data, "route_channel_*": DISCORD_CHANNEL})
    assert refused.status_code == 400  # a new choice needs Discord's list
    named.clear_faults()
    session.expire_all()
    assert routing.routes(session)["news"].role_id == NEWS_ROLE


def test_a_bot_in_no_server_is_told_on_the_settings_page(ward_client, discord_api):
    discord_api.leave_guild(GUILD)
    html = page(ward_client, SETTINGS)
    assert "ボットがまだどのDiscordサーバーにも参加していません" in html


def test_a_deleted_channel_is_named_as_such_not_by_its_id(ward_client, session, named):
    routing.save_route(session, "news", "1300000000000000555")
    session.commit()
    html = page(ward_client, SETTINGS)
    assert "見つからないチャンネル（いまの設定・削除された可能性があります）" in html
    assert not re.search(r">[^<]*1300000000000000555[^<]*<", html)


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


def test_publishing_then_choosing_send_announces_once(bapp, session, ward, line_api, discord_api):
    routing.save_route(session, "news", DISCORD_CHANNEL)
    routing.save_announce_rule(session, "news", True, ["line", "discord", "web"])
    session.commit()
    users = add_subscribers(session, 3, topics=("news",))
    others = add_subscribers(session, 3, topics=("tours",), seed=9)
    article = make_article(session, status="draft")

    publishing.publish(session, article, ward)
    session.commit()
    assert session.scalar(select(Broadcast)) is None  # staff publishing in the console choose next
    announce.decide(session, article, ward, "send", ["line", "discord", "web"])
    session.commit()
    (broadcast,) = session.scalars(select(Broadcast)).all()
    assert (broadcast.origin, broadcast.article_id, broadcast.topics) == ("auto", article.id, ["news"])
    assert broadcast.channels == ["line", "discord", "web"] and broadcast.created_by_id == ward.id
    logged = session.scalar(select(AuditLog).where(AuditLog.action == "article.announce"))
    assert logged.details["decision"] == "send" and logged.staff_id == ward.id

    drain(bapp, session)
    assert all(line_api.delivered_to(u) == 1 for u in users)
    assert all(line_api.delivered_to(u) == 0 for u in others)
    assert len(discord_api.messages_in(DISCORD_CHANNEL)) == 1

    publishing.unpublish(session, article, ward)
    publishing.publish(session, article, ward)  # published again: no second announcement
    session.commit()
    assert len(session.scalars(select(Broadcast)).all()) == 1
    with pytest.raises(announce.AnnounceError):
        announce.decide(session, article, ward, "send", ["line"])


def test_choosing_not_to_send_is_logged_and_sends_nothing(session, ward):
    article = make_article(session, status="draft")
    publishing.publish(session, article, ward)
    announce.decide(session, article, ward, "skip", [])
    session.commit()
    assert session.scalar(select(Broadcast)) is None
    logged = session.scalar(select(AuditLog).where(AuditLog.action == "article.announce"))
    assert logged.details["decision"] == "skip"


def test_rules_are_on_after_install_for_the_announced_categories(session):
    rules = routing.announce_rules(session)
    assert {c for c, r in rules.items() if r.enabled} == {"feature", "series", "news", "local", "admin"}
    assert not rules.get("about") or not rules["about"].enabled


def test_a_scheduled_publication_carries_out_the_stored_choice(bapp, session, ward, line_api):
    add_subscribers(session, 2, topics=("news",))
    article = make_article(session, status="draft")
    publishing.schedule(session, article, utcnow() + timedelta(hours=1), ward)
    announce.decide(session, article, ward, "send", ["line", "web"])
    session.commit()
    assert session.scalar(select(Broadcast)) is None  # nothing before the article is public
    article.scheduled_at = utcnow() - timedelta(minutes=1)
    session.commit()
    assert publishing.publish_due(session) == [article.id]
    broadcast = session.scalar(select(Broadcast))
    assert broadcast.channels == ["line", "web"] and broadcast.created_by_id == ward.id


def test_the_rule_skips_unconfigured_channels_at_a_scheduled_publication(session):
    routing.save_announce_rule(session, "local", True, ["discord", "web"])  # Discord has no channel set
    local = make_article(session, slug="a-local", category="local", status="draft")
    local.status, local.scheduled_at = "scheduled", utcnow() - timedelta(minutes=1)
    session.commit()
    publishing.publish_due(session)
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


def test_the_editor_leads_to_the_announce_page_with_counts_and_the_choice_is_carried_out(
        bapp, ward_client, session, line_api):
    add_subscribers(session, 4, topics=("news",))
    add_subscribers(session, 2, topics=("tours",), seed=3)
    article = make_article(session, status="draft")
    form = {"title": article.title, "slug": article.slug, "category": "news", "series": "", "tags": "",
            "summary": article.summary, "body_md": "本文", "hero_alt": "", "hero_credit": "", "author": "",
            "company_id": "", "version": str(article.version), "action": "publish"}
    edit = f"/admin/articles/{article.id}"
    response = post_form(ward_client, edit, edit, form)
    assert response.status_code == 302 and response.location.endswith(f"/admin/articles/{article.id}/announce")
    html = page(ward_client, response.location)
    assert "お知らせ: 4人" in html and "LINE配信の見込み: 4通" in html
    assert "送信する" in html and "送信しない" in html and "予約" in html
    response = post_form(ward_client, f"/admin/articles/{article.id}/announce",
                         f"/admin/articles/{article.id}/announce", {"decision": "send", "channels": ["line", "web"]})
    assert response.status_code == 302
    broadcast = session.scalar(select(Broadcast))
    assert broadcast.channels == ["line", "web"] and broadcast.topics == ["news"]


def test_settings_warn_when_a_ping_role_cannot_be_mentioned(ward_client, session, discord_api):
    from bot.discord import settings as discord_settings

    guild = "1200000000000000001"
    discord_settings.save(session, discord_settings.SettingsForm(guild_id=guild))
    routing.save_route(session, "news", DISCORD_CHANNEL, "1400000000000000001")
    routing.save_route(session, "local", DISCORD_CHANNEL, "1400000000000000002")
    session.commit()
    base = {"permissions": "0", "position": 1, "color": 0, "hoist": False, "managed": False, "icon": None,
            "unicode_emoji": None, "flags": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None}}
    discord_api.roles[guild] = [
        {**base, "id": "1400000000000000001", "name": "お知らせ係", "mentionable": False},
        {**base, "id": "1400000000000000002", "name": "地域", "mentionable": True},
    ]
    html = page(ward_client, SETTINGS)
    assert "「お知らせ」で通知するロール「お知らせ係」はメンションできない設定です" in html
    assert "「地域のイベント」で通知するロール「地域」" not in html
    assert "@お知らせ係（メンションできない設定）" in html  # the choice itself says so too


def test_the_ping_warning_also_holds_before_a_server_is_saved(ward_client, session, named):
    """The bot's only server is offered without saving it first; its roles are checked the same."""
    named.roles[GUILD][0]["mentionable"] = False
    routing.save_route(session, "news", NEWS_CHANNEL, NEWS_ROLE)
    session.commit()
    html = page(ward_client, SETTINGS)
    assert "「お知らせ」で通知するロール「お知らせ係」はメンションできない設定です" in html
    named.roles[GUILD][0]["mentionable"] = True
    assert "メンションできない設定です" not in page(ward_client, SETTINGS)
