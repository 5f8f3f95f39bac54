"""/subscribe and /unsubscribe change the one subscription model every channel shares."""
from __future__ import annotations

from core.db import db
from notifications import subscriptions
from tests.bot.discord.discord_helpers import USER, message_text, sent_payload_problems


def topics(channel: str = "discord", user: str = USER) -> set[str]:
    db.session.expire_all()
    subscriber = subscriptions.find_subscriber(db.session, channel, user)
    return set(subscriber.topics) if subscriber is not None else set()


def test_subscribe_and_unsubscribe_a_topic(app, run, standin):
    async def scenario(h):
        on = await h.command("subscribe", topic="tours")
        after_on = topics()
        off = await h.command("unsubscribe", topic="tours")
        return message_text(h.replies(on)[0]), after_on, message_text(h.replies(off)[0])
    on, after_on, off = run(scenario)
    assert after_on == {"tours"} and topics() == set()
    assert "「企業見学会」のお知らせを受け取るようにしました" in on
    assert "「企業見学会」のお知らせを止めました" in off
    assert standin.validation_errors == [] and sent_payload_problems(standin) == []


def test_the_same_model_as_line_and_independent_per_channel(app, session, run, standin):
    line_user = subscriptions.get_or_create_subscriber(session, "line", USER)
    subscriptions.set_topics(session, line_user, ["news"])
    session.commit()

    async def scenario(h):
        await h.command("subscribe", topic="workshops")
    run(scenario)
    assert topics("discord") == {"workshops"} and topics("line") == {"news"}
    db.session.expire_all()
    discord_user = subscriptions.find_subscriber(db.session, "discord", USER)
    assert type(discord_user) is type(line_user) and discord_user.status == "active"


def test_subscribe_without_a_topic_shows_the_settings_and_its_select_menu_works(app, run, standin):
    async def scenario(h):
        shown = await h.command("subscribe")
        [settings] = h.replies(shown)
        persona = await h.press(settings, "学生")
        [answer] = h.replies(persona)
        stop = await h.press(answer, "受信設定")
        [overview] = h.replies(stop)
        toggled = await h.press(overview, "企業見学会を止める")
        return message_text(settings), message_text(answer), message_text(h.replies(toggled)[0])
    settings, chosen, toggled = run(scenario)
    assert "あなたに近いもの" in settings  # the core asks for a persona first
    assert "「学生」で設定しました" in chosen
    assert "「企業見学会」のお知らせを止めました" in toggled
    assert topics() == {"features", "series", "local"}  # the persona's defaults, as on LINE, minus one


def test_subscriptions_work_in_direct_messages(app, run, standin):
    async def scenario(h):
        await h.command("subscribe", topic="news", guild=False)
    run(scenario)
    assert topics() == {"news"}
    assert standin.calls_to("/guilds") == []  # no server, so no roles to touch
