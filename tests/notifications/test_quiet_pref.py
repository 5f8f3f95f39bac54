"""受信設定's quiet-hours preference: one's own event messages may come at night when asked for."""
from __future__ import annotations

from datetime import datetime
from unittest import mock

from messages.replies import BotResponse, Text
from notifications import service, subscriptions

NIGHT = datetime.fromisoformat("2026-12-03T23:30:00+09:00")


def _push_at_night(app, session, pref: str | None):
    friend = subscriptions.get_or_create_subscriber(session, "line", "U" + "e5" * 16)
    friend.quiet_pref = pref
    session.commit()
    app.config["QUIET_HOURS"] = "21:00-08:00"
    with mock.patch.object(service, "utcnow", return_value=NIGHT):
        return service.push_to_subscribers(session, [friend.id], BotResponse([Text("繰り上げのお知らせ")]),
                                           reason="offer", config=app.config)


def test_by_default_a_push_waits_for_the_morning(app, session):
    push = _push_at_night(app, session, None)
    assert push.send_at > NIGHT and not push.urgent


def test_anytime_lets_ones_own_event_message_through_at_night(app, session):
    push = _push_at_night(app, session, "anytime")
    assert push.send_at == NIGHT
