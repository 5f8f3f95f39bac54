"""The bot playground: chat with the same core as LINE, in the browser, without LINE.

``GET /playground`` shows a LINE-like chat; ``POST /playground/api/message``
(JSON, CSRF-protected) runs one turn and answers the neutral BotResponse as
JSON, which the page draws as bubbles, Flex-like carousels and quick replies.
Open locally; in production only to signed-in staff.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, jsonify, render_template, request, session

from bot.core import engine
from bot.line import limits
from bot.line.flex import photos_dropped_warning
from bot.line.playground_render import response_json
from core.db import db, utcnow
from messages.replies import IncomingMessage, ReplyRoute
from staff.auth import current_staff

bp = Blueprint("playground", __name__, url_prefix="/playground")
CHANNEL = "playground"
SESSION_KEY = "playground_user"
KINDS = ("text", "postback", "follow")


def playground_allowed() -> bool:
    """Locally always; in production only for a signed-in staff member (a valid, unrevoked session)."""
    if not current_app.config.get("PRODUCTION"):
        return True
    return current_staff() is not None


@bp.before_request
def _gate():
    if not playground_allowed():
        abort(404)


def _user_id() -> str:
    if SESSION_KEY not in session:
        session[SESSION_KEY] = "pg-" + secrets.token_hex(12)
    return session[SESSION_KEY]


@bp.get("")
def page():
    dropped = photos_dropped_warning(current_app.config.get("BASE_URL") or "") is not None
    return render_template("bot/playground.html", photos_dropped=dropped)


def _bad(message: str):
    return jsonify(error="bad_request", message=message), 400


def _writable(value: str) -> bool:
    """No lone surrogates (not encodable, LINE never sends them) and no NUL (PostgreSQL refuses it)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def _incoming(payload: dict) -> IncomingMessage | str:
    """The message described by the request, or a Japanese error."""
    kind = payload.get("kind", "text")
    if kind not in KINDS:
        return "この種類のメッセージは送れません。"
    text, data = payload.get("text", ""), payload.get("data", "")
    if not isinstance(text, str) or not isinstance(data, str):
        return "メッセージの形式が正しくありません。"
    if not _writable(text) or not _writable(data):
        return "メッセージに使えない文字が含まれています。"
    if kind == "text" and not text.strip():
        return "メッセージを入力してください。"
    if limits.utf16_len(text) > limits.TEXT_MAX:
        return f"メッセージは{limits.TEXT_MAX}文字以内にしてください。"
    if kind == "postback" and not 0 < len(data) <= limits.POSTBACK_DATA_MAX:
        return "ボタンのデータが正しくありません。"
    route = ReplyRoute(channel=CHANNEL, user_id=_user_id(), received_at=utcnow())
    return IncomingMessage(kind=kind, route=route, text=text.strip(), data=data,
                           display_name="プレイグラウンド" if kind == "follow" else "")


@bp.post("/api/message")
def message():
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return _bad("JSON形式で送ってください。")
    incoming = _incoming(payload)
    if isinstance(incoming, str):
        return _bad(incoming)
    # The core never raises (failures come back as a polite reply); the caller commits.
    response = engine.handle(db.session, incoming, current_app.config)
    db.session.commit()
    return jsonify(response_json(response))
