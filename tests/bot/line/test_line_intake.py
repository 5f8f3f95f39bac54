"""Group commit of webhook events: every caller returns only once its rows are stored."""
from __future__ import annotations

import threading

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
