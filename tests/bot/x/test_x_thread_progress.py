"""A numbered thread keeps its progress in the database: a 429 or a restart resumes at the next part."""
from __future__ import annotations

import time

from sqlalchemy import select, update

from bot.x.models import XThreadPost
from core.db import db, utcnow
from notifications.models import BroadcastDelivery
from tests.bot.x.x_helpers import approved_broadcast, drain, x_row

THREAD_TEXT = "町工場の技術を紹介します。" * 30  # 390 characters: three numbered posts


def _recorded(retry_key: str) -> list[tuple[int, str]]:
    db.session.expire_all()
    return [tuple(r) for r in db.session.execute(
        select(XThreadPost.part, XThreadPost.tweet_id).where(XThreadPost.retry_key == retry_key)
        .order_by(XThreadPost.part)).all()]


def _make_due(row: BroadcastDelivery) -> None:
    db.session.execute(update(BroadcastDelivery).where(BroadcastDelivery.id == row.id)
                       .values(next_attempt_at=utcnow()))
    db.session.commit()


def test_a_429_on_part_two_resumes_there_after_a_worker_restart(app, ward, x_api):
    broadcast = approved_broadcast(ward, THREAD_TEXT, thread=True)
    x_api.rate_limit_post(2, int(time.time()) + 600)
    drain(app)  # worker 1: part 1 goes out, part 2 is refused with 429

    row = x_row(broadcast.id)
    assert row.status == "pending" and row.last_status == 429
    assert "3件中1件目まで投稿済み" in row.last_error
    [(first_id, first)] = x_api.posts.items()
    assert first["text"].endswith(" 1/3") and first["reply_to"] is None
    assert _recorded(row.retry_key) == [(0, first_id)]  # in the database, not in the worker

    _make_due(row)  # the reset time has passed
    drain(app)  # worker 2: a new dispatcher and sender, nothing carried over in memory

    posts = list(x_api.posts.items())
    assert [post["text"][-4:] for _, post in posts] == [" 1/3", " 2/3", " 3/3"]
    [(id1, _), (id2, second), (_, third)] = posts
    assert second["reply_to"] == id1 and third["reply_to"] == id2  # each part replies to the one before
    accepted = [c for c in x_api.calls_to("/2/tweets", "POST") if c.status == 201]
    assert sorted(c.json["text"][-4:] for c in accepted) == [" 1/3", " 2/3", " 3/3"]  # each part once
    assert [c.status for c in x_api.calls_to("/2/tweets", "POST")] == [201, 429, 201, 201]
    row = x_row(broadcast.id)
    assert row.status == "sent" and row.external_ref == id1
    assert [part for part, _ in _recorded(row.retry_key)] == [0, 1, 2]


def test_a_thread_whose_parts_are_all_recorded_is_not_posted_again(app, ward, x_api):
    """A worker that died after the last part but before marking the row sent: the retry only finishes."""
    broadcast = approved_broadcast(ward, THREAD_TEXT, thread=True)
    drain(app)
    row = x_row(broadcast.id)
    assert row.status == "sent"
    calls = len(x_api.calls_to("/2/tweets", "POST"))
    db.session.execute(update(BroadcastDelivery).where(BroadcastDelivery.id == row.id)
                       .values(status="pending", next_attempt_at=utcnow(), attempts=1))
    db.session.commit()
    drain(app)
    assert len(x_api.calls_to("/2/tweets", "POST")) == calls and len(x_api.posts) == 3
    row = x_row(broadcast.id)
    assert row.status == "sent" and row.external_ref == next(iter(x_api.posts))


def test_a_single_post_is_recorded_too(app, ward, x_api):
    broadcast = approved_broadcast(ward, "工場見学のお知らせ")
    drain(app)
    row = x_row(broadcast.id)
    [(post_id, _)] = x_api.posts.items()
    assert _recorded(row.retry_key) == [(0, post_id)]
