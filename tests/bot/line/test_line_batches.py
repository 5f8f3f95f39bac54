"""Claimed events are answered in batches: one commit per event and one per batch, failures kept apart."""
from __future__ import annotations

import json
import threading

from sqlalchemy import event, select, update

from bot.line import processor, queue
from bot.line.jobs import process_pending
from bot.line.models import BotJob
from core.db import db
from notifications.subscriptions import find_subscriber
from tests.bot.line.line_helpers import OTHER_USER, USER, jobs, post_events
from tests.standins.line_webhook import follow_event, postback_event, text_event

POISON = "U" + "c3" * 16
THIRD = "U" + "d4" * 16


def _poison_turns_of(monkeypatch, user_id: str) -> None:
    """The conversation of ``user_id`` runs (and writes) and then crashes before its answer is stored."""
    real = processor.engine.handle

    def handle(session, message, config):
        response = real(session, message, config)
        if message.user_id == user_id:
            raise RuntimeError("poisoned turn")
        return response

    monkeypatch.setattr(processor.engine, "handle", handle)


def _follows(line, users: list[str]) -> list[dict]:
    return [follow_event(user, reply_token=line.issue_reply_token(user)) for user in users]


def test_a_crashing_event_in_a_batch_costs_only_itself(line_app, line, session, monkeypatch):
    _poison_turns_of(monkeypatch, POISON)
    post_events(line_app.test_client(), _follows(line, [USER, POISON, OTHER_USER]))
    assert process_pending(line_app) == 3  # three jobs: one batch
    by_user = {job.payload["source"]["userId"]: job for job in jobs(session)}
    assert by_user[USER].status == by_user[OTHER_USER].status == "done"
    poisoned = by_user[POISON]
    assert poisoned.status == "pending" and poisoned.attempts == 1 and poisoned.result is None
    assert "poisoned turn" in poisoned.last_error
    # The others' conversations are kept (their new subscriber rows); the poisoned one's is rolled back.
    assert find_subscriber(session, "line", USER) is not None and find_subscriber(session, "line", OTHER_USER)
    assert find_subscriber(session, "line", POISON) is None
    assert line.delivered_to(USER) == 1 and line.delivered_to(OTHER_USER) == 1 and line.delivered_to(POISON) == 0


def test_a_crashing_event_on_its_last_attempt_is_recorded_failed(line_app, line, session, monkeypatch):
    _poison_turns_of(monkeypatch, POISON)
    post_events(line_app.test_client(), _follows(line, [USER, POISON]))
    session.execute(update(BotJob).values(attempts=queue.MAX_ATTEMPTS - 1))
    session.commit()
    process_pending(line_app)
    by_user = {job.payload["source"]["userId"]: job for job in jobs(session)}
    assert by_user[POISON].status == "failed" and "poisoned turn" in by_user[POISON].last_error
    assert by_user[POISON].finished_at is not None
    assert by_user[USER].status == "done" and line.delivered_to(USER) == 1


def test_an_outcome_that_cannot_be_recorded_does_not_cost_the_others_theirs(line_app, line, session, monkeypatch):
    post_events(line_app.test_client(), [text_event(user, "ヘルプ", reply_token=line.issue_reply_token(user))
                                         for user in (USER, POISON, OTHER_USER)])
    [poisoned] = [job.id for job in jobs(session) if job.payload["source"]["userId"] == POISON]
    real = queue.mark_many_finished

    def mark_many_finished(session, ids, status="done"):
        if poisoned in ids:
            raise RuntimeError("cannot record")
        real(session, ids, status)

    monkeypatch.setattr(queue, "mark_many_finished", mark_many_finished)
    process_pending(line_app)
    by_user = {job.payload["source"]["userId"]: job for job in jobs(session)}
    assert by_user[USER].status == by_user[OTHER_USER].status == "done"
    assert by_user[POISON].status == "processing"  # its lease runs out and it is answered again


def test_a_batch_costs_one_commit_per_event_and_reads_no_job_twice(line_app, line, session):
    users = [f"U{index:032x}" for index in range(8)]
    post_events(line_app.test_client(), [text_event(user, "ヘルプ", reply_token=line.issue_reply_token(user))
                                         for user in users])
    commits, job_reads = [], []
    engine = db.engine

    def on_commit(_conn):
        commits.append(1)

    def on_statement(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT") and "FROM bot_jobs" in statement:
            job_reads.append(statement)

    event.listen(engine, "commit", on_commit)
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        assert process_pending(line_app) == 8
    finally:
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "before_cursor_execute", on_statement)
    assert {job.status for job in jobs(session)} == {"done"}
    assert all(line.delivered_to(user) == 1 for user in users)
    # The claim, each answer stored with its conversation, and each batch's outcomes (two batches of four).
    assert len(commits) <= 1 + len(users) + 2, len(commits)
    assert job_reads == []  # the claim returned the rows; nothing read them again


def test_answers_to_one_user_keep_their_order_within_a_batch(line_app, line, session):
    texts = ["ヘルプ", "新着", "受信設定"]
    tokens = [line.issue_reply_token(USER) for _ in texts]
    events = [text_event(USER, text, reply_token=token) for text, token in zip(texts, tokens, strict=True)]
    events[1:1] = [text_event(OTHER_USER, "ヘルプ", reply_token=line.issue_reply_token(OTHER_USER))]
    post_events(line_app.test_client(), events)
    assert process_pending(line_app) == 4
    replies = [call.json["replyToken"] for call in line.calls_to("/v2/bot/message/reply")
               if call.json["replyToken"] in tokens]
    assert replies == tokens


def test_erasing_in_a_batch_blanks_the_users_jobs_of_that_batch_and_keeps_the_others(line_app, line, session):
    typed = "山田太郎です。電話は090-1234-5678"
    post_events(line_app.test_client(), [
        text_event(USER, typed, reply_token=line.issue_reply_token(USER)),
        text_event(OTHER_USER, "ほかの人の文章", reply_token=line.issue_reply_token(OTHER_USER)),
        postback_event(USER, "a=erase&v=1", reply_token=line.issue_reply_token(USER)),
    ])
    assert process_pending(line_app) == 3
    session.expire_all()
    rows = json.dumps([[j.dedup_key, j.payload, j.result, j.last_error] for j in session.scalars(select(BotJob))],
                      ensure_ascii=False)
    assert USER not in rows and typed not in rows
    assert "ほかの人の文章" in rows
    assert line.delivered_to(USER) == 2 and line.delivered_to(OTHER_USER) == 1


def test_only_turns_that_changed_something_keep_their_answer(line_app, line, session):
    post_events(line_app.test_client(), [
        follow_event(USER, reply_token=line.issue_reply_token(USER)),  # a new friend: rows written
        text_event(OTHER_USER, "ヘルプ", reply_token=line.issue_reply_token(OTHER_USER)),  # read only
    ])
    process_pending(line_app)
    by_user = {job.payload["source"]["userId"]: job for job in jobs(session)}
    assert by_user[USER].status == "done" and by_user[USER].result["messages"]
    assert by_user[OTHER_USER].status == "done" and by_user[OTHER_USER].result is None  # nothing to protect
    assert line.delivered_to(USER) == 1 and line.delivered_to(OTHER_USER) == 1


def test_searches_of_a_batch_are_logged_with_its_outcomes(line_demo_app, line, session):
    from search.models import SearchQueryLog

    post_events(line_demo_app.test_client(), [text_event(user, word, reply_token=line.issue_reply_token(user))
                                              for user, word in ((USER, "旋盤"), (OTHER_USER, "宇宙"))])
    assert process_pending(line_demo_app) == 2
    logged = session.scalars(select(SearchQueryLog).order_by(SearchQueryLog.id)).all()
    assert [(row.query, row.channel) for row in logged] == [("旋盤", "line"), ("宇宙", "line")]
    assert all(row.result_count > 0 for row in logged)
    assert {job.status for job in jobs(session)} == {"done"} and {job.result for job in jobs(session)} == {None}


def test_the_batch_never_waits_for_line_inside_a_transaction(line_demo_app, line, session, monkeypatch):
    """Answers go out while later turns are prepared; once the batch only waits for LINE, no
    transaction of it is open (the read-only turns' shared one has ended)."""
    import pytest
    from sqlalchemy import text

    if db.engine.dialect.name != "postgresql":
        pytest.skip("read-only turns share a transaction on PostgreSQL only")
    seen = []
    real_send, real_end = processor.send_answer, processor._end_transaction
    prepared = threading.Event()
    probe = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")  # never idle in a transaction
    probing = threading.Lock()

    def end_transaction(session_):
        real_end(session_)
        prepared.set()

    def send_answer(api, delivery):
        assert prepared.wait(10)  # from here on, the batch only waits for its answers
        with probing:
            seen.append(probe.execute(text(
                "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()")).scalars().all())
        return real_send(api, delivery)

    monkeypatch.setattr(processor, "send_answer", send_answer)
    monkeypatch.setattr(processor, "_end_transaction", end_transaction)
    session.rollback()  # the test's own session holds no transaction either
    users = [f"U{index:032x}" for index in range(6)]
    post_events(line_demo_app.test_client(), [text_event(user, word, reply_token=line.issue_reply_token(user))
                                              for user, word in zip(users, ["新着", "旋盤", "イベント"] * 2, strict=True)])
    session.rollback()
    assert process_pending(line_demo_app) == 6
    probe.close()
    assert len(seen) == 6 and all(not open_ for open_ in seen), seen
    assert all(line.delivered_to(user) == 1 for user in users)


def test_an_answer_goes_out_before_the_rest_of_its_batch_is_prepared(line_app, line, session, monkeypatch):
    """The first user's reply reaches LINE while the last user's turn is still running."""
    users = [USER, OTHER_USER, THIRD]
    first_answered = threading.Event()
    real_send, real_handle = processor.send_answer, processor.engine.handle

    def send_answer(api, delivery):
        outcome = real_send(api, delivery)
        if delivery.outbox["user_id"] == USER:
            first_answered.set()
        return outcome

    def handle(session_, message, config):
        if message.user_id == THIRD:
            assert first_answered.wait(10), "the first answer waited for the whole batch"
        return real_handle(session_, message, config)

    monkeypatch.setattr(processor, "send_answer", send_answer)
    monkeypatch.setattr(processor.engine, "handle", handle)
    post_events(line_app.test_client(), [text_event(user, "ヘルプ", reply_token=line.issue_reply_token(user))
                                         for user in users])
    assert process_pending(line_app) == 3
    assert {job.status for job in jobs(session)} == {"done"}
    assert all(line.delivered_to(user) == 1 for user in users)
