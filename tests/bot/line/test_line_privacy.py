"""データ削除 also blanks the user's queued and finished bot jobs (payloads, answers, keys)."""
from __future__ import annotations

import json

from sqlalchemy import select

from bot.core.privacy import erase_user_data
from bot.line import queue, richmenu_links
from bot.line.jobs import process_pending
from bot.line.models import BotJob
from tests.bot.line.line_helpers import OTHER_USER, USER, post_events
from tests.standins.line_webhook import postback_event, text_event

TYPED = "山田太郎です。電話は090-1234-5678"


def _event_job(user: str, key: str, text: str = TYPED) -> queue.NewJob:
    payload = {"type": "message", "webhookEventId": key, "source": {"type": "user", "userId": user},
               "message": {"type": "text", "id": "1", "text": text}, "timestamp": 0, "mode": "active"}
    return queue.NewJob(key, payload, "line_event")


def _all_rows(session) -> str:
    session.expire_all()
    rows = session.scalars(select(BotJob)).all()
    return json.dumps([[r.dedup_key, r.payload, r.result, r.last_error] for r in rows], ensure_ascii=False)


def _seed(session) -> None:
    queue.enqueue(session, "line", [_event_job(USER, "ev-done"), _event_job(USER, "ev-pending"),
                                    _event_job(OTHER_USER, "ev-other", "ほかの人の文章")])
    richmenu_links.queue_link(session, USER, "persona")
    session.commit()
    done = session.scalar(select(BotJob).where(BotJob.dedup_key == "ev-done"))
    done.status, done.last_error = "done", f"failed once for {USER}"
    done.result = {"user_id": USER, "reply_token": "t", "messages": [{"type": "text", "text": TYPED}]}
    session.commit()


def test_erasing_blanks_every_job_of_the_user_and_only_theirs(line_app, session):
    _seed(session)
    assert USER in _all_rows(session) and TYPED in _all_rows(session)
    erase_user_data(session, "line", USER)
    session.commit()
    rows = _all_rows(session)
    assert USER not in rows and TYPED not in rows
    by_key = {job.dedup_key: job for job in session.scalars(select(BotJob))}
    assert by_key["ev-other"].payload["message"]["text"] == "ほかの人の文章"  # others untouched
    assert by_key["ev-pending"].status == "skipped"  # queued work of the user is not run any more
    assert by_key["ev-done"].status == "done" and by_key["ev-done"].result is None
    assert [job.dedup_key for job in queue.claim(session, 10)] == ["ev-other"]  # only the other user's job


def test_the_job_in_flight_is_blanked_when_it_finishes(line_app, session):
    queue.enqueue(session, "line", [_event_job(USER, "ev-now")])
    [job] = queue.claim(session, 1)
    erase_user_data(session, "line", USER)
    job.result = {"user_id": USER, "reply_token": "t", "messages": [{"type": "text", "text": "削除しました"}]}
    session.commit()
    assert job.result["user_id"] == USER  # still needed to deliver the answer
    queue.finish(session, job)
    assert USER not in _all_rows(session) and TYPED not in _all_rows(session)


def test_erasing_through_the_chat_leaves_no_trace_in_the_queue(line_app, line, session):
    client = line_app.test_client()
    post_events(client, [text_event(USER, TYPED, reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)
    assert TYPED in _all_rows(session)
    post_events(client, [postback_event(USER, "a=erase&v=1", reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)
    assert any("削除" in json.dumps(s.messages, ensure_ascii=False) for s in line.outbox)  # answered
    rows = _all_rows(session)
    assert USER not in rows and TYPED not in rows
