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


def test_a_failed_commit_is_reported_to_the_caller(app, session, monkeypatch):
    committer = intake.GroupCommitter()
    monkeypatch.setattr(intake, "insert_jobs", broken_insert)
    with pytest.raises(RuntimeError, match="locked"):
        committer.store("line", [job("x")])
    assert session.scalar(select(func.count()).select_from(BotJob)) == 0


def test_failed_webhook_store_answers_500_so_line_redelivers(line_app, monkeypatch, session):
    from tests.bot.line.line_helpers import USER, post_events
    from tests.standins.line_webhook import text_event

    monkeypatch.setattr(intake, "insert_jobs", broken_insert)
    line_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = post_events(line_app.test_client(), [text_event(USER, "新着")])
    assert response.status_code == 500
