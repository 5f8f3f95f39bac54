"""``POST /callback``: the LINE webhook. Validates, de-duplicates, enqueues, answers 200.

The answer never waits for the conversation: the worker process runs the
queued events (``bot.line.jobs``), so LINE's 2-second limit is always met.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify, request

from bot.line import playground, webhook
from bot.line.intake import committer
from core.extensions import csrf

log = logging.getLogger(__name__)

bp = Blueprint("line", __name__)
webhook_bp = Blueprint("line_webhook", __name__)
# LINE signs its requests; it cannot send a CSRF token. The playground keeps CSRF.
csrf.exempt(webhook_bp)
bp.register_blueprint(webhook_bp)
bp.register_blueprint(playground.bp)


def _error(status: int, reason: str):
    return jsonify(error=reason), status


@webhook_bp.post("/callback")
def callback():
    secret = current_app.config.get("LINE_CHANNEL_SECRET")
    if not secret or not current_app.config.get("LINE_CHANNEL_ACCESS_TOKEN"):
        log.error("LINE webhook called but the LINE channel is off "
                  "(set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN)")
        return _error(503, "LINE channel is not configured")
    try:
        body = webhook.read_body(request.stream, request.content_length)
        text = webhook.verify_signature(body, request.headers.get("X-Line-Signature"), secret)
        events = webhook.parse_events(text)
    except webhook.WebhookError as exc:
        log.warning("LINE webhook refused (%s): %s", exc.status, exc.reason)
        return _error(exc.status, exc.reason)
    jobs = webhook.jobs_for(events)
    if jobs:
        committer.store("line", jobs)  # returns once stored; duplicates are skipped by the unique key
    log.debug("LINE webhook: %d event(s), %d queued", len(events), len(jobs))
    return Response(b'{"status":"ok"}', mimetype="application/json")
