"""Writing KPI events: the functions other parts of the service call.

Like every service here they take the caller's session and never commit, so
an event lands together with the change it counts (or not at all).

- the bot core, after ``notifications.subscriptions.follow/unfollow``:
  ``record_follow_result(session, result)`` / ``record_unfollow(session, subscriber)``
- the Discord bot: ``record_bot_event(session, "discord", "join")`` and
  ``record_bot_event(session, "discord", "command", label="/events")``
- any code: ``record_event(session, kind, channel=..., ...)``
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app, has_request_context, request
from sqlalchemy.orm import Session

from channels import links
from core.db import db, utcnow
from kpi import pageviews, salts
from kpi.metrics import (
    EVENT_COMMAND,
    EVENT_FOLLOW,
    EVENT_FRIEND_LINK,
    EVENT_JOIN,
    EVENT_REFOLLOW,
    EVENT_UNFOLLOW,
    jst_day,
)
from kpi.models import Click, KpiEvent

KINDS = (EVENT_FOLLOW, EVENT_UNFOLLOW, EVENT_REFOLLOW, EVENT_FRIEND_LINK, EVENT_JOIN, EVENT_COMMAND)
BOT_KINDS = {"join": EVENT_JOIN, "command": EVENT_COMMAND, "follow": EVENT_FOLLOW,
             "unfollow": EVENT_UNFOLLOW, "refollow": EVENT_REFOLLOW}


def record_event(session: Session, kind: str, *, channel: str = "", persona: str | None = None,
                 label: str | None = None, ref_id: int | None = None, value: int = 1,
                 at: datetime | None = None) -> KpiEvent:
    if kind not in KINDS:
        raise ValueError(f"unknown KPI event kind {kind!r}")
    moment = at or utcnow()
    event = KpiEvent(
        created_at=moment, day=jst_day(moment), kind=kind, channel=(channel or "")[:20],
        persona=(persona or "")[:20], label=(label or "")[:100], ref_id=ref_id, value=value,
    )
    session.add(event)
    return event


def record_bot_event(session: Session, channel: str, kind: str, *, label: str | None = None,
                     persona: str | None = None, ref_id: int | None = None) -> KpiEvent:
    """Bots: kind "join" (a member joined), "command" (label = command name), follow kinds."""
    if kind not in BOT_KINDS:
        raise ValueError(f"unknown bot event kind {kind!r}")
    return record_event(session, BOT_KINDS[kind], channel=channel, persona=persona, label=label, ref_id=ref_id)


def record_follow_result(session: Session, result) -> KpiEvent | None:
    """Count a ``notifications.subscriptions.FollowResult``: new → follow, restored → re-follow."""
    kind = {"new": EVENT_FOLLOW, "restored": EVENT_REFOLLOW}.get(result.state)
    if kind is None:
        return None
    subscriber = result.subscriber
    # The inflow source explains a first follow only; a re-follow has its own (unknown) reason.
    source = subscriber.inflow_source if kind == EVENT_FOLLOW else None
    return record_event(session, kind, channel=subscriber.channel, persona=subscriber.persona, label=source)


def record_unfollow(session: Session, subscriber) -> KpiEvent | None:
    if subscriber is None:
        return None
    return record_event(session, EVENT_UNFOLLOW, channel=subscriber.channel, persona=subscriber.persona)


def record_friend_link_open(session: Session, source_key: str, target: str) -> KpiEvent:
    return record_event(session, EVENT_FRIEND_LINK, channel=target, label=source_key)


def click_values(link: links.TrackedLink, moment: datetime | None = None) -> dict:
    moment = moment or utcnow()
    return {
        "created_at": moment, "day": jst_day(moment), "channel": link.channel,
        "broadcast_id": link.broadcast_id, "article_id": link.article_id,
        "campaign": links.campaign_name(link)[:50], "path": link.path.split("?")[0][:300],
        "recipient_hash": link.recipient_hash, "segment": (link.segment or "")[:60],
    }


def _clicker_hash(session: Session, day) -> str | None:
    """The day's salted visitor hash of the request (as for page views), to count people per day."""
    if not has_request_context() or pageviews.opted_out(request):
        return None
    salt = salts.salt_for(session.connection(), day)
    return salts.visitor_hash(salt, request.host, request.remote_addr or "", request.headers.get("User-Agent", ""))


def record_click(link: links.TrackedLink) -> None:
    """Receiver of ``core.signals.link_clicked``: one row per human click (link previewers are not people)."""
    if has_request_context() and pageviews.is_crawler(request.headers.get("User-Agent", "")):
        return
    session = db.new_session()
    try:
        values = click_values(link)
        session.add(Click(**values, visitor_hash=_clicker_hash(session, values["day"])))
        session.commit()
    except Exception:  # a lost click must never stop the redirect
        session.rollback()
        current_app.logger.exception("click not recorded")
    finally:
        session.close()
