"""Bad input never raises: hostile text, tampered postbacks, odd events; failures stay contained."""
from __future__ import annotations

import logging

import pytest

from bot.core import engine, wording
from bot.core.handlers import browse
from messages.replies import IncomingMessage, ReplyRoute
from notifications import subscriptions as subs
from notifications.models import Subscriber

TAMPERED = [
    "", "a=", "a=nope", "garbage", "a=topic", "a=topic&t=spam&v=1", "a=topic&t=tours&v=2",
    "a=topic&t=tours", "a=persona&p=admin", "a=persona", "a=latest&c=../../etc", "a=events&k=party",
    "a=search", "a=search&q=", "a=search&q=%20%20", "a=search&q=旋盤&p=0", "a=search&q=旋盤&p=-1",
    "a=search&q=旋盤&p=999999999999", "a=erase&v=maybe", "a=topic&t=tours&v=1&a=erase", "%%%",
    "a=settings&" + "x" * 400, "a=\x00", "a=topic&t=tours\x00&v=1",
]


@pytest.mark.parametrize("data", TAMPERED)
def test_tampered_or_unknown_postbacks_get_a_friendly_answer(bot, session, data):
    bot.postback("U1", data)
    assert bot.last_text() == wording.UNKNOWN_ACTION
    assert "新着" in bot.last_labels() and "ヘルプ" in bot.last_labels()
    assert subs.find_subscriber(session, "line", "U1") is None  # nothing was stored for garbage


@pytest.mark.parametrize("text", ["", " ", "😀👍🏽🇯🇵", "\x00\x01\x1b\x7f", "!!!???", "\u200b\u200b"])
def test_texts_without_words_get_a_prompt(bot, text):
    bot.send_text("U1", text)
    assert bot.last_text() == wording.EMPTY


def test_unknown_event_kinds_are_ignored(bot, app, session):
    message = IncomingMessage(kind="beacon", route=ReplyRoute(channel="line", user_id="U1"))  # type: ignore[arg-type]
    assert engine.handle(session, message, app.config).is_empty


def test_a_failure_undoes_the_turn_and_answers_politely(bot, app, session, monkeypatch, caplog):
    def broken(turn, category=None):
        subs.get_or_create_subscriber(turn.session, turn.channel, "half-written")
        raise RuntimeError("boom")

    monkeypatch.setattr(browse, "latest", broken)
    session.add(Subscriber(channel="line", external_id="callers-committed-work"))
    session.commit()
    message = IncomingMessage(kind="text", route=ReplyRoute(channel="line", user_id="U1"), text="新着")
    with caplog.at_level(logging.ERROR):
        response = engine.handle(session, message, app.config)
    assert [m.text for m in response.messages] == [wording.FAILURE]
    assert "bot turn failed" in caplog.text
    session.commit()
    assert subs.find_subscriber(session, "line", "half-written") is None
    assert subs.find_subscriber(session, "line", "callers-committed-work") is not None


def test_handle_leaves_committing_to_the_caller(app, session):
    message = IncomingMessage(kind="follow", route=ReplyRoute(channel="line", user_id="U1"))
    engine.handle(session, message, app.config)
    session.rollback()
    assert subs.find_subscriber(session, "line", "U1") is None


def test_a_message_without_user_id_does_not_crash(app, session):
    message = IncomingMessage(kind="postback", route=ReplyRoute(channel="line", user_id=""), data="a=settings")
    response = engine.handle(session, message, app.config)
    assert response.messages and response.messages[0].text == wording.FAILURE
