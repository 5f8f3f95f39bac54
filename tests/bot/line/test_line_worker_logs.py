"""The worker logs at most a short, escaped excerpt of an invalid payload."""
from __future__ import annotations

import logging

from bot.line import events, queue
from bot.line.jobs import process_pending
from bot.line.models import BotJob
from core.logsafe import excerpt

HUGE = "個人情報" * 2000
FORGED = "E1\n2026-12-03 INFO forged line\x1b[31m"


def _bad_event() -> dict:
    # Valid JSON the SDK cannot turn into an event (timestamp is not a number), with a huge text.
    return {"type": "message", "webhookEventId": FORGED + "x" * 500, "timestamp": "not-a-number" + HUGE,
            "mode": "active", "replyToken": "r", "source": {"type": "user", "userId": "U" + "0" * 32},
            "message": {"type": "text", "id": "1", "text": HUGE, "quoteToken": "q"}}


def _logged(caplog) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


def test_excerpt_is_short_and_escapes_control_characters():
    text = excerpt("a\nb\x1b[0m\u2028" + "x" * 1000)
    assert "\n" not in text and "\x1b" not in text and "\u2028" not in text
    assert text.startswith("a\\nb\\x1b[0m\\u2028") and text.endswith("…(+808 chars)")
    assert len(excerpt("y" * 5000)) < 230


def test_unparsable_event_is_logged_as_a_short_excerpt(caplog):
    with caplog.at_level(logging.WARNING, logger="bot.line.events"):
        assert events.parse(_bad_event()) is None
    logged = _logged(caplog)
    assert "could not be parsed" in logged
    assert len(logged) < 600 and HUGE[:40] not in logged
    assert "\n2026-12-03 INFO forged" not in logged and "\\n2026-12-03" in logged


def test_a_crashing_job_logs_only_an_excerpt_of_its_error(line_app, session, monkeypatch, caplog):
    queue.enqueue(session, "line", [queue.NewJob("crash-1", {"text": HUGE}, "line_event")])

    def crash(*_args):
        raise ValueError("payload was: " + HUGE + "\nfake line")

    monkeypatch.setitem(__import__("bot.line.processor", fromlist=["HANDLERS"]).HANDLERS, "line_event", crash)
    with caplog.at_level(logging.WARNING):
        process_pending(line_app)
    logged = _logged(caplog)
    assert "crashed" in logged and "ValueError: payload was:" in logged
    assert HUGE[:400] not in logged and "\nfake line" not in logged
    session.expire_all()
    assert session.query(BotJob).one().status == "pending"  # retried later as before
