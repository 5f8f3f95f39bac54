"""SIGKILL the real worker process (``monozukuri worker``) in the middle of a broadcast.

The stand-in holds one multicast request open and the worker is killed while
LINE is processing it: LINE delivers, but the worker never learns it did.
After a restart every recipient must have the message exactly once.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from broadcast_helpers import add_subscribers, multicasts, standin_config
from sqlalchemy import select

from core.db import db
from notifications.models import Broadcast, BroadcastDelivery
from notifications.service import create_broadcast
from testkit import PROJECT_ROOT, make_test_app
from tests.standins.line_api import LineStandin

CHUNKS = 10
HOLD_AT = 5  # the 5th multicast is in flight when the worker dies


class GatedLineStandin(LineStandin):
    """Holds the ``hold_at``-th multicast until released (the worker is killed meanwhile)."""

    def __init__(self, hold_at: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hold_at = hold_at
        self.arrived, self.release = threading.Event(), threading.Event()
        self._seen = 0

    def handle(self, request, call):
        if call.path == "/v2/bot/message/multicast":
            with self._lock:
                self._seen += 1
                held = self._seen == self.hold_at
            if held:
                self.arrived.set()
                self.release.wait(timeout=240)
        return super().handle(request, call)


def _worker_env(database_url: str, instance, line_api) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "LINE_", "BROADCAST_"))}
    env.update({
        "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "test-secret-key",
        "LINE_CHANNEL_ACCESS_TOKEN": line_api.access_token, "LINE_CHANNEL_SECRET": "test-secret",
        "LINE_API_BASE_URL": line_api.base_url, "QUIET_HOURS": "", "BROADCAST_POLL_SECONDS": "0.2",
        "BROADCAST_LEASE_SECONDS": "2", "BROADCAST_CONCURRENCY": "1", "BROADCAST_BATCH_SIZE": "3",
        "BROADCAST_RETRY_BASE_SECONDS": "0.05", "PYTHONUNBUFFERED": "1",
    })
    return env


def _start_worker(env: dict, log_path) -> subprocess.Popen:
    log = open(log_path, "ab")
    return subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], cwd=PROJECT_ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def _statuses(session, broadcast_id: int) -> Counter:
    session.expire_all()
    query = select(BroadcastDelivery.status).where(BroadcastDelivery.broadcast_id == broadcast_id)
    return Counter(session.scalars(query))


def _wait_until_done(session, broadcast_id: int, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session.expire_all()
        status = session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))
        if status not in ("queued", "sending"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"broadcast not finished in {timeout}s: {_statuses(session, broadcast_id)}")


def _wait_for_held_request(line_api, worker: subprocess.Popen, log_path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not line_api.arrived.wait(timeout=0.2):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"worker never reached the held request:\n{log_path.read_text(errors='replace')}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_sigkill_mid_broadcast_then_restart_delivers_exactly_once(database_url, tmp_path):
    instance, log_path = tmp_path / "instance", tmp_path / "worker.log"
    with GatedLineStandin(HOLD_AT, quota_limit=None) as line_api:
        app = make_test_app(database_url, instance, **standin_config(line_api))
        with app.app_context():
            session = db.session
            users = add_subscribers(session, CHUNKS * 500)
            broadcast = create_broadcast(session, text="工場見学会のお知らせ", topics=["news"], channels=["line"])
            session.commit()
            env = _worker_env(database_url, instance, line_api)

            first = _start_worker(env, log_path)
            try:
                _wait_for_held_request(line_api, first, log_path)
                first.send_signal(signal.SIGKILL)
                assert first.wait(timeout=10) == -signal.SIGKILL
            finally:
                _stop(first)
                line_api.release.set()  # LINE finishes the held request: delivered, answer lost
            time.sleep(0.3)

            # Batches of 3: chunks 1-3 recorded as sent; 4 (delivered), 5 (held) and 6 were
            # claimed by the dead worker; 7-10 still wait.
            midway = _statuses(session, broadcast.id)
            assert midway == Counter({"sent": 3, "sending": 3, "pending": 4}), midway
            delivered_before_restart = len(multicasts(line_api, 200))
            assert delivered_before_restart == HOLD_AT

            second = _start_worker(env, log_path)
            try:
                assert _wait_until_done(session, broadcast.id, timeout=180) == "done"
            finally:
                _stop(second)

            per_recipient = Counter()
            for (_key, recipient), count in line_api.deliveries.items():
                per_recipient[recipient] += count
            assert set(per_recipient) == set(users)
            assert set(per_recipient.values()) == {1}, "someone got the broadcast twice (or not at all)"
            assert len(multicasts(line_api, 200)) == CHUNKS
            # The chunks that were in flight at the kill were replayed with their stored key.
            replayed = multicasts(line_api, 409)
            assert len(replayed) == 2  # chunk 4 (answer never recorded) and chunk 5 (answer lost)
            in_flight_keys = {c.header("X-Line-Retry-Key") for c in replayed}
            assert in_flight_keys <= {c.header("X-Line-Retry-Key") for c in multicasts(line_api, 200)}
            assert _statuses(session, broadcast.id) == Counter({"sent": CHUNKS})
            assert line_api.validation_errors == []
        db.session.remove()


@pytest.fixture(autouse=True)
def _no_leftover_env(monkeypatch):
    # The worker subprocess must not inherit settings from the developer's shell.
    for name in ("BROADCAST_LEASE_SECONDS", "BROADCAST_POLL_SECONDS"):
        monkeypatch.delenv(name, raising=False)
