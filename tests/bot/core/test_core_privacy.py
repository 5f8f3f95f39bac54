"""データ削除: confirmation first, then the subscriber, its topics and every registered eraser."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.core import wording
from core import signals
from notifications import subscriptions as subs
from notifications.models import Subscription


@pytest.fixture
def parent(bot, session):
    bot.follow("U1")
    bot.tap("U1", bot.choice("保護者"))
    return subs.find_subscriber(session, "line", "U1")


def test_deletion_asks_first_and_deletes_only_after_yes(bot, session, parent):
    bot.send_text("U1", "データを削除してください")
    confirm = bot.last_confirm()
    assert confirm is not None and "削除" in confirm.text
    assert subs.find_subscriber(session, "line", "U1") is not None  # nothing deleted yet
    bot.tap("U1", confirm.yes)
    assert "削除しました" in bot.last_text()
    assert subs.find_subscriber(session, "line", "U1") is None
    assert session.scalar(select(func.count()).select_from(Subscription)) == 0
    assert "U1" not in [r.external_id for r in session.execute(subs.active_subscribers_for_topics(session, ["workshops"]))]


def test_no_keeps_everything(bot, session, parent):
    bot.send_text("U1", "データ削除")
    bot.tap("U1", bot.last_confirm().no)
    assert bot.last_text() == wording.ERASE_CANCELLED
    assert subs.find_subscriber(session, "line", "U1").topics == parent.topics


def test_replayed_yes_after_deletion_is_harmless(bot, session, parent):
    bot.send_text("U1", "データ削除")
    yes = bot.last_confirm().yes
    bot.tap("U1", yes)
    bot.tap("U1", yes)
    assert "削除しました" in bot.last_text() and subs.find_subscriber(session, "line", "U1") is None


def test_deleting_without_any_data_is_fine(bot, session):
    bot.postback("Unknown", "a=erase&v=1")
    assert "削除しました" in bot.last_text()


def test_only_the_requesting_user_is_deleted(bot, session, parent):
    bot.follow("U2")
    bot.tap("U2", bot.choice("学生"))
    bot.postback("U1", "a=erase&v=1")
    assert subs.find_subscriber(session, "line", "U2").topics


def test_erase_signal_receivers_get_channel_and_user(bot, session, parent):
    calls = []

    def remember(user_id, session, channel):
        calls.append((session, channel, user_id))

    with signals.subscriber_erased.connected_to(remember):
        bot.postback("U1", "a=erase&v=1")
    assert calls == [(session, "line", "U1")]


def test_a_failing_eraser_deletes_nothing(bot, session, parent):
    def broken(_user_id, session, channel):
        raise RuntimeError("registrations store unavailable")

    with signals.subscriber_erased.connected_to(broken):
        bot.postback("U1", "a=erase&v=1")
    assert bot.last_text() == wording.FAILURE
    session.expire_all()
    assert subs.find_subscriber(session, "line", "U1").topics == set(parent.topics)


def test_erase_action_without_answer_asks_again(bot, parent):
    bot.postback("U1", "a=erase")
    assert bot.last_confirm() is not None

