"""Queue → worker → core → LINE stand-in, end to end."""
from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import update

from bot.line.jobs import process_pending
from bot.line.models import BotJob
from core.db import utcnow
from notifications.subscriptions import find_subscriber
from tests.bot.line.line_helpers import OTHER_USER, USER, jobs, post_events, sent_messages
from tests.standins.line_webhook import follow_event, postback_event, text_event, unfollow_event


def _make_due(session) -> None:
    session.execute(update(BotJob).values(run_after=utcnow() - timedelta(seconds=1)))
    session.commit()


def _uris(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["uri"]] if node.get("type") == "uri" else []
        return found + [u for value in node.values() for u in _uris(value)]
    if isinstance(node, list):
        return [u for value in node for u in _uris(value)]
    return []


def test_text_event_is_answered_with_a_valid_flex_carousel(line_demo_app, line, session):
    client = line_demo_app.test_client()
    post_events(client, [text_event(USER, "新着", reply_token=line.issue_reply_token(USER))])
    assert line.calls == []
    assert process_pending(line_demo_app) == 1
    assert line.validation_errors == [] and line.response_errors == []
    [reply] = [s for s in line.outbox if s.kind == "reply"]
    flex = reply.messages[0]
    assert flex["type"] == "flex" and flex["contents"]["type"] == "carousel"
    bubbles = flex["contents"]["contents"]
    assert 1 <= len(bubbles) <= 12
    assert all(b["hero"]["aspectRatio"] == "20:13" for b in bubbles)
    buttons = [b["footer"]["contents"][0]["action"]["uri"] for b in bubbles]
    assert all(uri.startswith("https://testserver.local/r/") for uri in buttons)
    assert reply.messages[-1]["quickReply"]["items"]
    assert jobs(session)[0].status == "done"


def test_every_link_in_an_events_answer_is_tracked(line_demo_app, line, session):
    post_events(line_demo_app.test_client(), [text_event(USER, "イベント", reply_token=line.issue_reply_token(USER))])
    process_pending(line_demo_app)
    uris = _uris(sent_messages(line))
    assert uris and all("/r/" in uri for uri in uris)
    assert line.validation_errors == []


def test_stale_reply_token_falls_back_to_push(line_app, line, session):
    old = int((time.time() - 55) * 1000)
    token = line.issue_reply_token(USER)
    post_events(line_app.test_client(), [text_event(USER, "ヘルプ", reply_token=token, timestamp=old)])
    process_pending(line_app)
    assert [s.kind for s in line.outbox] == ["push"]
    assert line.outbox[0].recipients == [USER] and line.outbox[0].retry_key
    assert line.calls_to("/v2/bot/message/reply") == []


def test_refused_reply_token_falls_back_to_push(line_app, line, session):
    post_events(line_app.test_client(), [text_event(USER, "ヘルプ", reply_token="never-issued-token")])
    process_pending(line_app)
    assert [c.status for c in line.calls_to("/v2/bot/message/reply")] == [400]
    assert [s.kind for s in line.outbox] == ["push"]
    assert line.delivered_to(USER) == 1
    assert jobs(session)[0].status == "done"


def test_follow_fetches_the_profile_and_welcomes_with_personas(line_app, line, session):
    line.profiles[USER] = {"displayName": "大田 ものづくり"}
    post_events(line_app.test_client(), [follow_event(USER, reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)
    assert line.calls_to(f"/v2/bot/profile/{USER}")
    subscriber = find_subscriber(session, "line", USER)
    assert subscriber.display_name == "大田 ものづくり" and subscriber.status == "active"
    [welcome] = sent_messages(line, "reply")[-1:]
    labels = [item["action"]["label"] for item in welcome["quickReply"]["items"]]
    assert {"学生", "保護者"} <= set(labels)


def test_follow_still_welcomes_when_the_profile_cannot_be_read(line_app, line, session):
    line.fail_next(500, path_prefix="/v2/bot/profile")
    post_events(line_app.test_client(), [follow_event(USER, reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)
    assert find_subscriber(session, "line", USER).display_name == ""
    assert line.delivered_to(USER) == 1


def test_unfollow_blocks_and_refollow_restores_settings(line_app, line, session):
    client = line_app.test_client()
    post_events(client, [follow_event(USER, reply_token=line.issue_reply_token(USER)),
                         postback_event(USER, "a=persona&p=parent", reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)
    topics = find_subscriber(session, "line", USER).topics
    assert "workshops" in topics
    post_events(client, [unfollow_event(USER)])
    process_pending(line_app)
    session.expire_all()
    assert find_subscriber(session, "line", USER).status == "blocked"
    post_events(client, [follow_event(USER, reply_token=line.issue_reply_token(USER), unblocked=True)])
    process_pending(line_app)
    session.expire_all()
    subscriber = find_subscriber(session, "line", USER)
    assert subscriber.status == "active" and subscriber.persona == "parent" and subscriber.topics == topics


def test_server_error_on_send_keeps_the_event_for_a_later_retry(line_app, line, session):
    line.fail_next(500)
    post_events(line_app.test_client(), [text_event(USER, "ヘルプ", reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)
    [job] = jobs(session)
    assert job.status == "pending" and job.attempts == 1 and job.run_after > utcnow()
    assert job.result["messages"]  # the rendered answer is kept: the retry does not re-run the turn
    assert "500" in job.last_error
    assert process_pending(line_app) == 0  # not due yet (backoff)
    _make_due(session)
    process_pending(line_app)
    [job] = jobs(session)
    assert job.status == "done" and job.attempts == 2
    assert line.delivered_to(USER) == 1


def test_lost_answer_after_delivery_is_not_sent_twice(line_app, line, session):
    # Push was accepted but the answer got lost: the retry key makes LINE answer 409.
    old = int((time.time() - 120) * 1000)
    line.fail_next(500, after_delivery=True)
    post_events(line_app.test_client(), [text_event(USER, "ヘルプ", timestamp=old)])
    process_pending(line_app)
    _make_due(session)
    process_pending(line_app)
    assert [c.status for c in line.calls_to("/v2/bot/message/push")] == [500, 409]
    assert line.delivered_to(USER) == 1
    assert jobs(session)[0].status == "done"


def test_refusal_other_than_the_reply_token_fails_the_job_for_good(line_app, line, session):
    old = int((time.time() - 120) * 1000)
    line.fail_next(400)
    post_events(line_app.test_client(), [text_event(USER, "ヘルプ", timestamp=old)])
    process_pending(line_app)
    [job] = jobs(session)
    assert job.status == "failed" and "400" in job.last_error


def test_hostile_texts_get_answers_the_api_accepts(line_demo_app, line, session):
    texts = ["🏭" * 2500, "あ" * 5000, "\x00\x07制御\x1b文字", 'title:(旋盤 OR "宇宙" AND) *?~^2', "😀👍🏻",
             "   ", "NOT", "a" * 5000]
    events = [text_event(USER, t, reply_token=line.issue_reply_token(USER)) for t in texts]
    post_events(line_demo_app.test_client(), events)
    process_pending(line_demo_app)
    assert line.validation_errors == []
    assert [c.status for c in line.calls] == [200] * len(texts)
    assert {j.status for j in jobs(session)} == {"done"}


def test_events_of_other_users_in_one_request_are_all_answered(line_app, line, session):
    events = [text_event(USER, "ヘルプ", reply_token=line.issue_reply_token(USER)),
              text_event(OTHER_USER, "イベント", reply_token=line.issue_reply_token(OTHER_USER))]
    post_events(line_app.test_client(), events)
    assert process_pending(line_app) == 2
    assert line.delivered_to(USER) == 1 and line.delivered_to(OTHER_USER) == 1


def test_a_job_left_processing_by_a_dead_worker_is_claimed_again(line_app, line, session):
    post_events(line_app.test_client(), [text_event(USER, "ヘルプ", reply_token=line.issue_reply_token(USER))])
    session.execute(update(BotJob).values(status="processing", locked_until=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert process_pending(line_app) == 1
    assert line.delivered_to(USER) == 1


def test_a_leased_job_is_not_claimed_twice(line_app, line, session):
    post_events(line_app.test_client(), [text_event(USER, "ヘルプ")])
    session.execute(update(BotJob).values(status="processing", locked_until=utcnow() + timedelta(minutes=1)))
    session.commit()
    assert process_pending(line_app) == 0
    assert line.calls == []


def test_a_sticker_gets_a_friendly_reply(line_app, line, session):
    event = text_event(USER, "x", reply_token=line.issue_reply_token(USER))
    event["message"] = {"id": "1", "type": "sticker", "packageId": "1", "stickerId": "1",
                        "stickerResourceType": "STATIC", "quoteToken": "q"}
    post_events(line_app.test_client(), [event])
    process_pending(line_app)
    assert jobs(session)[0].status == "done"
    [reply] = sent_messages(line, "reply")
    assert "スタンプありがとうございます" in reply["text"]
