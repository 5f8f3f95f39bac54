"""The bot playground: same core, no LINE, CSRF-protected JSON API, gated in production."""
from __future__ import annotations

import re
import time

import pytest

from bot.line.playground import playground_allowed
from core.db import db
from staff import accounts, auth
from staff.accounts import create_account
from testkit import make_test_app

API = "/playground/api/message"


def csrf_token(client) -> str:
    page = client.get("/playground")
    assert page.status_code == 200
    return re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)


def say(client, token: str, **payload):
    return client.post(API, json=payload, headers={"X-CSRFToken": token})


def test_page_renders_with_the_chat_and_its_assets(demo_site):
    html = demo_site.test_client().get("/playground").get_data(as_text=True)
    assert "ボットのプレイグラウンド" in html
    assert "bot/playground.js" in html and "bot/playground.css" in html and "data-pg-log" in html


def test_round_trip_returns_cards_like_the_line_carousel(demo_site):
    client = demo_site.test_client()
    token = csrf_token(client)
    welcome = say(client, token, kind="follow").get_json()
    assert any(c["label"] == "保護者" and c["data"] for c in welcome["quick_replies"])
    answer = say(client, token, kind="text", text="新着").get_json()
    [cards] = [m for m in answer["messages"] if m["type"] == "cards"]
    assert 1 <= len(cards["cards"]) <= 12
    first = cards["cards"][0]
    assert first["title"] and first["url"].startswith("https://testserver.local/r/")
    assert first["label_colour"].startswith("#")


def test_persona_postback_is_remembered_for_the_session(demo_site, session):
    from notifications.subscriptions import find_subscriber

    client = demo_site.test_client()
    token = csrf_token(client)
    say(client, token, kind="follow")
    answer = say(client, token, kind="postback", data="a=persona&p=parent")
    assert answer.status_code == 200
    with client.session_transaction() as flask_session:
        user = flask_session["playground_user"]
    assert find_subscriber(session, "playground", user).persona == "parent"


def test_post_without_csrf_token_is_refused(app):
    client = app.test_client()
    client.get("/playground")
    assert client.post(API, json={"kind": "text", "text": "新着"}).status_code == 400


@pytest.mark.parametrize("payload, message", [
    ({"kind": "text", "text": "   "}, "入力してください"),
    ({"kind": "text", "text": "あ" * 5001}, "5000文字以内"),
    ({"kind": "unfollow"}, "送れません"),
    ({"kind": "postback", "data": ""}, "ボタン"),
    ({"kind": "text", "text": ["list"]}, "形式"),
])
def test_bad_input_gets_a_japanese_400(app, payload, message):
    client = app.test_client()
    response = say(client, csrf_token(client), **payload)
    assert response.status_code == 400 and message in response.get_json()["message"]


@pytest.mark.parametrize("body", [
    b'{"kind": "text", "text": "\\ud800"}',                # a lone surrogate written as a JSON escape
    b'{"kind": "text", "text": "\xed\xb2\x80"}',          # the same as invalid UTF-8 bytes ("\udc80")
    b'{"kind": "postback", "data": "\\udc80"}',
    b'{"kind": "text", "text": "a\\u0000b"}',              # NUL: PostgreSQL refuses it in text
])
def test_unwritable_characters_get_a_japanese_400(app, body):
    client = app.test_client()
    response = client.post(API, data=body, content_type="application/json",
                           headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 400
    assert "使えない文字" in response.get_json()["message"]


def test_non_json_body_gets_a_japanese_400(app):
    client = app.test_client()
    response = client.post(API, data="x", headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 400 and "JSON" in response.get_json()["message"]


def test_production_hides_the_playground_from_visitors(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path / "prod", PRODUCTION=True)
    client = app.test_client()
    assert client.get("/playground").status_code == 404
    with client.session_transaction() as flask_session:
        flask_session["staff_id"] = 1  # a bare id is not a staff session
    assert client.get("/playground").status_code == 404
    with app.app_context():
        staff = create_account(db.session, "pg@example.jp", "職員", "ward", "correct horse battery", None)
        db.session.commit()
        with client.session_transaction() as flask_session:
            flask_session.update({auth.SESSION_KEY: staff.id, auth.FINGERPRINT_KEY: auth._fingerprint(staff),
                                  auth.LOGIN_TIME_KEY: int(time.time()), auth.VERSION_KEY: staff.session_version})
        assert client.get("/playground").status_code == 200
        accounts.end_sessions(db.session, staff)  # logged out elsewhere: the copied cookie stops working
        db.session.commit()
        assert client.get("/playground").status_code == 404


def test_playground_allowed_locally(app):
    with app.test_request_context("/playground"):
        assert playground_allowed() is True


# -- an http BASE_URL: LINE shows no photos, and neither does the preview -------------------------------
def test_with_an_http_base_url_the_preview_drops_photos_and_says_why(open_demo_app):
    with open_demo_app(BASE_URL="http://testserver.local") as app:
        client = app.test_client()
        html = client.get("/playground").get_data(as_text=True)
        assert "LINEでは記事の写真が表示されません" in html and "data-pg-photos-note" in html
        answer = say(client, csrf_token(client), kind="text", text="新着").get_json()
    [cards] = [m for m in answer["messages"] if m["type"] == "cards"]
    assert cards["cards"] and all(card["image_url"] is None for card in cards["cards"])


def test_with_an_https_base_url_the_preview_shows_photos_without_the_note(demo_site):
    client = demo_site.test_client()
    html = client.get("/playground").get_data(as_text=True)
    assert "data-pg-photos-note" not in html
    answer = say(client, csrf_token(client), kind="text", text="新着").get_json()
    [cards] = [m for m in answer["messages"] if m["type"] == "cards"]
    assert any((card["image_url"] or "").startswith("https://testserver.local/media/") for card in cards["cards"])
