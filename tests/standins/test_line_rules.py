"""The LINE stand-in refuses what the real API refuses beyond the OpenAPI schema
(line_rules.py): each rule with a refused case and an accepted control."""
from __future__ import annotations

import pytest
import requests
from linebot.v3.messaging import ApiClient, ApiException, Configuration, MessagingApi, ReplyMessageRequest, TextMessage

from .line_api import REPLY_TOKEN_TTL, LineStandin
from .specs import specs_dir

USER = "U" + "1a" * 16
EMOJI = "\N{FACTORY}"  # outside the BMP: two UTF-16 code units


@pytest.fixture
def line():
    specs_dir()
    with LineStandin() as standin:
        yield standin
        assert standin.response_errors == []


def push(line, *messages, headers=None):
    return requests.post(f"{line.base_url}/v2/bot/message/push", json={"to": USER, "messages": list(messages)},
                         headers={"Authorization": f"Bearer {line.access_token}", **(headers or {})}, timeout=5)


def flex(*components, hero=None, styles=None):
    bubble = {"type": "bubble", "body": {"type": "box", "layout": "vertical",
                                         "contents": list(components) or [{"type": "text", "text": "本文"}]}}
    if hero is not None:
        bubble["hero"] = hero
    if styles is not None:
        bubble["styles"] = styles
    return {"type": "flex", "altText": "記事", "contents": bubble}


def image(url="https://example.org/a.jpg", **extra):
    return {"type": "image", "url": url, **extra}


def uri_button(uri):
    return {"type": "button", "action": {"type": "uri", "label": "開く", "uri": uri}}


def template(alt_text="確認", uri="https://example.org/"):
    return {"type": "template", "altText": alt_text, "template": {
        "type": "buttons", "text": "どうしますか", "actions": [{"type": "uri", "label": "開く", "uri": uri}]}}


LONG_URL = "https://example.org/" + "a" * 1981  # 2,001 characters

REFUSED = {
    "image over http": (flex(hero=image("http://example.org/a.jpg")), "image-url-https"),
    "image URL of 2,001 characters": (flex(hero=image(LONG_URL)), "image-url-length"),
    "image message over http": ({"type": "image", "originalContentUrl": "http://example.org/a.jpg",
                                 "previewImageUrl": "https://example.org/a.jpg"}, "image-url-https"),
    "colour name": (flex({"type": "text", "text": "x", "color": "red"}), "colour"),
    "three-digit colour": (flex(styles={"body": {"backgroundColor": "#fff"}}), "colour"),
    "aspect ratio taller than 1:3": (flex(hero=image(aspectRatio="1:4")), "aspect-ratio"),
    "aspect ratio with a zero": (flex(hero=image(aspectRatio="0:1")), "aspect-ratio"),
    "aspect ratio over 100000": (flex(hero=image(aspectRatio="100001:1")), "aspect-ratio"),
    "aspect ratio as a decimal": (flex(hero=image(aspectRatio="1.5")), "aspect-ratio"),
    "uri of 1,001 characters": (flex(uri_button("https://example.org/" + "a" * 981)), "uri-length"),
    "uri with javascript scheme": (flex(uri_button("javascript:alert(1)")), "uri-scheme"),
    "uri with ftp scheme": (template(uri="ftp://example.org/file"), "uri-scheme"),
    "template altText of 401": (template(alt_text="あ" * 401), "template-alt-text"),
    "empty flex text": (flex({"type": "text", "text": ""}), "flex-text-empty"),
    "text of 5,001 UTF-16 units": ({"type": "text", "text": EMOJI * 2500 + "a"}, "text-length"),
}


@pytest.mark.parametrize("message, rule", REFUSED.values(), ids=REFUSED.keys())
def test_documented_limits_beyond_the_schema_are_refused(line, message, rule):
    response = push(line, message)

    assert response.status_code == 400, response.text
    assert f"line-doc:{rule}" in {v.keyword for v in line.violations()}
    assert line.delivered_to(USER) == 0


def test_the_same_shapes_within_the_limits_are_accepted(line):
    accepted = [
        flex({"type": "text", "text": "x", "color": "#1f1a3dcc"}, uri_button("tel:0312345678"),
             hero=image("https://example.org/" + "a" * 1980, aspectRatio="1:3"),
             styles={"footer": {"backgroundColor": "#FFFDF7", "separatorColor": "#d9d4ee"}}),
        flex(uri_button("line://ti/p/@standin"), uri_button("https://example.org/" + "a" * 980),
             {"type": "text", "text": "", "contents": [{"type": "span", "text": "スパン"}]},
             hero=image(aspectRatio="100000:1")),
        template(alt_text="あ" * 400, uri="http://example.org/"),
        {"type": "text", "text": EMOJI * 2500},
    ]
    response = push(line, *accepted)
    assert response.status_code == 200, response.text
    assert line.validation_errors == []


def test_reply_refuses_a_retry_key(line):
    token = line.issue_reply_token(USER)
    response = requests.post(f"{line.base_url}/v2/bot/message/reply",
                             json={"replyToken": token, "messages": [{"type": "text", "text": "はい"}]},
                             headers={"Authorization": f"Bearer {line.access_token}",
                                      "X-Line-Retry-Key": "123e4567-e89b-12d3-a456-426614174000"}, timeout=5)
    assert response.status_code == 400
    assert [v.keyword for v in line.violations()] == ["line-doc:retry-key-on-reply"]
    assert line.delivered_to(USER) == 0


def test_reply_token_expires_after_one_minute(line):
    with ApiClient(Configuration(host=line.base_url, access_token=line.access_token)) as client:
        api = MessagingApi(client)
        fresh, stale = line.issue_reply_token(USER), line.issue_reply_token(USER)
        line.advance(REPLY_TOKEN_TTL - 5)
        api.reply_message(ReplyMessageRequest(replyToken=fresh, messages=[TextMessage(text="間に合いました")]))
        line.advance(10)
        with pytest.raises(ApiException) as err:
            api.reply_message(ReplyMessageRequest(replyToken=stale, messages=[TextMessage(text="遅すぎ")]))
    assert err.value.status == 400 and "Invalid reply token" in err.value.body
    assert line.delivered_to(USER) == 1


def rich_menu(*bounds):
    return {"size": {"width": 2500, "height": 843}, "selected": False, "name": "menu", "chatBarText": "メニュー",
            "areas": [{"bounds": dict(zip(("x", "y", "width", "height"), b)),
                       "action": {"type": "postback", "data": f"a={i}"}} for i, b in enumerate(bounds)]}


@pytest.mark.parametrize("bounds", [(2000, 0, 501, 843), (0, 400, 1250, 444), (2600, 900, 10, 10)],
                         ids=["past the right edge", "past the bottom", "wholly outside"])
def test_rich_menu_areas_outside_the_image_are_refused(line, bounds):
    response = requests.post(f"{line.base_url}/v2/bot/richmenu", json=rich_menu((0, 0, 100, 100), bounds),
                             headers={"Authorization": f"Bearer {line.access_token}"}, timeout=5)
    assert response.status_code == 400
    assert [(v.property, v.keyword) for v in line.violations()] == [("areas[1].bounds", "line-doc:richmenu-area-bounds")]
    assert line.rich_menus.menus == {}


def test_rich_menu_areas_filling_the_image_exactly_are_accepted(line):
    response = requests.post(f"{line.base_url}/v2/bot/richmenu",
                             json=rich_menu((0, 0, 1250, 843), (1250, 0, 1250, 843)),
                             headers={"Authorization": f"Bearer {line.access_token}"}, timeout=5)
    assert response.status_code == 200, response.text
