"""POST /callback: signature, size, JSON, de-duplication, event selection."""
from __future__ import annotations

import json
import logging
from io import BytesIO

import pytest

from bot.line.webhook import MAX_BODY_BYTES, WebhookError, read_body
from testkit import make_test_app
from tests.bot.line.line_helpers import CHANNEL_SECRET, USER, jobs, post_events, post_raw
from tests.standins.line_webhook import (
    follow_event,
    load_sdk_samples,
    postback_event,
    sign,
    text_event,
    unfollow_event,
    validate_webhook_event,
    webhook_body,
)


def test_valid_signature_enqueues_the_event(client, session):
    response = post_events(client, [text_event(USER, "新着")])
    assert response.status_code == 200
    [job] = jobs(session)
    assert (job.channel, job.kind, job.status) == ("line", "line_event", "pending")
    assert job.payload["message"]["text"] == "新着"


def test_missing_signature_is_refused_and_nothing_stored(client, session):
    raw = json.dumps(webhook_body([text_event(USER, "新着")])).encode()
    response = client.post("/callback", data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert jobs(session) == []


def test_bad_signature_is_refused_and_nothing_stored(client, session):
    response = post_events(client, [text_event(USER, "新着")], secret="another-secret")
    assert response.status_code == 400
    assert jobs(session) == []


def test_signature_over_a_different_body_is_refused(client, session):
    raw = json.dumps(webhook_body([text_event(USER, "新着")]), ensure_ascii=False).encode()
    tampered = raw.replace("新着".encode(), "検索".encode())
    assert tampered != raw

    response = client.post("/callback", data=tampered, headers={"X-Line-Signature": sign(raw, CHANNEL_SECRET)})
    assert response.status_code == 400
    assert jobs(session) == []


def test_body_over_one_megabyte_is_413(client, session):
    event = text_event(USER, "あ" * 10)
    body = webhook_body([event] * 1)
    body["padding"] = "x" * MAX_BODY_BYTES
    response = post_raw(client, json.dumps(body).encode())
    assert response.status_code == 413
    assert jobs(session) == []


def test_body_size_is_checked_on_what_is_read_not_only_the_header():
    # A chunked request has no Content-Length; the read itself must stop at the limit.
    with pytest.raises(WebhookError) as refused:
        read_body(BytesIO(b"x" * (MAX_BODY_BYTES + 10)), content_length=None)
    assert refused.value.status == 413
    with pytest.raises(WebhookError):
        read_body(BytesIO(b"{}"), content_length=MAX_BODY_BYTES + 1)
    assert read_body(BytesIO(b'{"events": []}'), content_length=None) == b'{"events": []}'


def test_malformed_json_with_valid_signature_is_400_and_logged(client, session, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.line.views"):
        response = post_raw(client, b'{"events": [')
    assert response.status_code == 400
    assert "malformed JSON" in caplog.text
    assert jobs(session) == []


@pytest.mark.parametrize("raw", [b"[]", b'{"destination": "x"}', b'{"events": {}}', b"\xff\xfe"])
def test_json_without_an_events_list_is_400(client, session, raw):
    assert post_raw(client, raw).status_code == 400
    assert jobs(session) == []


def test_verify_request_with_no_events_is_200(client, session):
    response = post_events(client, [])
    assert response.status_code == 200
    assert jobs(session) == []


def test_channel_off_answers_503_with_a_log_line(database_url, tmp_path, caplog):
    app = make_test_app(database_url, tmp_path / "off")
    with caplog.at_level(logging.ERROR, logger="bot.line.views"):
        response = post_events(app.test_client(), [text_event(USER, "新着")])
    assert response.status_code == 503
    assert "LINE channel is off" in caplog.text


def test_redelivered_event_is_stored_once(client, session):
    event = text_event(USER, "新着")
    redelivery = {**event, "deliveryContext": {"isRedelivery": True}}
    assert post_events(client, [event]).status_code == 200
    assert post_events(client, [redelivery]).status_code == 200
    assert post_events(client, [event, redelivery]).status_code == 200
    assert len(jobs(session)) == 1


@pytest.mark.parametrize("kind", ["beacon", "memberJoined", "videoPlayComplete", "somethingNew"])
def test_unknown_event_types_are_ignored_with_200(client, session, caplog, kind):
    event = {**text_event(USER, "x"), "type": kind}
    with caplog.at_level(logging.DEBUG, logger="bot.line.webhook"):
        assert post_events(client, [event]).status_code == 200
    assert jobs(session) == []
    assert any(r.levelno == logging.DEBUG and kind in r.getMessage() for r in caplog.records)


def test_group_messages_and_standby_mode_are_ignored(client, session):
    group = text_event(USER, "新着", group_id="C" + "c3" * 16)
    standby = {**text_event(USER, "新着"), "mode": "standby"}
    assert post_events(client, [group, standby]).status_code == 200
    assert jobs(session) == []


def test_event_missing_fields_is_skipped_and_the_others_kept(client, session, caplog):
    broken = text_event(USER, "壊れた")
    del broken["replyToken"]
    no_user = postback_event(USER, "a=latest")
    del no_user["source"]["userId"]
    good = [text_event(USER, "新着"), follow_event(USER), unfollow_event(USER)]
    with caplog.at_level(logging.WARNING, logger="bot.line.webhook"):
        response = post_events(client, [broken, good[0], no_user, "not an event", good[1], good[2]])
    assert response.status_code == 200
    assert [j.dedup_key for j in jobs(session)] == [e["webhookEventId"] for e in good]
    assert "missing replyToken" in caplog.text and "missing source.userId" in caplog.text


def test_built_events_conform_to_webhook_spec():
    # Guards the fixtures themselves: tests above post what LINE really sends.
    for event in (text_event(USER, "新着"), postback_event(USER, "a=latest"), follow_event(USER),
                  unfollow_event(USER)):
        assert validate_webhook_event(event) == []


def test_every_sdk_sample_event_is_answered_200(client, session):
    samples = load_sdk_samples()["events"]
    assert len(samples) == 28
    for i, event in enumerate(samples):
        event = {**event, "webhookEventId": f"sample{i:02d}"}
        assert post_events(client, [event]).status_code == 200, event["type"]
    assert post_events(client, samples).status_code == 200
    kinds = sorted({j.payload["type"] for j in jobs(session)})
    assert kinds == ["follow", "message", "postback", "unfollow"]


def test_answer_is_fast_because_nothing_is_processed_in_the_request(client, line, session):
    post_events(client, [text_event(USER, "新着", reply_token=line.issue_reply_token(USER))])
    assert line.calls == []  # no API call happens inside the webhook request


@pytest.mark.parametrize("body", [b"{}", b'{"events":[]}', "{\"text\":\"町工場\"}".encode(), bytes(range(32, 127)) * 40])
def test_the_signature_check_agrees_with_the_sdk_validator(body):
    import base64
    import hashlib
    import hmac

    from linebot.v3.webhook import SignatureValidator

    from bot.line.webhook import signature_matches

    good = base64.b64encode(hmac.new(CHANNEL_SECRET.encode(), body, hashlib.sha256).digest()).decode()
    others = [good[:-2] + ("AA" if not good.endswith("AA=") else "BB"), "", "x" * 44, good.lower(), "\udcff" + good[1:]]
    sdk = SignatureValidator(CHANNEL_SECRET)
    assert signature_matches(CHANNEL_SECRET, body, good) and sdk.validate(body.decode(), good)
    for signature in others:
        assert not signature_matches(CHANNEL_SECRET, body, signature)
        if signature.isascii():
            assert not sdk.validate(body.decode(), signature)


def test_web_processes_never_load_the_line_sdk(tmp_path):
    """gunicorn workers would each hold ~60 MB of SDK models they never use (the worker talks to LINE)."""
    import subprocess
    import sys
    from pathlib import Path

    probe = ("import sys; from web.app import create_app; create_app(); "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'linebot', 'aiohttp', 'feedparser'}))")
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/probe.db",
           "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "probe",
           "LINE_CHANNEL_SECRET": CHANNEL_SECRET, "LINE_CHANNEL_ACCESS_TOKEN": "token"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=Path(__file__).resolve().parents[3], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
