"""Announcement follow-ups and scheduled events over REST: retries, idempotency, permissions."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.discord import announce, scheduled, settings
from bot.discord.models import DiscordProblem, DiscordScheduledEvent
from bot.discord.rest import DiscordError, DiscordRest
from channels.links import tracked_url
from content.models import Article
from core.db import db, utcnow
from tests.bot.discord.discord_helpers import GUILD, NEWS_CHANNEL, SECRET_CHANNEL, TEXT_CHANNEL, make_event


@pytest.fixture
def rest(discord_app):
    with DiscordRest(discord_app.config, max_retries=2, backoff=0.01) as client:
        yield client


@pytest.fixture
def server(session):
    settings.save(session, settings.SettingsForm(guild_id=GUILD))
    session.commit()


def post(rest, channel: str, **body) -> dict:
    return rest.post(f"/channels/{channel}/messages", {"content": "お知らせ", **body})


def problems() -> list[DiscordProblem]:
    db.session.expire_all()
    return list(db.session.scalars(select(DiscordProblem)))


def feature_article(session) -> Article:
    article = Article(slug="feature-space", title="宇宙へ飛ぶ部品をつくる町工場", category="feature", status="published",
                      published_at=utcnow() - timedelta(hours=1))
    session.add(article)
    session.commit()
    return article


# -- the REST client ---------------------------------------------------------------------------------
def test_a_429_waits_retry_after_and_succeeds(rest, standin):
    standin.fail_next(429, path_prefix=f"/channels/{TEXT_CHANNEL}/messages", retry_after=0.05)
    message = post(rest, TEXT_CHANNEL)
    limited, ok = standin.calls_to(f"/channels/{TEXT_CHANNEL}/messages")
    assert (limited.status, ok.status) == (429, 200) and message["content"] == "お知らせ"
    assert limited.response_json["retry_after"] == 0.05


def test_5xx_is_retried_then_given_up_cleanly(rest, standin):
    standin.fail_next(503, count=10, path_prefix=f"/channels/{TEXT_CHANNEL}/messages")
    with pytest.raises(DiscordError) as failure:
        post(rest, TEXT_CHANNEL)
    assert failure.value.status == 503
    assert len(standin.calls_to(f"/channels/{TEXT_CHANNEL}/messages")) == 3  # first try + 2 retries, no more
    assert standin.messages_in(TEXT_CHANNEL) == []


def test_a_long_rate_limit_is_not_waited_for(discord_app, standin):
    standin.fail_next(429, path_prefix=f"/channels/{TEXT_CHANNEL}/messages", retry_after=120)
    with DiscordRest(discord_app.config, max_wait=1) as rest, pytest.raises(DiscordError) as failure:
        post(rest, TEXT_CHANNEL)
    assert failure.value.status == 429 and len(standin.calls) == 1


def test_requests_carry_the_bot_token(rest, standin):
    post(rest, TEXT_CHANNEL)
    assert standin.calls[0].header("Authorization") == f"Bot {standin.token}"


# -- announcement follow-ups -----------------------------------------------------------------------------
def test_feature_article_in_an_announcement_channel_is_published_and_gets_a_thread(discord_app, session, rest,
                                                                                    standin, server):
    article = feature_article(session)
    message = post(rest, NEWS_CHANNEL)
    done = announce.follow_up(session, discord_app.config, rest, NEWS_CHANNEL, message["id"], article=article)
    assert done.crossposted and done.thread_id == message["id"]
    assert standin.messages[message["id"]]["flags"] & 1  # CROSSPOSTED
    assert standin.channels[message["id"]]["name"] == "宇宙へ飛ぶ部品をつくる町工場"
    again = announce.follow_up(session, discord_app.config, rest, NEWS_CHANNEL, message["id"], article=article)
    assert again.crossposted and again.thread_id == message["id"]  # a second call is harmless
    assert problems() == [] and standin.validation_errors == []


def test_plain_channels_are_not_crossposted_and_other_articles_get_no_thread(discord_app, session, rest, standin,
                                                                            server):
    news = Article(slug="news-1", title="お知らせ", category="news", status="published", published_at=utcnow())
    session.add(news)
    session.commit()
    message = post(rest, TEXT_CHANNEL)
    done = announce.follow_up(session, discord_app.config, rest, TEXT_CHANNEL, message["id"], article=news)
    assert not done.crossposted and done.thread_id is None
    assert standin.calls_to(f"/channels/{TEXT_CHANNEL}/messages/{message['id']}/") == []


def test_settings_can_turn_the_extras_off(discord_app, session, rest, standin):
    settings.save(session, settings.SettingsForm(guild_id=GUILD, crosspost=False, feature_threads=False))
    session.commit()
    message = post(rest, NEWS_CHANNEL)
    done = announce.follow_up(session, discord_app.config, rest, NEWS_CHANNEL, message["id"],
                              article=feature_article(session))
    assert not done.crossposted and done.thread_id is None
    assert len(standin.calls) == 1  # only the post itself


def test_a_channel_the_bot_may_not_manage_is_a_problem_for_staff_not_a_crash(discord_app, session, rest,
                                                                           standin, server):
    done = announce.follow_up(session, discord_app.config, rest, SECRET_CHANNEL, "1500000000000000009",
                              article=feature_article(session))
    assert not done.crossposted and done.thread_id is None
    [crosspost, thread] = sorted(problems(), key=lambda p: p.action)
    assert (crosspost.action, crosspost.target_id, crosspost.code) == ("crosspost", SECRET_CHANNEL, 50013)
    assert thread.action == "thread"


def test_the_article_is_found_from_the_tracked_link_of_the_embed(discord_app, session):
    article = feature_article(session)
    url = tracked_url(discord_app.config, f"/articles/{article.slug}", channel="discord", article_id=article.id,
                      broadcast_id=7)
    found = announce.article_in(session, discord_app.config, [None, "https://other.example/r/x", url])
    assert found.id == article.id
    assert announce.article_in(session, discord_app.config, [url.replace("/r/", "/r/x")]) is None  # forged


def test_own_posts_are_followed_up_only_in_announcement_route_channels(discord_app, session, rest, standin,
                                                                       server):
    from notifications import routing

    routing.save_route(session, "features", NEWS_CHANNEL)
    session.commit()
    article = feature_article(session)
    url = tracked_url(discord_app.config, "/articles/feature-space", channel="discord", article_id=article.id)
    in_route = post(rest, NEWS_CHANNEL)
    elsewhere = post(rest, TEXT_CHANNEL)
    assert announce.follow_up_posted(session, discord_app.config, NEWS_CHANNEL, in_route["id"], [url], 5).crossposted
    assert announce.follow_up_posted(session, discord_app.config, TEXT_CHANNEL, elsewhere["id"], [url], 0) is None


# -- scheduled events ------------------------------------------------------------------------------------
def test_tours_and_workshops_become_scheduled_events_once_and_follow_changes(discord_app, session, rest, standin,
                                                                            server):
    tour = make_event(session, kind="tour", title="精密加工の工場見学", place="光和精機 本社工場")
    make_event(session, kind="event", title="交流会", days=12)  # not a tour/workshop: not published there
    report = scheduled.sync_events(session, discord_app.config, rest)
    assert report.created == [tour.id]
    [event] = standin.scheduled_events.values()
    assert event["name"] == "企業見学会｜精密加工の工場見学" and event["entity_type"] == 3
    assert event["entity_metadata"] == {"location": "光和精機 本社工場"}
    assert "http://testserver.local/r/" in event["description"] and "申し込み" in event["description"]
    assert event["scheduled_start_time"].startswith(tour.starts_at.isoformat()[:16])

    assert scheduled.sync_events(session, discord_app.config, rest).unchanged == [tour.id]
    tour.place = "光和精機 第二工場"
    session.commit()
    assert scheduled.sync_events(session, discord_app.config, rest).updated == [tour.id]
    assert event["entity_metadata"] == {"location": "光和精機 第二工場"} and len(standin.scheduled_events) == 1
    assert standin.validation_errors == []


def test_an_event_deleted_on_discord_is_created_again(discord_app, session, rest, standin, server):
    tour = make_event(session, kind="tour", title="精密加工の工場見学")
    scheduled.sync_events(session, discord_app.config, rest)
    standin.scheduled_events.clear()
    tour.title = "精密加工の工場見学（追加開催）"
    session.commit()
    assert scheduled.sync_events(session, discord_app.config, rest).created == [tour.id]
    row = db.session.scalar(select(DiscordScheduledEvent))
    assert row.discord_event_id in standin.scheduled_events


def test_missing_manage_events_permission_is_recorded_once_per_run(discord_app, session, rest, standin, server):
    for days in (5, 6, 7):
        make_event(session, kind="workshop", title=f"教室{days}", days=days)
    standin.fail_next(403, count=5, path_prefix=f"/guilds/{GUILD}/scheduled-events")
    report = scheduled.sync_events(session, discord_app.config, rest)
    assert len(report.failed) == 1 and report.created == []  # stopped after the first refusal
    [problem] = problems()
    assert (problem.action, problem.target_id) == ("scheduled_event", GUILD)
    assert "イベントの管理" in problem.detail


def test_scheduled_events_are_off_without_a_server(discord_app, session, rest, standin):
    make_event(session, kind="tour")
    report = scheduled.sync_events(session, discord_app.config, rest)
    assert report.skipped and standin.calls == []


def test_the_broadcast_sender_can_follow_up_its_own_post(discord_app, session, rest, standin, server):
    from notifications import routing

    routing.save_route(session, "features", NEWS_CHANNEL)
    session.commit()
    article = feature_article(session)
    body = {"embeds": [{"title": article.title, "url": tracked_url(
        discord_app.config, "/articles/feature-space", channel="discord", article_id=article.id, broadcast_id=3)}]}
    message = rest.post(f"/channels/{NEWS_CHANNEL}/messages", body)
    done = announce.after_post(discord_app.config, NEWS_CHANNEL, message["id"], body)
    assert done.crossposted and done.thread_id == message["id"]
    assert announce.after_post(discord_app.config, TEXT_CHANNEL, message["id"], body) is None  # not a route
