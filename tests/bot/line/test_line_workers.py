"""Several ``monozukuri worker`` processes on PostgreSQL: every event answered once, one leader.

The workers are real processes (``python -m web.cli worker``) against the same
scratch database and the LINE stand-in; the leader holds a PostgreSQL advisory lock.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select, text

from bot.line import webhook
from bot.line.intake import committer
from bot.line.models import BotJob
from core.db import db
from core.leadership import APPLICATION_NAME, LOCK_KEY, Leadership
from core.worker import leader_only
from testkit import PROJECT_ROOT
from tests.bot.line.line_helpers import ACCESS_TOKEN, CHANNEL_SECRET
from tests.standins.line_webhook import text_event

EVENTS = 120
USERS = 30
LEADER_RETRY_SECONDS = 0.5  # the setting, short here: a takeover is seen in about a second, not five


def _env(database_url: str, instance, line=None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "LINE_", "BROADCAST_"))}
    env.update({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "test-secret-key",
                "QUIET_HOURS": "", "PYTHONUNBUFFERED": "1", "LINE_WORKER_THREADS": "4",
                "WORKER_LEADER_RETRY_SECONDS": str(LEADER_RETRY_SECONDS)})
    if line is not None:
        env.update({"LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN, "LINE_CHANNEL_SECRET": CHANNEL_SECRET,
                    "LINE_API_BASE_URL": line.base_url})
    return env


def _start(env: dict, log_path) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 - the child writes to it until it ends
    return subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], cwd=PROJECT_ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _leader_pid(session) -> int | None:
    name = session.scalar(text(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.objid = :key AND l.granted AND l.database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database())"), {"key": LOCK_KEY})
    session.rollback()
    return int(name.split(":")[1]) if name and name.startswith(APPLICATION_NAME) else None


def _niceness(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def _wait_for(condition, timeout: float, what: str, logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    details = "\n".join(path.read_text(errors="replace")[-3000:] for path in logs)
    raise AssertionError(f"{what} within {timeout} s\n{details}")


def test_two_worker_processes_answer_every_event_exactly_once(postgres_app, line, tmp_path):
    env = _env(postgres_app.config["DATABASE_URL"], tmp_path / "instance", line)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = [_start(env, log) for log in logs]
    session = db.session
    try:
        _wait_for(lambda: all("LINE queue loop started" in log.read_text() for log in logs if log.exists()) and
                  all(log.exists() for log in logs), 120, "the workers did not start", logs)
        # WORKER_NICENESS (default 5): the web processes get the CPU first when it is short.
        assert [_niceness(w.pid) for w in workers] == [min(19, _niceness(0) + 5)] * 2
        users = [f"U{i:032x}" for i in range(USERS)]
        events = [text_event(users[i % USERS], "ヘルプ", reply_token=line.issue_reply_token(users[i % USERS]))
                  for i in range(EVENTS)]
        for start in range(0, EVENTS, 10):  # arriving while both workers poll
            committer.store("line", webhook.jobs_for(events[start:start + 10]))

        def all_done():
            session.expire_all()
            done = session.scalar(select(func.count()).where(BotJob.status == "done"))
            session.rollback()
            return done == EVENTS

        _wait_for(all_done, 180, "not every event was answered", logs)
    finally:
        for worker in workers:
            _stop(worker)
    assert session.scalar(select(func.max(BotJob.attempts))) == 1  # no job claimed twice
    replies = [s for s in line.outbox if s.kind == "reply"]
    assert len(replies) == EVENTS and not [s for s in line.outbox if s.kind != "reply"]
    assert line.validation_errors == []
    assert [c for c in line.calls if c.status != 200] == []  # no refused (reused) reply token


def test_sigkill_the_leader_and_another_worker_takes_over_within_30_s(postgres_app, tmp_path):
    env = _env(postgres_app.config["DATABASE_URL"], tmp_path / "instance")
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = {process.pid: process for process in (_start(env, log) for log in logs)}
    session = db.session
    try:
        leader = _wait_for(lambda: _leader_pid(session), 90, "no worker became leader", logs)
        assert leader in workers
        time.sleep(3 * LEADER_RETRY_SECONDS)  # the other keeps trying meanwhile; the lock stays where it is
        assert _leader_pid(session) == leader
        workers[leader].send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        workers[leader].wait(timeout=10)
        successor = _wait_for(lambda: (pid := _leader_pid(session)) != leader and pid, 30,
                              "no worker took over", logs)
        assert successor in workers and successor != leader
        assert time.monotonic() - killed_at < 30
    finally:
        for process in workers.values():
            _stop(process)


def test_only_the_lock_holder_runs_scheduled_jobs(postgres_app):
    first, second = Leadership(db.engine), Leadership(db.engine)
    runs: list[str] = []
    try:
        assert first.refresh() is True
        assert second.refresh() is False
        leader_only(lambda: runs.append("first"), first)()
        leader_only(lambda: runs.append("second"), second)()
        assert runs == ["first"]
        first.close()  # the leader's session ends: its lock is free
        assert second.refresh() is True and first.is_leader is False
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_the_single_worker_always_leads(app):
    leadership = Leadership(db.engine)
    assert leadership.refresh() is True and leadership.is_leader


def test_sigterm_finishes_the_claimed_events_and_exits_cleanly(postgres_app, line, tmp_path):
    env = {**_env(postgres_app.config["DATABASE_URL"], tmp_path / "instance", line), "WORKER_NICENESS": "0"}
    log = tmp_path / "worker.log"
    worker = _start(env, log)
    session = db.session
    try:
        _wait_for(lambda: log.exists() and "LINE queue loop started" in log.read_text(), 120,
                  "the worker did not start", [log])
        assert _niceness(worker.pid) == _niceness(0)  # WORKER_NICENESS=0: the web's priority
        users = [f"U{i:032x}" for i in range(USERS)]
        events = [text_event(users[i % USERS], "ヘルプ", reply_token=line.issue_reply_token(users[i % USERS]))
                  for i in range(EVENTS)]
        committer.store("line", webhook.jobs_for(events))

        def some_done():
            done = session.scalar(select(func.count()).where(BotJob.status == "done"))
            session.rollback()
            return done >= 5

        _wait_for(some_done, 60, "the worker answered nothing", [log])
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, log.read_text()[-3000:]
    finally:
        _stop(worker)
    text_of_log = log.read_text()
    assert "SIGTERM received; finishing the jobs in flight" in text_of_log and "worker stopped" in text_of_log
    session.expire_all()
    statuses = dict(session.execute(select(BotJob.status, func.count()).group_by(BotJob.status)).all())
    assert "processing" not in statuses, statuses  # every claimed event was answered before the exit
    assert statuses.get("done", 0) + statuses.get("pending", 0) == EVENTS
    assert len([s for s in line.outbox if s.kind == "reply"]) == statuses["done"]
