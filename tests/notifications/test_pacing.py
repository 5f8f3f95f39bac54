"""Rate limiting (≤ 200 LINE requests per second) and retry backoff."""
from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
from broadcast_helpers import add_subscribers, drain, multicasts, standin_config

from channels.outcome import Outcome
from core.db import db, utcnow
from notifications.dispatcher import Dispatcher
from notifications.outbox import ClaimedRow
from notifications.pacing import TokenBucket, backoff_seconds
from notifications.service import create_broadcast
from notifications.settings import delivery_settings
from testkit import make_test_app


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_token_bucket_never_exceeds_its_rate():
    clock = FakeClock()
    bucket = TokenBucket(200, clock=clock, sleep=clock.sleep)
    for _ in range(1000):
        bucket.acquire()
    # 20 tokens of burst, then 200 per second: 1000 requests need at least 4.9 s.
    assert clock.now >= (1000 - bucket.capacity) / 200 - 1e-9
    assert clock.now <= 1000 / 200


def test_line_rate_setting_cannot_exceed_the_documented_limit():
    assert delivery_settings({"LINE_REQUESTS_PER_SECOND": 5000}).requests_per_second == 200


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(1)
    waits = [backoff_seconds(n, 2.0, 900.0, rng) for n in range(1, 12)]
    assert 1.0 <= waits[0] <= 3.0 and 8.0 <= waits[3] <= 24.0
    assert max(waits) <= 900 * 1.5
    jittered = {round(backoff_seconds(3, 2.0, 900.0, rng), 6) for _ in range(20)}
    assert len(jittered) > 10  # not all chunks come back in the same instant


def test_retry_schedule_honours_retry_after(bapp):
    dispatcher = Dispatcher(bapp.config)
    try:
        now = utcnow()
        row = ClaimedRow(1, 1, "line", None, None, [], "k", attempts=1, claim_token="t")
        decision = dispatcher.decide(row, Outcome.retry("429", 429, retry_after=30.0), now)
        assert decision.status == "pending" and decision.next_attempt_at >= now + timedelta(seconds=30)
        assert dispatcher.decide(row, Outcome.failed("400"), now).status == "failed"
        last = ClaimedRow(1, 1, "line", None, None, [], "k", attempts=10, claim_token="t")
        assert dispatcher.decide(last, Outcome.retry("500", 500), now).status == "failed"
    finally:
        dispatcher.close()


def test_multicasts_are_paced(database_url, tmp_path, line_api):
    app = make_test_app(database_url, tmp_path / "i", **standin_config(line_api, LINE_REQUESTS_PER_SECOND=40))
    with app.app_context():
        session = db.session
        add_subscribers(session, 30 * 500)
        create_broadcast(session, text="お知らせ", channels=["line"])
        session.commit()
        drain(app, session)
        times = sorted(call_time for call_time in _arrival_times(line_api))
    db.session.remove()
    assert len(multicasts(line_api)) == 30
    # 4 tokens of burst, then 40 per second: the 30 requests span at least (30 - 4 - 1) / 40 s.
    assert times[-1] - times[0] >= (30 - 4 - 1) / 40 * 0.95


def _arrival_times(line_api):
    return [call.arrived for call in multicasts(line_api)]


_original_handle = None


def setup_module(module):
    """Stamp each recorded call with its arrival time (the stand-in records no clock)."""
    from tests.standins.line_api import LineStandin

    global _original_handle
    _original_handle = LineStandin.handle

    def handle(self, request, call):
        call.arrived = time.monotonic()
        return _original_handle(self, request, call)

    LineStandin.handle = handle


def teardown_module(module):
    from tests.standins.line_api import LineStandin

    LineStandin.handle = _original_handle


def test_several_workers_share_lines_rate_limit(app):
    from core.leadership import Leadership, live_workers
    from notifications import jobs

    settings = delivery_settings({"LINE_REQUESTS_PER_SECOND": 150})
    assert Dispatcher({}, settings, share_of=3).bucket.rate == 50
    assert Dispatcher({}, settings).bucket.rate == 150
    postgres = db.engine.dialect.name == "postgresql"
    workers = [Leadership(db.engine) for _ in range(3)]
    try:
        for worker in workers:
            worker.refresh()  # each keeps its named connection, as a worker process does
        with db.engine.connect() as connection:
            assert live_workers(connection) == (3 if postgres else 1)
        workers.pop().close()  # its session ends; PostgreSQL drops it from pg_stat_activity a moment later

        def counted() -> int:
            with db.engine.connect() as connection:
                return live_workers(connection)

        deadline = time.monotonic() + 10
        while counted() != (2 if postgres else 1) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert counted() == (2 if postgres else 1)
        seen = []

        class Recording(Dispatcher):
            def __init__(self, config, **kwargs):
                seen.append(kwargs.get("share_of"))
                super().__init__(config, **kwargs)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(jobs, "Dispatcher", Recording)
            jobs.run_once(app, budget_seconds=0.1)
        assert seen == [2 if postgres else 1]
    finally:
        for worker in workers:
            worker.close()
