"""A queued LINE webhook event → the core's platform-neutral IncomingMessage."""
from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

from core.logsafe import excerpt
from messages.replies import IncomingMessage, ReplyRoute

log = logging.getLogger(__name__)

# C0/C1 control characters other than tab and newline say nothing a search could use.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


def parse(payload: dict) -> Event | None:
    try:
        return Event.from_dict(payload)
    except (ValueError, TypeError) as exc:
        # Only an excerpt: the payload (and the error quoting it) comes from outside and may be huge.
        log.warning("LINE event %s could not be parsed: %s", excerpt(payload.get("webhookEventId"), 64), excerpt(exc))
        return None


def _route(event: Event) -> ReplyRoute:
    return ReplyRoute(
        channel="line",
        user_id=event.source.user_id,
        reply_token=getattr(event, "reply_token", None),
        received_at=datetime.fromtimestamp(event.timestamp / 1000, UTC),
    )


def to_incoming(event: Event, display_name: str = "") -> IncomingMessage | None:
    """The neutral message, or None for events the conversation does not handle."""
    if not isinstance(event.source, UserSource) or not event.source.user_id:
        return None
    base = {"route": _route(event), "event_id": event.webhook_event_id}
    if isinstance(event, MessageEvent):
        if not isinstance(event.message, TextMessageContent):
            log.debug("LINE %s message ignored (only text is understood)", event.message.type)
            return None
        return IncomingMessage(kind="text", text=clean_text(event.message.text), **base)
    if isinstance(event, PostbackEvent):
        return IncomingMessage(kind="postback", data=event.postback.data, **base)
    if isinstance(event, FollowEvent):
        return IncomingMessage(kind="follow", display_name=display_name, **base)
    if isinstance(event, UnfollowEvent):
        return IncomingMessage(kind="unfollow", **base)
    return None
