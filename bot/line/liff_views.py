"""The LIFF pages (``/liff/settings``, ``/liff/register``) and their JSON endpoints.

A page is plain HTML with a server nonce; ``static/js/liff.js`` gets the ID token from
the LIFF SDK and posts it to ``…/identify``, which verifies it with LINE and answers a
signed ticket plus the friend's current data. The form is submitted with that ticket.
Outside LINE (or when verification fails) the page shows the web form / a note instead.
"""
from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, url_for

from bot.line import liff_forms
from bot.line.liff_identity import LiffIdentityError, identify, issue_nonce, liff_enabled, ticket_for, user_of_ticket
from core.db import db
from core.extensions import csrf
from events import party
from events import queries as event_queries
from events import service as event_service
from events.forms import HINTS, new_submission_key
from events.service import RegistrationError
from notifications.topics import CHILD_STAGES, PERSONAS, QUIET_PREFS, TOPICS

log = logging.getLogger(__name__)

bp = Blueprint("liff", __name__, url_prefix="/liff")
# The JSON endpoints are called by our page with a ticket only a LINE-verified ID token can
# obtain; a cross-site form cannot get one, so a CSRF token adds nothing here.
csrf.exempt(bp)


# The site's policy (web/security_headers.py) plus what a LIFF page needs: the LIFF SDK script from
# LIFF_SDK_URL's host, and the SDK's own calls to LINE. Still no inline script or style.
LIFF_SDK_CONNECT = "https://*.line.me https://*.line-scdn.net"


def liff_csp(sdk_url: str) -> str:
    parts = urlsplit(sdk_url)
    sdk_origin = f"{parts.scheme}://{parts.netloc}"
    return "; ".join([
        "default-src 'self'", f"script-src 'self' {sdk_origin}", "style-src 'self'", "img-src 'self' data: https:",
        "font-src 'self'", f"connect-src 'self' {LIFF_SDK_CONNECT} {sdk_origin}", "object-src 'none'",
        "base-uri 'self'", "form-action 'self'", "frame-ancestors 'self'",
    ])


def _page(template: str, form: str, **context) -> Response:
    nonce = issue_nonce(db.session, form) if liff_enabled(current_app.config) else ""
    db.session.commit()
    html = render_template(template, nonce=nonce, sdk_url=current_app.config["LIFF_SDK_URL"],
                           liff_id=_liff_id(form), **context)
    response = Response(html)
    response.headers["Cache-Control"] = "no-store"  # every load carries its own nonce
    response.headers["Content-Security-Policy"] = liff_csp(current_app.config["LIFF_SDK_URL"])
    return response


def _liff_id(key: str) -> str:
    from bot.line.models import LiffApp

    row = db.session.get(LiffApp, key)
    return row.liff_id if row is not None else ""


UNAVAILABLE_REASONS = {"liff-off", "verify-unreachable", "verify-failed"}


def _refused(exc: LiffIdentityError) -> tuple[Response, int]:
    log.info("LIFF identity refused: %s", exc.reason)
    status = 503 if exc.reason in UNAVAILABLE_REASONS else 403  # ours/LINE's trouble vs. a bad token
    return jsonify(ok=False, message=exc.message, reason=exc.reason), status


def _json_body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


# -- 受信設定 ---------------------------------------------------------------------------------------------


@bp.get("/settings")
def settings_page():
    return _page("liff/settings.html", "settings", topics=TOPICS, personas=PERSONAS,
                 child_stages=CHILD_STAGES, quiet_prefs=QUIET_PREFS)


@bp.post("/settings/identify")
def settings_identify():
    body = _json_body()
    try:
        who = identify(db.session, current_app.config, body.get("id_token"), body.get("nonce"), "settings")
    except LiffIdentityError as exc:
        return _refused(exc)
    subscriber = liff_forms.subscriber_for(db.session, who.user_id, who.name)
    state = liff_forms.settings_state(subscriber)
    db.session.commit()
    return jsonify(ok=True, ticket=ticket_for(current_app.config, who, "settings"), settings=state)


@bp.post("/settings/save")
def settings_save():
    body = _json_body()
    try:
        user_id = user_of_ticket(current_app.config, body.get("ticket"), "settings")
        subscriber = liff_forms.save_settings(db.session, user_id, body)
    except LiffIdentityError as exc:
        return _refused(exc)
    except liff_forms.FormProblem as exc:
        return jsonify(ok=False, field=exc.field, message=exc.message), 422
    return jsonify(ok=True, message="受信設定を保存しました。トークにも内容をお送りしました。",
                   settings=liff_forms.settings_state(subscriber))


# -- event registration -------------------------------------------------------------------------------


def _event_id_from_request() -> int | None:
    """``?event=5``, or inside LIFF's first redirect ``?liff.state=%3Fevent%3D5``."""
    raw = request.args.get("event")
    if raw is None and request.args.get("liff.state"):
        state = request.args["liff.state"].lstrip("?/")
        raw = (parse_qs(state).get("event") or [None])[0]
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def _public_event(event_id: object):
    if not isinstance(event_id, int) or isinstance(event_id, bool):
        return None
    return event_queries.public_event(db.session, event_id)


@bp.get("/register")
def register_page():
    event = _public_event(_event_id_from_request())
    if event is None:
        abort(404)
    return _page("liff/register.html", "register", event=event, hints=HINTS,
                 purpose_of_use=event_service.PURPOSE_OF_USE, is_open=event_service.is_open(event),
                 seats=event_service.remaining_seats(db.session, event),
                 max_participants=party.max_people(event), party_rules=party.rules_text(event),
                 takes_children=party.takes_children(event), submission_key=new_submission_key(),
                 web_form_url=url_for("events.detail", event_id=event.id))


@bp.post("/register/<int:event_id>/identify")
def register_identify(event_id: int):
    body = _json_body()
    event = _public_event(event_id)
    if event is None:
        return jsonify(ok=False, message="イベントが見つかりません。"), 404
    try:
        who = identify(db.session, current_app.config, body.get("id_token"), body.get("nonce"), "register")
    except LiffIdentityError as exc:
        return _refused(exc)
    found = liff_forms.registration_prefill(db.session, who.user_id, event, who.name)
    return jsonify(ok=True, ticket=ticket_for(current_app.config, who, "register"), **found)


@bp.post("/register/<int:event_id>")
def register_submit(event_id: int):
    body = _json_body()
    event = _public_event(event_id)
    if event is None:
        return jsonify(ok=False, message="イベントが見つかりません。"), 404
    try:
        user_id = user_of_ticket(current_app.config, body.get("ticket"), "register")
        given = liff_forms.read_registration(event, body)
        registration = liff_forms.register_for_event(db.session, event, user_id, given)
    except LiffIdentityError as exc:
        return _refused(exc)
    except liff_forms.FormProblem as exc:
        return jsonify(ok=False, field=exc.field, message=exc.message), 422
    except RegistrationError as exc:
        field = {"participants": "adults"}.get(exc.code, exc.code)
        return jsonify(ok=False, field=field, message=exc.message), 409 if exc.code in (
            "duplicate", "closed", "past", "not_found") else 422
    liff_forms.confirm_registration(db.session, user_id, registration)
    return jsonify(ok=True, status=registration.status, message=liff_forms.registration_summary(registration))
