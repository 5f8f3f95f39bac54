"""``POST /callback``: the LINE webhook. Validates, de-duplicates, enqueues, answers 200.

The answer never waits for the conversation: the worker process runs the
queued events (``bot.line.jobs``), so LINE's 2-second limit is always met.
"""
from __future__ import annotations

import json
import logging
from http import HTTPStatus

from flask import Blueprint

from bot.line import playground, webhook
from bot.line.intake import committer
from core.raw_endpoints import RawResponse

log = logging.getLogger(__name__)

bp = Blueprint("line", __name__)
bp.register_blueprint(playground.bp)


def _answer(status: str, reason: str | None = None) -> RawResponse:
    body = b'{"status":"ok"}' if reason is None else json.dumps({"error": reason}).encode()
    return RawResponse(status, body, headers=(("Cache-Control", "no-store"),))


def callback(app):
    """The ``POST /callback`` handler, answered outside Flask's request machinery (core.raw_endpoints)."""

    def handle(environ: dict) -> RawResponse:
        secret = app.config.get("LINE_CHANNEL_SECRET")
        if not secret or not app.config.get("LINE_CHANNEL_ACCESS_TOKEN"):
            log.error("LINE webhook called but the LINE channel is off "
                      "(set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN)")
            return _answer("503 SERVICE UNAVAILABLE", "LINE channel is not configured")
        try:
            body = webhook.read_body(environ["wsgi.input"], _content_length(environ))
            text = webhook.verify_signature(body, environ.get("HTTP_X_LINE_SIGNATURE"), secret)
            events = webhook.parse_events(text)
        except webhook.WebhookError as exc:
            log.warning("LINE webhook refused (%s): %s", exc.status, exc.reason)
            return _answer(f"{exc.status} {HTTPStatus(exc.status).phrase.upper()}", exc.reason)
        jobs = webhook.jobs_for(events)
        if jobs:
            try:
                committer.store("line", jobs)  # returns once stored; duplicates are skipped by the unique key
            except Exception:  # the database is unreachable: LINE redelivers on a non-2xx answer
                log.exception("LINE webhook: %d event(s) could not be stored", len(jobs))
                return _answer("503 SERVICE UNAVAILABLE", "events could not be stored; please redeliver")
        log.debug("LINE webhook: %d event(s), %d queued", len(events), len(jobs))
        return _answer("200 OK")

    return handle


def _content_length(environ: dict) -> int | None:
    try:
        return int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
