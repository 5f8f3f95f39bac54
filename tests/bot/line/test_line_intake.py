"""Group commit of webhook events: every caller returns only once its rows are stored."""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select

from bot.line import intake
from bot.line.models import BotJob
from bot.line.queue import NewJob


def job(key: str) -> NewJob:
    return NewJob(key, {"type": "message"}, "line_event")


def test_concurrent_requests_all_get_their_rows_committed(app, session):
    committer = intake.GroupCommitter()
    errors: list[BaseException] = []

    def post(i: int) -> None:
        try:
            committer.store("line", [job(f"e{i}"), job(f"e{i}")])  # duplicates collapse
            with app.app_context():
                # visible to an independent session as soon as store() returns
                from core.db import db

                with db.new_session() as other:
                    assert other.scalar(select(func.count()).where(BotJob.dedup_key == f"e{i}")) == 1
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert session.scalar(select(func.count()).select_from(BotJob)) == 16


def broken_insert(*_args, **_kwargs):
    raise RuntimeError("database is locked")


def test_rows_stored_by_the_bare_driver_read_back_as_the_orm_stores_them(app, session):
    payload = {"type": "message", "text": "見学したい\u3000ねじ", "nested": {"n": [1, 2.5, None, True]}}
    intake.GroupCommitter().store("line", [NewJob("raw-1", payload, "line_event")])
    stored = session.scalars(select(BotJob).where(BotJob.dedup_key == "raw-1")).one()
    assert stored.payload == payload
    assert (stored.channel, stored.kind, stored.status, stored.attempts) == ("line", "line_event", "pending", 0)
    assert stored.run_after.tzinfo is not None and stored.created_at.tzinfo is not None
    from bot.line.queue import claim_ids
    assert claim_ids(session, 5) == [stored.id]  # due at once: the worker sees it


def test_a_batch_over_one_statement_is_stored_whole(app, session):
    jobs = [job(f"bulk-{i}") for i in range(1_234)]
    intake.GroupCommitter().store("line", jobs + jobs[:10])  # repeats skipped
    assert session.scalar(select(func.count()).select_from(BotJob)) == 1_234


def test_a_connection_lost_while_idle_is_replaced_without_losing_the_request(app, session):
    committer = intake.GroupCommitter()
    committer.store("line", [job("before")])
    intake._connection.get().dbapi_connection.close()  # as after a database restart
    committer.store("line", [job("after")])
    assert session.scalar(select(func.count()).where(BotJob.dedup_key == "after")) == 1


def test_a_failed_commit_is_reported_to_the_caller(app, session, monkeypatch):
    committer = intake.GroupCommitter()
    monkeypatch.setattr(intake, "raw_insert_statements", broken_insert)
    with pytest.raises(RuntimeError, match="locked"):
        committer.store("line", [job("x")])
    assert session.scalar(select(func.count()).select_from(BotJob)) == 0


def test_failed_webhook_store_answers_503_so_line_redelivers(line_app, monkeypatch, session):
    from tests.bot.line.line_helpers import USER, post_events
    from tests.standins.line_webhook import text_event

    monkeypatch.setattr(intake, "raw_insert_statements", broken_insert)
    response = post_events(line_app.test_client(), [text_event(USER, "新着")])
    assert response.status_code == 503
    assert response.get_json() == {"error": "events could not be stored; please redeliver"}


# -- SQLite: the webhook waits for the write lock in short steps -------------------------------

@pytest.fixture
def sqlite_app(sqlite_template, tmp_path):
    from testkit import app_on_copy

    app = app_on_copy(sqlite_template, tmp_path)
    with app.app_context():
        yield app


def hold_write_lock(database: str, seconds: float, taken: threading.Event) -> None:
    """Another writer (the worker, say) holding SQLite's write lock for ``seconds``."""
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    taken.set()
    time.sleep(seconds)
    other.execute("COMMIT")
    other.close()


def test_sqlite_store_goes_on_promptly_once_another_writer_commits(sqlite_app):
    from core.db import db

    database = db.engine.url.database
    committer = intake.GroupCommitter()
    committer.store("line", [job("warm-up")])  # the intake connection is open before the timing
    taken = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(database, 0.24, taken))
    holder.start()
    taken.wait()
    started = time.monotonic()
    committer.store("line", [job("waited")])
    waited = time.monotonic() - started
    holder.join()
    # SQLite's own busy handler tries at 128, 178, 228, then 328 ms: it would wait ~90 ms too long.
    assert 0.2 <= waited < 0.24 + 0.045
    with db.new_session() as other:
        assert other.scalar(select(func.count()).where(BotJob.dedup_key == "waited")) == 1


def test_sqlite_store_gives_up_after_the_wait_and_says_so(sqlite_app, monkeypatch):
    from core.db import db

    monkeypatch.setattr(intake, "SQLITE_LOCK_WAIT_SECONDS", 0.05)
    committer = intake.GroupCommitter()
    taken = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(db.engine.url.database, 0.5, taken))
    holder.start()
    taken.wait()
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):  # the webhook answers 503: LINE redelivers
            committer.store("line", [job("refused")])
    finally:
        holder.join()
    committer.store("line", [job("later")])  # the lock is free again: stored at once
    with db.new_session() as other:
        keys = set(other.scalars(select(BotJob.dedup_key)))
    assert keys == {"later"}
