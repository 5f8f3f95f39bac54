"""Hostile webhook bodies (correctly signed) never cause a 5xx nor cost other requests their events."""
from __future__ import annotations

import json
import random
import threading

from sqlalchemy import func, select

from bot.line import intake
from bot.line.models import BotJob
from bot.line.queue import NewJob
from tests.bot.line.line_helpers import USER, jobs, post_events, post_raw
from tests.standins.line_webhook import new_event_id, text_event, webhook_body

NUL_ID = '{"events":[{"type":"message","mode":"active","timestamp":1,"webhookEventId":"A\\u0000B",' \
         '"source":{"type":"user","userId":"U1"},"replyToken":"t","message":{"type":"text","id":"1","text":"x"}}]}'


def _event_json(**overrides) -> dict:
    event = text_event(USER, "新着")
    event.update(overrides)
    return event


def hostile_bodies(rng: random.Random) -> list[bytes]:
    """Bodies that once broke the webhook or the shared commit, plus random mutations of valid ones."""
    fixed = [
        b"[" * 100_000 + b"]" * 100_000,  # RecursionError in the JSON parser
        b'{"events":' + b"[" * 5000 + b"]" * 5000 + b"}",
        json.dumps(webhook_body([_event_json(message={"type": "text", "id": "1", "text": "x",
                                                      "deep": json.loads("[" * 500 + "]" * 500)})])).encode(),
        NUL_ID.encode(),
        NUL_ID.replace("A\\u0000B", "\\ud800").encode(),  # lone surrogate id
        NUL_ID.replace('"text":"x"', '"text":"\\udfff\\u0000"').encode(),  # in the text
        NUL_ID.replace('"userId":"U1"', '"userId":"\\ud83d"').encode(),
        NUL_ID.replace('"type":"message"', '"type":["message"]').encode(),  # unhashable type
        NUL_ID.replace('"type":"message"', '"type":{"a":1}').encode(),
        NUL_ID.replace('"timestamp":1', '"timestamp":1e400').encode(),
        NUL_ID.replace('"timestamp":1', '"timestamp":true').encode(),
        NUL_ID.replace('"timestamp":1', '"timestamp":' + "9" * 400).encode(),
        NUL_ID.replace('"A\\u0000B"', '"' + "x" * 100_000 + '"').encode(),
        NUL_ID.replace('"source":{"type":"user","userId":"U1"}', '"source":"user"').encode(),
        NUL_ID.replace('"mode":"active"', '"\\ud800":"active"').encode(),
        b'{"events":[1,"x",null,[],{}]}', b"\xff\xfe", b"", b"null", b'{"events":{}}', b'"\\ud800"',
    ]
    valid = json.dumps(webhook_body([_event_json()]), ensure_ascii=False)
    fragments = ["\\u0000", "\\ud800", "[" * 3000, "{", "}", '"', "\\", "1e999", "\x00", "[[[[[[[[[[[[[[[[[[[["]
    mutated = []
    for _ in range(300):
        position = rng.randrange(len(valid))
        mutated.append((valid[:position] + rng.choice(fragments) + valid[position:]).encode("utf-8", "surrogatepass"))
    return fixed + mutated


def test_no_hostile_body_gets_a_5xx(client, session):
    statuses = [post_raw(client, body).status_code for body in hostile_bodies(random.Random(12))]
    assert [s for s in statuses if s >= 500] == []
    assert set(statuses) <= {200, 400, 413}
    stored = jobs(session)
    assert all("\x00" not in job.dedup_key for job in stored)


def test_valid_requests_beside_hostile_ones_all_get_stored(line_app, session):
    bodies = hostile_bodies(random.Random(7))[:120]
    valid_ids = [new_event_id() for _ in range(200)]
    statuses: list[int] = []
    lock = threading.Lock()

    def send_valid(ids: list[str]) -> None:
        client = line_app.test_client()
        for event_id in ids:
            status = post_events(client, [text_event(USER, "新着", event_id=event_id)]).status_code
            with lock:
                statuses.append(status)

    def send_hostile(chunk: list[bytes]) -> None:
        client = line_app.test_client()
        for body in chunk:
            status = post_raw(client, body).status_code
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=send_valid, args=(valid_ids[i::8],)) for i in range(8)]
    threads += [threading.Thread(target=send_hostile, args=(bodies[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [s for s in statuses if s >= 500] == []
    stored = set(session.scalars(select(BotJob.dedup_key)))
    assert set(valid_ids) <= stored


def test_a_row_that_fails_alone_does_not_cost_the_shared_commit_its_others(app, session):
    committer = intake.GroupCommitter()
    good = [intake._Ticket("line", [NewJob(f"g{i}", {"n": i}, "line_event")]) for i in range(5)]
    mixed = intake._Ticket("line", [NewJob("ok", {}, "line_event"), NewJob("bad\ud800", {}, "line_event")])
    committer._pending = [good[0], mixed, *good[1:]]  # one shared commit, as under concurrent load
    committer._commit_pending()
    assert all(ticket.done.is_set() and ticket.error is None for ticket in [*good, mixed])
    session.expire_all()
    keys = set(session.scalars(select(BotJob.dedup_key)))
    assert keys == {"g0", "g1", "g2", "g3", "g4", "ok"}
    assert session.scalar(select(func.count()).select_from(BotJob)) == 6
