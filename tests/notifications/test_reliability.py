"""Failures LINE can answer with, and what the pipeline must do about each."""
from __future__ import annotations

import time
from collections import Counter

from broadcast_helpers import add_subscribers, deliveries, drain, multicasts, standin_config
from sqlalchemy import update

from core.db import db
from notifications.dispatcher import Dispatcher
from notifications.models import Subscriber
from notifications.service import create_broadcast, delivery_report, retry_failed
from testkit import make_test_app
from tests.standins.line_api import LineStandin


def _broadcast(session, text="お知らせ"):
    broadcast = create_broadcast(session, text=text, topics=["news"], channels=["line"])
    session.commit()
    return broadcast


def _exactly_once(line_api, users):
    counts = Counter(recipient for (_key, recipient), n in line_api.deliveries.items() for _ in range(n))
    return all(counts[u] == 1 for u in users) and set(counts) == set(users)


def test_flaky_line_500s_and_429s_still_deliver_everything_once(bapp, session, line_api):
    users = add_subscribers(session, 6000)  # 12 chunks
    line_api.fail_ratio(500, 0.3, seed=7, path_prefix="/v2/bot/message/multicast")
    line_api.fail_ratio(429, 0.1, seed=7, path_prefix="/v2/bot/message/multicast")
    broadcast = _broadcast(session)

    drain(bapp, session, timeout=60)

    statuses = Counter(c.status for c in multicasts(line_api))
    assert statuses[500] > 0 and statuses[429] > 0  # the faults really happened
    assert statuses[200] == 12
    assert _exactly_once(line_api, users)
    session.refresh(broadcast)
    assert broadcast.status == "done"
    assert delivery_report(session, broadcast).channel("line").count("sent") == 6000


def test_a_rejected_chunk_fails_with_its_reason_and_the_others_go_out(bapp, session, line_api):
    users = add_subscribers(session, 1200)
    # A malformed id (LINE answers 400) lands in the last chunk only.
    session.execute(update(Subscriber).where(Subscriber.external_id == users[-1]).values(external_id="Ubroken"))
    session.commit()
    broadcast = _broadcast(session)

    drain(bapp, session)

    rows = deliveries(session, broadcast.id, "line")
    assert [r.status for r in rows] == ["sent", "sent", "failed"]
    failed = rows[-1]
    assert failed.last_status == 400 and "invalid ID 'Ubroken'" in failed.last_error
    assert failed.attempts == 1  # a 400 is never retried
    assert len([c for c in multicasts(line_api) if c.header("X-Line-Retry-Key") == failed.retry_key]) == 1
    assert all(line_api.delivered_to(u) == 1 for u in users[:1000])
    report = delivery_report(session, broadcast)
    line = report.channel("line")
    assert (line.count("sent"), line.count("failed")) == (1000, 200)
    assert any("invalid ID" in reason for reason, _ in line.reasons)
    session.refresh(broadcast)
    assert broadcast.status == "done"


def test_lost_answer_is_replayed_with_the_same_key_and_counted_once(bapp, session, line_api):
    users = add_subscribers(session, 700)
    line_api.fail_next(500, count=1, path_prefix="/v2/bot/message/multicast", after_delivery=True)
    broadcast = _broadcast(session)

    drain(bapp, session)

    conflicts = multicasts(line_api, 409)
    assert len(conflicts) == 1  # the replay: LINE had accepted the first attempt
    assert all(line_api.delivered_to(u) == 1 for u in users)
    replayed = [r for r in deliveries(session, broadcast.id) if r.retry_key == conflicts[0].header("X-Line-Retry-Key")]
    assert replayed[0].status == "sent" and replayed[0].attempts == 2


def test_timeouts_are_retried_without_duplicates(database_url, tmp_path):
    with LineStandin(quota_limit=None) as line_api:
        app = make_test_app(database_url, tmp_path / "i", **standin_config(line_api, BROADCAST_REQUEST_TIMEOUT=0.3))
        with app.app_context():
            session = db.session
            users = add_subscribers(session, 600)
            broadcast = _broadcast(session)
            line_api.latency = 0.6  # LINE processes the request, but after our timeout
            with Dispatcher(app.config) as dispatcher:
                stats = dispatcher.run_once(session, budget_seconds=0.1)
            assert stats.retried == 2 and stats.sent == 0
            assert all("ReadTimeout" in r.last_error for r in deliveries(session, broadcast.id))
            line_api.latency = 0
            time.sleep(0.7)  # the timed-out requests reach LINE after all
            drain(app, session)
            assert all(line_api.delivered_to(u) == 1 for u in users)
            assert len(multicasts(line_api, 409)) == 2
        db.session.remove()


def test_server_errors_give_up_after_the_attempt_limit(database_url, tmp_path):
    with LineStandin(quota_limit=None) as line_api:
        app = make_test_app(database_url, tmp_path / "i", **standin_config(line_api, BROADCAST_MAX_ATTEMPTS=3))
        with app.app_context():
            session = db.session
            add_subscribers(session, 10)
            broadcast = _broadcast(session)
            line_api.fail_ratio(500, 1.0, path_prefix="/v2/bot/message/multicast")
            drain(app, session)
            (row,) = deliveries(session, broadcast.id, "line")
            assert (row.status, row.attempts, row.last_status) == ("failed", 3, 500)
            assert len(multicasts(line_api)) == 3
            session.refresh(broadcast)
            assert broadcast.status == "failed"
            # Staff retry once LINE is healthy again: same key, delivered.
            line_api.clear_faults()
            assert retry_failed(session, broadcast) == 1
            session.commit()
            drain(app, session)
            session.refresh(broadcast)
            assert broadcast.status == "done"
            assert multicasts(line_api)[-1].header("X-Line-Retry-Key") == row.retry_key
        db.session.remove()


def test_quota_exhaustion_stops_the_broadcast_and_says_why(database_url, tmp_path):
    with LineStandin(quota_limit=1200) as line_api:
        app = make_test_app(database_url, tmp_path / "i", **standin_config(line_api, BROADCAST_CONCURRENCY=1))
        with app.app_context():
            session = db.session
            users = add_subscribers(session, 2500)
            broadcast = _broadcast(session)
            drain(app, session)
            session.refresh(broadcast)
            assert broadcast.status == "stopped"
            assert "上限" in broadcast.stop_reason
            rows = deliveries(session, broadcast.id, "line")
            assert [r.status for r in rows] == ["sent", "sent", "stopped", "stopped", "stopped"]
            assert len(multicasts(line_api, 429)) == 1  # no hammering once the quota is known to be gone
            assert sum(line_api.delivered_to(u) for u in users) == 1000
            report = delivery_report(session, broadcast)
            assert report.channel("line").count("stopped") == 1500 and report.has_failures
            # Next month (or a bigger plan): staff resend what was held back.
            line_api.quota_limit = None
            assert retry_failed(session, broadcast) == 3
            session.commit()
            drain(app, session)
            assert all(line_api.delivered_to(u) == 1 for u in users)
        db.session.remove()


def test_a_run_sends_a_batch_even_when_starting_took_the_whole_budget(database_url, tmp_path, monkeypatch):
    from notifications import dispatcher as dispatcher_module

    real_start_due = dispatcher_module.start_due

    def slow_start_due(session, config):
        time.sleep(0.3)  # a busy machine: starting the broadcast outlasts the run's budget
        return real_start_due(session, config)

    monkeypatch.setattr(dispatcher_module, "start_due", slow_start_due)
    with LineStandin(quota_limit=None) as line_api:
        app = make_test_app(database_url, tmp_path / "i", **standin_config(line_api))
        with app.app_context():
            session = db.session
            add_subscribers(session, 600)
            _broadcast(session)
            with Dispatcher(app.config) as dispatcher:
                stats = dispatcher.run_once(session, budget_seconds=0.1)
            assert stats.attempts > 0 and stats.sent > 0
        db.session.remove()
