"""Every message kind gets an answer: the SDK's 28 sample events, a sticker, a location."""
from __future__ import annotations

import pytest

from bot.line.jobs import process_pending
from bot.line.sender import retry_key_for
from tests.bot.line.line_helpers import USER, jobs, post_events, sent_messages
from tests.standins.line_webhook import load_sdk_samples, text_event

PIO = (35.5601, 139.7203)  # 大田区産業プラザPiO (two demo events take place there)


@pytest.fixture
def app(line_demo_app):
    return line_demo_app


def _message_event(line, message: dict, user: str = USER) -> dict:
    event = text_event(user, "x", reply_token=line.issue_reply_token(user))
    event["message"] = {"id": "1", "quoteToken": "q", **message}
    return event


def test_every_sdk_sample_gets_200_and_every_user_message_an_answer(app, line, session):
    client = app.test_client()
    samples = load_sdk_samples()["events"]
    assert len(samples) == 28
    expected = 0
    for i, event in enumerate(samples):
        event = {**event, "webhookEventId": f"sample{i:02d}"}
        if "replyToken" in event:
            line.register_reply_token(event["replyToken"] + f"-{i}", event["source"].get("userId"))
            event["replyToken"] += f"-{i}"
        assert post_events(client, [event]).status_code == 200, event["type"]
        one_to_one = event["source"]["type"] == "user" and event.get("mode") != "standby"
        expected += event["type"] == "message" and one_to_one and "replyToken" in event
    process_pending(app)
    message_jobs = [j for j in jobs(session) if j.payload["type"] == "message"]
    assert len(message_jobs) == expected >= 8
    kinds = {j.payload["message"]["type"] for j in message_jobs}
    assert kinds >= {"text", "video", "audio", "location", "sticker", "file", "image"}
    # Each answer went out as a reply (its token) or, the samples' tokens being old, a push (its retry key).
    answers = {call.json.get("replyToken") or call.header("X-Line-Retry-Key"): call.json["messages"]
               for call in line.calls if call.status == 200 and call.path.startswith("/v2/bot/message/")}
    for job in message_jobs:
        assert job.status == "done", (job.payload["message"]["type"], job.status, job.last_error)
        answer = answers.get(job.payload["replyToken"]) or answers.get(retry_key_for(job.dedup_key))
        assert answer, job.payload["message"]["type"]  # an answer, never silence


def test_a_sticker_is_thanked(app, line, session):
    post_events(app.test_client(), [_message_event(line, {"type": "sticker", "packageId": "446", "stickerId": "1988",
                                                          "stickerResourceType": "STATIC"})])
    process_pending(app)
    [reply] = sent_messages(line, "reply")
    assert "スタンプありがとうございます" in reply["text"]
    assert reply["quickReply"]["items"]


def test_a_location_lists_the_nearest_events_and_companies_by_distance(app, line, session):
    lat, lng = PIO
    post_events(app.test_client(), [_message_event(line, {"type": "location", "title": "蒲田", "address": "東京都大田区",
                                                          "latitude": lat, "longitude": lng})])
    process_pending(app)
    texts = [m["text"] for m in sent_messages(line, "reply") if m["type"] == "text"]
    events_text = next(t for t in texts if t.startswith("近くで開かれるイベント"))
    first_line = events_text.splitlines()[1]
    assert "約" in first_line and "m）" in first_line  # the PiO events are metres away, listed first
    companies_text = next(t for t in texts if t.startswith("近くの見学できる会社"))
    distances = [line_.rsplit("約", 1)[1] for line_ in companies_text.splitlines()[1:] if line_.startswith("・")]
    assert len(distances) >= 2
    in_km = [float(d[:-3]) if d.endswith("km）") else float(d[:-2]) / 1000 for d in distances]
    assert in_km == sorted(in_km)
    assert any(m["type"] == "flex" for m in sent_messages(line, "reply"))


def test_a_location_far_away_gets_a_polite_answer(app, line, session):
    post_events(app.test_client(), [_message_event(line, {"type": "location", "title": "札幌", "address": "北海道",
                                                          "latitude": 43.06, "longitude": 141.35})])
    process_pending(app)
    [reply] = sent_messages(line, "reply")
    assert "見つかりませんでした" in reply["text"]


def test_an_unknown_message_kind_gets_help(app, line, session):
    post_events(app.test_client(), [_message_event(line, {"type": "hologram"})])
    process_pending(app)
    [reply] = sent_messages(line, "reply")
    assert "まだ対応していません" in reply["text"]
