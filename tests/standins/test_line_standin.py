"""The LINE stand-in, driven by the real line-bot-sdk v3 clients.

Some cases use raw HTTP (requests) because the SDK's pydantic models refuse
them client-side; those tests check the stand-in, not the SDK.
"""
from __future__ import annotations

import struct
import uuid
import zlib

import pydantic.v1 as pydantic_v1
import pytest
import requests
from linebot.v3 import insight
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    BroadcastRequest,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    MulticastRequest,
    NarrowcastRequest,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
    TextMessage,
)

from .line_api import LineStandin, line_spec
from .specs import specs_dir

USER = "U" + "1a" * 16
OTHERS = ["U%032x" % i for i in range(1, 4)]


@pytest.fixture
def line():
    specs_dir()  # skip (or fail with REQUIRE_SHARED_SPECS=1) without the specs
    with LineStandin() as standin:
        yield standin
        # Every answer the stand-in gave must itself match the spec.
        assert standin.response_errors == []


@pytest.fixture
def client(line):
    with ApiClient(Configuration(host=line.base_url, access_token=line.access_token)) as api_client:
        yield api_client


@pytest.fixture
def api(client):
    return MessagingApi(client)


def raw_post(line, path, body, token=None, headers=None):
    auth = {"Authorization": f"Bearer {token or line.access_token}"}
    return requests.post(line.base_url + path, json=body, headers={**auth, **(headers or {})}, timeout=5)


def text(value="こんにちは"):
    return {"type": "text", "text": value}


# -- happy paths ---------------------------------------------------------------------------
def test_push_is_validated_recorded_and_delivered(line, api):
    quick = QuickReply(items=[QuickReplyItem(action=PostbackAction(label="予約", data="action=book"))])
    response = api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="こんにちは", quickReply=quick)]))

    assert response.sent_messages[0].id.isdigit() and response.sent_messages[0].quote_token
    [call] = line.calls_to("/v2/bot/message/push")
    assert call.status == 200 and call.operation_id == "pushMessage"
    assert call.json["messages"][0]["quickReply"]["items"][0]["action"]["data"] == "action=book"
    assert call.header("authorization") == "Bearer test-channel-access-token"
    assert line.validation_errors == []
    assert line.delivered_to(USER) == 1
    assert api.get_message_quota_consumption().total_usage == 1


def test_multicast_delivers_to_each_recipient_and_returns_empty_object(line, api):
    api.multicast(MulticastRequest(to=OTHERS, messages=[TextMessage(text="お知らせ")]))

    assert [line.delivered_to(u) for u in OTHERS] == [1, 1, 1]
    assert line.calls_to("/v2/bot/message/multicast")[0].response_json == {}
    assert line.quota_usage == 3


def test_reply_token_can_be_used_once(line, api):
    token = line.issue_reply_token(USER)
    api.reply_message(ReplyMessageRequest(replyToken=token, messages=[TextMessage(text="はい")]))

    for reused in (token, "0" * 32):
        with pytest.raises(ApiException) as err:
            api.reply_message(ReplyMessageRequest(replyToken=reused, messages=[TextMessage(text="はい")]))
        assert err.value.status == 400 and "Invalid reply token" in err.value.body
    assert line.delivered_to(USER) == 1
    assert line.quota_usage == 0  # replies do not count against the quota


def test_profile_bot_info_and_quota(line, api):
    line.profiles[OTHERS[0]] = {"displayName": "鈴木 花子"}
    assert api.get_profile(OTHERS[0]).display_name == "鈴木 花子"
    default = api.get_profile(USER)
    assert default.language == "ja" and default.user_id == USER and default.display_name
    with pytest.raises(ApiException) as err:
        api.get_profile("not-a-user-id")
    assert err.value.status == 404
    assert api.get_bot_info().chat_mode == "bot"
    line.quota_limit = 1234
    quota = api.get_message_quota()
    assert (quota.type.value, quota.value) == ("limited", 1234)


# -- validation ------------------------------------------------------------------------------
def test_multicast_to_501_users_is_refused_by_sdk_and_by_standin(line, api):
    users = ["U%032x" % i for i in range(501)]
    with pytest.raises(pydantic_v1.ValidationError):  # the SDK checks maxItems itself
        MulticastRequest(to=users, messages=[TextMessage(text="x")])
    unchecked = MulticastRequest.construct(to=users, messages=[TextMessage(text="x")], notification_disabled=False)
    with pytest.raises(ApiException) as err:
        api.multicast(unchecked)

    assert err.value.status == 400
    assert '"property": "to"' in err.value.body
    [violation] = line.violations()
    assert (violation.property, violation.keyword, violation.limit) == ("to", "maxItems", 500)
    assert sum(line.deliveries.values()) == 0


def test_text_over_5000_characters_is_rejected(line, api):
    api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="あ" * 5000)]))
    with pytest.raises(ApiException) as err:
        api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="あ" * 5001)]))

    assert err.value.status == 400
    [violation] = line.violations()
    assert (violation.property, violation.keyword) == ("messages[0].text", "line-doc:text-length")
    assert line.delivered_to(USER) == 1


def _bubble(label="OK", data="a=1"):
    return {"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": [
        {"type": "text", "text": "本文"},
        {"type": "button", "action": {"type": "postback", "label": label, "data": data}}]}}


def _quick(n, label="ボタン"):
    return {"items": [{"type": "action", "action": {"type": "message", "label": label, "text": "t"}}] * n}


INVALID_BODIES = {
    "unknown message type": ({"type": "txt", "text": "x"}, "messages[0].type", "enum"),
    "text message without text": ({"type": "text"}, "messages[0].text", "required"),
    "quick reply with 14 items": ({**text(), "quickReply": _quick(14)}, "messages[0].quickReply.items", "maxItems"),
    "quick reply label of 21 chars": ({**text(), "quickReply": _quick(1, "あ" * 21)},
                                      "messages[0].quickReply.items[0].action.label", "line-doc:action-label"),
    "postback data of 301 chars": ({"type": "flex", "altText": "a", "contents": _bubble(data="d" * 301)},
                                   "messages[0].contents.body.contents[1].action.data", "maxLength"),
    "flex text that is a number": ({"type": "flex", "altText": "a", "contents": {"type": "bubble", "body": {
        "type": "box", "layout": "vertical", "contents": [{"type": "text", "text": 5}]}}},
        "messages[0].contents.body.contents[0].text", "type"),
    "carousel of 13 bubbles": ({"type": "flex", "altText": "a", "contents": {"type": "carousel",
                                "contents": [_bubble()] * 13}}, "messages[0].contents.contents",
                               "line-doc:flex-carousel-size"),
    "altText of 1501 chars": ({"type": "flex", "altText": "a" * 1501, "contents": _bubble()},
                              "messages[0].altText", "line-doc:alt-text"),
    "uri action with a bad uri": ({"type": "template", "altText": "a", "template": {
        "type": "buttons", "text": "t", "actions": [{"type": "uri", "label": "開く", "uri": "not a uri"}]}},
        "messages[0].template.actions[0].uri", "format"),
}


@pytest.mark.parametrize("message, prop, keyword", INVALID_BODIES.values(), ids=INVALID_BODIES.keys())
def test_spec_and_documented_limits_are_enforced(line, message, prop, keyword):
    response = raw_post(line, "/v2/bot/message/push", {"to": USER, "messages": [message]})

    assert response.status_code == 400, response.text
    assert response.json()["message"] == "The request body has 1 error(s)"
    assert response.json()["details"] == [{"message": line.violations()[0].message, "property": prop}]
    assert line.violations()[0].keyword == keyword
    assert line.delivered_to(USER) == 0


def test_valid_raw_bodies_pass(line):
    """Control for the test above: the same shapes within limits are accepted."""
    messages = [{**text(), "quickReply": _quick(13, "あ" * 20)},
                {"type": "flex", "altText": "a" * 1500, "contents": {"type": "carousel", "contents": [_bubble()] * 12}}]
    assert raw_post(line, "/v2/bot/message/push", {"to": USER, "messages": messages}).status_code == 200
    too_many = raw_post(line, "/v2/bot/message/push", {"to": USER, "messages": [text()] * 6})
    assert too_many.status_code == 400 and line.violations()[0].keyword == "maxItems"


def test_wrong_token_gets_401_and_nothing_is_delivered(line):
    with ApiClient(Configuration(host=line.base_url, access_token="wrong")) as bad:
        with pytest.raises(ApiException) as err:
            MessagingApi(bad).push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="x")]))
    assert err.value.status == 401 and "Authentication failed" in err.value.body
    assert line.delivered_to(USER) == 0


def test_unknown_path_and_method(line):
    auth = {"Authorization": f"Bearer {line.access_token}"}
    assert requests.get(line.base_url + "/v2/bot/nothing", headers=auth, timeout=5).status_code == 404
    assert requests.delete(line.base_url + "/v2/bot/message/push", headers=auth, timeout=5).status_code == 405


# -- retry keys and faults ------------------------------------------------------------------------
def test_retry_key_replay_is_409_and_delivered_once(line, api):
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=USER, messages=[TextMessage(text="一度だけ")])
    first = api.push_message_with_http_info(request, x_line_retry_key=key)
    with pytest.raises(ApiException) as err:
        api.push_message(request, x_line_retry_key=key)

    assert err.value.status == 409
    assert err.value.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert "The retry key is already accepted" in err.value.body
    assert first.data.sent_messages[0].id in err.value.body
    assert line.deliveries == {(key, USER): 1}


def test_retry_key_must_be_a_uuid(line):
    response = raw_post(line, "/v2/bot/message/push", {"to": USER, "messages": [text()]},
                        headers={"X-Line-Retry-Key": "not-a-uuid"})
    assert response.status_code == 400 and line.violations()[0].property == "X-Line-Retry-Key"


def test_fail_next_500_is_not_delivered_and_retry_succeeds(line, api):
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=USER, messages=[TextMessage(text="x")])
    line.fail_next(500, path_prefix="/v2/bot/message/push")
    with pytest.raises(ApiException) as err:
        api.push_message(request, x_line_retry_key=key)
    assert err.value.status == 500 and line.delivered_to(USER) == 0

    api.push_message(request, x_line_retry_key=key)
    assert line.deliveries == {(key, USER): 1}


def test_lost_answer_then_retry_with_same_key_is_409_not_a_duplicate(line, api):
    key = str(uuid.uuid4())
    request = MulticastRequest(to=OTHERS, messages=[TextMessage(text="x")])
    line.fail_next(500, after_delivery=True)
    with pytest.raises(ApiException):
        api.multicast(request, x_line_retry_key=key)
    with pytest.raises(ApiException) as err:
        api.multicast(request, x_line_retry_key=key)
    assert err.value.status == 409
    assert [line.delivered_to(u) for u in OTHERS] == [1, 1, 1]


def test_fail_next_429_with_retry_after_and_path_filter(line, api):
    line.fail_next(429, count=2, path_prefix="/v2/bot/message/push", retry_after=3)
    api.get_bot_info()  # other paths are not affected
    for _ in range(2):
        with pytest.raises(ApiException) as err:
            api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="x")]))
        assert err.value.status == 429 and err.value.headers["Retry-After"] == "3"
    api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="x")]))
    assert [c.status for c in line.calls_to("/v2/bot/message/push")] == [429, 429, 200]


def _statuses_with_ratio(seed):
    with LineStandin() as standin:
        standin.fail_ratio(500, 0.5, seed=seed)
        statuses = [raw_post(standin, "/v2/bot/message/push", {"to": USER, "messages": [text()]}).status_code
                    for _ in range(20)]
        return statuses, standin.delivered_to(USER)


def test_fail_ratio_is_deterministic_and_failures_are_not_delivered(line):
    statuses, delivered = _statuses_with_ratio(seed=7)
    assert statuses == _statuses_with_ratio(seed=7)[0]
    assert set(statuses) == {200, 500}
    assert delivered == statuses.count(200)


def test_monthly_quota_is_enforced(line, api):
    line.quota_limit = 2
    with pytest.raises(ApiException) as err:
        api.multicast(MulticastRequest(to=OTHERS, messages=[TextMessage(text="x")]))
    assert err.value.status == 429 and "monthly limit" in err.value.body
    assert api.get_message_quota_consumption().total_usage == 0


# -- rich menus and insight --------------------------------------------------------------------------
def png(width, height):
    """A valid, tiny (well-compressed) black PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x00" * (width * 3) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def test_rich_menu_lifecycle(line, api, client):
    blob = MessagingApiBlob(client)
    area = RichMenuArea(bounds=RichMenuBounds(x=0, y=0, width=2500, height=843),
                        action=PostbackAction(label="メニュー", data="menu=1"))
    menu = RichMenuRequest(size=RichMenuSize(width=2500, height=843), selected=True, name="main",
                           chatBarText="メニュー", areas=[area])
    menu_id = api.create_rich_menu(menu).rich_menu_id
    assert menu_id.startswith("richmenu-")

    with pytest.raises(ApiException) as err:  # LINE refuses a menu without image
        api.set_default_rich_menu(menu_id)
    assert err.value.status == 400
    with pytest.raises(ApiException) as err:
        blob.set_rich_menu_image(menu_id, body=b"GIF89a....", _headers={"Content-Type": "image/png"})
    assert err.value.status == 400
    blob.set_rich_menu_image(menu_id, body=png(2500, 843), _headers={"Content-Type": "image/png"})

    api.set_default_rich_menu(menu_id)
    api.link_rich_menu_id_to_user(USER, menu_id)
    assert api.get_default_rich_menu_id().rich_menu_id == menu_id
    assert api.get_rich_menu_id_of_user(USER).rich_menu_id == menu_id
    assert [m.rich_menu_id for m in api.get_rich_menu_list().richmenus] == [menu_id]
    api.delete_rich_menu(menu_id)
    with pytest.raises(ApiException) as err:
        api.get_rich_menu(menu_id)
    assert err.value.status == 404


def test_insight_statistics_follow_what_was_sent(line, api):
    api.multicast(MulticastRequest(to=OTHERS, messages=[TextMessage(text="x")], customAggregationUnits=["promo_a"]))
    assert api.get_aggregation_unit_name_list().custom_aggregation_units == ["promo_a"]
    assert api.get_aggregation_unit_usage().num_of_custom_aggregation_units == 1
    with insight.ApiClient(insight.Configuration(host=line.base_url, access_token=line.access_token)) as client:
        stats = insight.Insight(client).get_statistics_per_unit(
            custom_aggregation_unit="promo_a", var_from="20240101", to="20240131")
    assert stats.overview.unique_impression == 3 and stats.messages[0].seq == 1

    bad = requests.get(line.base_url + "/v2/bot/insight/message/event/aggregation",
                       params={"customAggregationUnit": "promo_a", "from": "2024-01-01"},
                       headers={"Authorization": f"Bearer {line.access_token}"}, timeout=5)
    assert bad.status_code == 400
    assert {v.property for v in line.violations()} == {"from", "to"}


def test_response_checker_catches_a_wrong_answer():
    """The stand-in's self-check (response_errors) is not a no-op."""
    specs_dir()
    spec = line_spec()
    match, _ = spec.match("GET", "/v2/bot/profile/" + USER)
    assert spec.check_response(match, 200, {"userId": USER, "displayName": "x"}) == []
    assert [v.message for v in spec.check_response(match, 200, {"userId": USER})] == [
        "'displayName' is a required property"]


def test_broadcast_and_narrowcast_reach_followers(line, api):
    line.followers = list(OTHERS)
    api.broadcast(BroadcastRequest(messages=[TextMessage(text="全員へ")]), x_line_retry_key=str(uuid.uuid4()))
    sent = api.narrowcast_with_http_info(NarrowcastRequest(messages=[TextMessage(text="一部へ")]))
    assert sent.status_code == 202
    progress = api.get_narrowcast_progress(sent.headers["x-line-request-id"])
    assert (progress.phase, progress.success_count) == ("succeeded", 3)
    assert [line.delivered_to(u) for u in OTHERS] == [2, 2, 2]
    assert api.get_followers().user_ids == OTHERS
