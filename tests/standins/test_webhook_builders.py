"""Webhook builders and signing, checked against webhook.yml and the SDK parser,
plus the shared-spec locator."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhooks import FollowEvent, MessageEvent, PostbackEvent, UnfollowEvent

from . import specs
from .line_webhook import (
    follow_event,
    load_sdk_samples,
    postback_event,
    sign,
    signed_request,
    text_event,
    unfollow_event,
    validate_webhook_body,
    validate_webhook_event,
    webhook_body,
    webhook_spec,
)

SECRET = "test-channel-secret"
USER = "U" + "2b" * 16


@pytest.fixture
def needs_specs():
    specs.specs_dir()


def test_sign_is_base64_hmac_sha256_and_accepted_by_the_sdk():
    body = b'{"destination":"U0","events":[]}'
    expected = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    assert sign(body, SECRET) == expected
    assert WebhookParser(SECRET).parse(body.decode(), sign(body, SECRET)) == []
    with pytest.raises(InvalidSignatureError):
        WebhookParser(SECRET).parse(body.decode(), sign(body, "another-secret"))


def test_builders_produce_valid_bodies_that_the_sdk_parses(needs_specs):
    events = [text_event(USER, "予約したい", reply_token="r" * 32, event_id="01HZZZZZZZZZZZZZZZZZZZZZZZ"),
              postback_event(USER, "action=book&id=3", params={"date": "2025-01-01"}),
              follow_event(USER, unblocked=True), unfollow_event(USER),
              text_event(USER, "再送", redelivery=True)]
    body = webhook_body(events)
    assert validate_webhook_body(body) == []

    raw, headers = signed_request(body, SECRET)
    parsed = WebhookParser(SECRET).parse(raw.decode(), headers["X-Line-Signature"])
    assert [type(e) for e in parsed] == [MessageEvent, PostbackEvent, FollowEvent, UnfollowEvent, MessageEvent]
    assert parsed[0].reply_token == "r" * 32 and parsed[0].message.text == "予約したい"
    assert parsed[0].webhook_event_id == "01HZZZZZZZZZZZZZZZZZZZZZZZ"
    assert parsed[1].postback.params == {"date": "2025-01-01"}
    assert parsed[2].follow.is_unblocked is True
    assert "replyToken" not in events[3]  # LINE sends no reply token with unfollow
    assert parsed[4].delivery_context.is_redelivery is True
    assert len({e["webhookEventId"] for e in events}) == len(events)


@pytest.mark.parametrize("mutate, prop", [
    (lambda b: b.update(destination="U123"), "destination"),
    (lambda b: b["events"][0].pop("deliveryContext"), "events[0].deliveryContext"),
    (lambda b: b["events"][0]["message"].pop("quoteToken"), "events[0].message.quoteToken"),
    (lambda b: b["events"][0].update(mode="sleeping"), "events[0].mode"),
    (lambda b: b["events"][0]["source"].update(type="channel"), "events[0].source.type"),
])
def test_validate_webhook_body_catches_unrealistic_bodies(needs_specs, mutate, prop):
    body = webhook_body([text_event(USER, "hi")])
    mutate(body)
    assert prop in {v.property for v in validate_webhook_body(body)}


def test_every_sdk_sample_event_parses_and_known_types_match_webhook_yml(needs_specs):
    samples = load_sdk_samples()
    raw = json.dumps(samples, ensure_ascii=False)
    parsed = WebhookParser(SECRET).parse(raw, sign(raw.encode(), SECRET))
    assert len(parsed) == len(samples["events"]) > 20

    known = set(webhook_spec().documents[next(iter(webhook_spec().documents))]["components"]["schemas"]
                ["Event"]["discriminator"]["mapping"])
    for event in samples["events"]:
        problems = validate_webhook_event(event)
        if event["type"] in known:
            assert problems == [], (event["type"], problems)
        else:  # newer/unknown event types (the SDK parses them leniently)
            assert [p.property for p in problems] == ["type"]


def test_specs_dir_skips_or_fails_when_specs_are_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(specs, "SPECS_DIR", tmp_path / "nowhere")
    assert specs.missing_spec_files() == list(specs.REQUIRED_FILES)
    monkeypatch.delenv("REQUIRE_SHARED_SPECS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="shared OpenAPI specs not found"):
        specs.specs_dir()
    monkeypatch.setenv("REQUIRE_SHARED_SPECS", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_SHARED_SPECS=1"):
        specs.specs_dir()
