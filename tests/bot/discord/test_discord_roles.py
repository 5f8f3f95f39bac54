"""Topic roles: /subscribe gives the role its announcements ping (配信設定), when the bot may."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.discord.models import DiscordProblem
from core.db import db
from notifications import routing
from tests.bot.discord.discord_helpers import (
    GUILD,
    NEWS_CHANNEL,
    NO_MANAGE_ROLES,
    ROLE_FEATURES,
    ROLE_TOURS,
    USER,
    message_text,
)

ROLE_PATH = f"/guilds/{GUILD}/members/{USER}/roles/"


@pytest.fixture
def routes(app, session):
    routing.save_route(session, "tours", NEWS_CHANNEL, ROLE_TOURS)
    routing.save_route(session, "features", NEWS_CHANNEL, ROLE_FEATURES)
    session.commit()


def role_calls(standin) -> list[tuple[str, str]]:
    return [(c.method, c.path.rsplit("/", 1)[1]) for c in standin.calls_to(ROLE_PATH)]


def problems() -> list[DiscordProblem]:
    db.session.expire_all()
    return list(db.session.scalars(select(DiscordProblem)))


def test_subscribe_adds_and_unsubscribe_removes_the_topic_role(routes, run, standin):
    async def scenario(h):
        await h.command("subscribe", topic="tours")
        await h.command("subscribe", topic="news")  # no role mapped: nothing to do on the server
        await h.command("unsubscribe", topic="tours")
    run(scenario)
    assert role_calls(standin) == [("PUT", ROLE_TOURS), ("DELETE", ROLE_TOURS)]
    assert all(c.status == 204 for c in standin.calls_to(ROLE_PATH))
    assert standin.validation_errors == [] and problems() == []


def test_a_persona_changes_every_role_whose_topic_changed(routes, run, standin):
    async def scenario(h):
        shown = await h.command("subscribe")
        await h.press(h.replies(shown)[0], "学生")  # features, series, tours, local
    run(scenario)
    assert sorted(role_calls(standin)) == sorted([("PUT", ROLE_FEATURES), ("PUT", ROLE_TOURS)])


def test_without_manage_roles_the_setting_is_kept_the_member_told_and_staff_see_it(routes, run, standin):
    async def scenario(h):
        payload = await h.command("subscribe", topic="tours", permissions=NO_MANAGE_ROLES)
        return [message_text(m) for m in h.replies(payload)]
    replies = run(scenario)
    assert "受け取るようにしました" in replies[0]
    assert "ロールを変更する権限がない" in replies[-1]
    assert role_calls(standin) == []  # not even tried: Discord told us the bot lacks the permission
    [problem] = problems()
    assert (problem.action, problem.target_id, problem.code) == ("role", GUILD, 50013)
    assert "ロールの管理" in problem.detail


def test_a_role_above_the_bot_is_refused_by_discord_and_recorded_once_per_role(routes, run, standin):
    async def scenario(h):
        for _ in range(3):  # the member tries again and again: one problem row, counted
            standin.fail_next(403, path_prefix=ROLE_PATH)
            await h.command("subscribe", topic="tours")
            await h.command("unsubscribe", topic="tours")
    run(scenario)
    [problem] = problems()
    assert (problem.action, problem.target_id, problem.status, problem.count) == ("role", ROLE_TOURS, 403, 3)


def test_rate_limited_role_changes_are_retried(routes, run, standin):
    standin.fail_next(429, path_prefix=ROLE_PATH, retry_after=0.05)

    async def scenario(h):
        await h.command("subscribe", topic="tours")
    run(scenario)
    assert [c.status for c in standin.calls_to(ROLE_PATH)] == [429, 204]
    assert problems() == []


def test_no_roles_in_direct_messages(routes, run, standin):
    async def scenario(h):
        await h.command("subscribe", topic="tours", guild=False)
    run(scenario)
    assert role_calls(standin) == [] and problems() == []
