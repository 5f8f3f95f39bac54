"""Attribution carried from a tracked link to an action (registration, contact, application).

``/r/<token>`` sets one first-party reference ``mz_ref``: signed with SECRET_KEY,
HttpOnly, SameSite=Lax, 7 days. It holds only what the link itself said —
channel, broadcast, article, audience segment — for the first and the last
tracked link opened in those 7 days, never who the person is, so no consent
banner is needed (README, "KPI"). Forms read it through ``request_touches``
and write it with ``stamp`` onto any row with ``core.touch_columns.TouchColumns``.

In a chat the person is known to the bot: the chat's own channel is the touch,
and a per-user link tapped in that chat (channels.links, ``recipient``) within 7 days
adds its broadcast and article (``chat_touches``).
"""
from __future__ import annotations

import time
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta

from flask import Response, current_app, has_request_context, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels import registry
from channels.links import TrackedLink, hash_recipient
from core.db import utcnow
from core.touch_columns import TOUCH_FIELDS
from kpi import sources
from kpi.models import Click

COOKIE = "mz_ref"
SALT = "attribution-ref-v1"
LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class Touch:
    channel: str
    broadcast_id: int | None = None
    article_id: int | None = None
    segment: str | None = None

    @classmethod
    def from_link(cls, link: TrackedLink) -> Touch:
        return cls(link.channel, link.broadcast_id, link.article_id, link.segment)


@dataclass(frozen=True)
class Touches:
    first: Touch
    last: Touch


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def _touch(raw) -> Touch | None:
    try:
        channel, broadcast_id, article_id, segment = raw
    except (TypeError, ValueError):
        return None
    if channel not in registry.names() or not all(isinstance(v, int | None) for v in (broadcast_id, article_id)):
        return None
    return Touch(channel, broadcast_id, article_id, segment if isinstance(segment, str) else None)


def read_reference(secret_key: str, value: str | None, now: float | None = None) -> tuple[Touches, float] | None:
    """(touches, when the first touch happened) from a cookie value; None if absent, forged or expired."""
    if not value or len(value) > 1000:
        return None
    try:
        data = _serializer(secret_key).loads(value, max_age=int(LIFETIME.total_seconds()))
        first, last, first_at = _touch(data["f"]), _touch(data["l"]), float(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if last is None:
        return None
    if first is None or (now or time.time()) - first_at > LIFETIME.total_seconds():
        first, first_at = last, now or time.time()  # the first touch is older than 7 days: forgotten
    return Touches(first, last), first_at


def reference_value(secret_key: str, touches: Touches, first_at: float) -> str:
    return _serializer(secret_key).dumps({"f": list(astuple(touches.first)), "l": list(astuple(touches.last)),
                                          "t": round(first_at)})


def remember(response: Response, link: TrackedLink) -> Response:
    """Called by the tracked-link redirect: keep the first touch, replace the last."""
    secret = current_app.config["SECRET_KEY"]
    touch, now = Touch.from_link(link), time.time()
    earlier = read_reference(secret, request.cookies.get(COOKIE), now)
    first, first_at = (earlier[0].first, earlier[1]) if earlier else (touch, now)
    response.set_cookie(COOKIE, reference_value(secret, Touches(first, touch), first_at),
                        max_age=int(LIFETIME.total_seconds()), httponly=True, samesite="Lax",
                        secure=request.is_secure, path="/")
    return response


def request_touches() -> Touches | None:
    """The touches of the current web request (None outside a request or without a reference)."""
    if not has_request_context():
        return None
    found = read_reference(current_app.config["SECRET_KEY"], request.cookies.get(COOKIE))
    return found[0] if found else None


def stamp(row, touches: Touches | None) -> None:
    """Write first/last touch onto a row with TouchColumns (nothing when there is no touch)."""
    if touches is None:
        return
    for prefix, touch in (("first_touch_", touches.first), ("last_touch_", touches.last)):
        for field in TOUCH_FIELDS:
            setattr(row, prefix + field, getattr(touch, field))


def stamp_from_request(_session: Session, row) -> None:
    """``before_commit`` hook for web forms: the reference set by /r/<token>, if any."""
    stamp(row, request_touches())


def chat_touches(session: Session, channel: str, user_id: str, now: datetime | None = None) -> Touches:
    """Touches of a chat action: per-user links this person opened in 7 days, else the chat itself."""
    persona = sources.persona_of(session, channel, user_id)
    secret = current_app.config["SECRET_KEY"]
    since = (now or utcnow()) - LIFETIME
    clicks = session.execute(
        select(Click.channel, Click.broadcast_id, Click.article_id, Click.segment)
        .where(Click.recipient_hash == hash_recipient(secret, user_id), Click.created_at >= since)
        .order_by(Click.created_at, Click.id)
    ).all()
    segment = f"persona:{persona}" if persona else None
    if not clicks:
        touch = Touch(channel, None, None, segment)
        return Touches(touch, touch)
    first, last = (Touch(c, b, a, s or segment) for c, b, a, s in (clicks[0], clicks[-1]))
    return Touches(first, last)


def on_action_recorded(row, *, session: Session, user_id: str | None = None, channel: str | None = None) -> None:
    """Receiver of ``core.signals.action_recorded``: a chat user's touches, else the web reference."""
    if user_id and channel:
        stamp(row, chat_touches(session, channel, user_id))
    elif has_request_context():
        stamp(row, request_touches())


def chat_stamper(channel: str, user_id: str):
    """``before_commit`` hook for a chat registration or request."""
    def stamp_chat(session: Session, row) -> None:
        stamp(row, chat_touches(session, channel, user_id))
    return stamp_chat


def persona_of_segment(segment: str | None) -> str:
    """The persona a segment names ("persona:student" → "student"), else "" (also for "persona:none")."""
    return sources.segment_persona(segment) or ""
