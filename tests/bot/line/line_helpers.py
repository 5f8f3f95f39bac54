"""Helpers for the LINE adapter tests (constants, signed posts, queue inspection)."""
from __future__ import annotations

import json

from sqlalchemy import select

from bot.line.models import BotJob
from tests.standins.line_api import LineStandin
from tests.standins.line_webhook import sign, signed_request, webhook_body

CHANNEL_SECRET = "test-line-channel-secret"
ACCESS_TOKEN = "test-channel-access-token"
USER = "U" + "a1" * 16
OTHER_USER = "U" + "b2" * 16


def line_config(line: LineStandin) -> dict:
    return {
        "LINE_CHANNEL_SECRET": CHANNEL_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN,
        "LINE_API_BASE_URL": line.base_url,
        "BASE_URL": "https://testserver.local",
    }


def post_events(client, events: list[dict], secret: str = CHANNEL_SECRET):
    raw, headers = signed_request(webhook_body(events), secret)
    return client.post("/callback", data=raw, headers=headers)


def post_raw(client, raw: bytes, secret: str = CHANNEL_SECRET, **extra_headers):
    headers = {"Content-Type": "application/json", "X-Line-Signature": sign(raw, secret), **extra_headers}
    return client.post("/callback", data=raw, headers=headers)


def jobs(session, kind: str | None = None):
    session.expire_all()
    query = select(BotJob).order_by(BotJob.id)
    if kind:
        query = query.where(BotJob.kind == kind)
    return session.scalars(query).all()


def sent_messages(line: LineStandin, kind: str | None = None) -> list[dict]:
    return [m for sent in line.outbox if kind in (None, sent.kind) for m in sent.messages]


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
