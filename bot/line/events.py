"""A queued LINE webhook event → the core's platform-neutral IncomingMessage."""
from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from linebot.v3.webhooks import (
    AudioMessageContent,
    Event,
    FileMessageContent,
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
    VideoMessageContent,
)

from core.logsafe import excerpt
from messages.replies import IncomingMessage, ReplyRoute

log = logging.getLogger(__name__)

# C0/C1 control characters other than tab and newline say nothing a search could use.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


class UnknownMessage:
    """A message kind this SDK version does not know yet (LINE adds kinds): answered with help."""

    def __init__(self, type_: str) -> None:
        self.type = type_


def parse(payload: dict) -> Event | None:
    try:
        return Event.from_dict(payload)
    except (ValueError, TypeError) as exc:
        if payload.get("type") == "message" and isinstance(payload.get("message"), dict):
            return _message_of_unknown_kind(payload)
        # Only an excerpt: the payload (and the error quoting it) comes from outside and may be huge.
        log.warning("LINE event %s could not be parsed: %s", excerpt(payload.get("webhookEventId"), 64), excerpt(exc))
        return None


def _message_of_unknown_kind(payload: dict) -> Event | None:
    """The event with its message swapped for ``UnknownMessage`` (the rest is still checked)."""
    raw = payload["message"]
    placeholder = {"type": "text", "id": str(raw.get("id") or "0"), "text": "", "quoteToken": "-"}
    try:
        event = Event.from_dict({**payload, "message": placeholder})
    except (ValueError, TypeError) as exc:
        log.warning("LINE event %s could not be parsed: %s", excerpt(payload.get("webhookEventId"), 64), excerpt(exc))
        return None
    # The SDK's models validate assignments; the placeholder must not pass for a text message.
    object.__setattr__(event, "message", UnknownMessage(str(raw.get("type") or "?")))
    return event


def _route(event: Event) -> ReplyRoute:
    return ReplyRoute(
        channel="line",
        user_id=event.source.user_id,
        reply_token=getattr(event, "reply_token", None),
        received_at=datetime.fromtimestamp(event.timestamp / 1000, UTC),
    )


_MEDIA = {StickerMessageContent: "sticker", ImageMessageContent: "image", VideoMessageContent: "video",
          AudioMessageContent: "audio", FileMessageContent: "file"}


def _message(content, base: dict) -> IncomingMessage:
    """Every message kind becomes something the conversation answers (never silence)."""
    if isinstance(content, TextMessageContent):
        return IncomingMessage(kind="text", text=clean_text(content.text), **base)
    if isinstance(content, LocationMessageContent):
        return IncomingMessage(kind="location", latitude=content.latitude, longitude=content.longitude,
                               text=clean_text(content.title or content.address or ""), **base)
    media = next((name for cls, name in _MEDIA.items() if isinstance(content, cls)), None)
    if media is not None:
        return IncomingMessage(kind="media", media_type=media, **base)
    log.info("LINE %s message answered with help (kind not understood)", getattr(content, "type", "?"))
    return IncomingMessage(kind="unsupported", **base)


def to_incoming(event: Event, display_name: str = "") -> IncomingMessage | None:
    """The neutral message, or None for events the conversation does not handle."""
    if not isinstance(event.source, UserSource) or not event.source.user_id:
        return None
    base = {"route": _route(event), "event_id": event.webhook_event_id}
    if isinstance(event, MessageEvent):
        return _message(event.message, base)
    if isinstance(event, PostbackEvent):
        return IncomingMessage(kind="postback", data=event.postback.data, **base)
    if isinstance(event, FollowEvent):
        return IncomingMessage(kind="follow", display_name=display_name, **base)
    if isinstance(event, UnfollowEvent):
        return IncomingMessage(kind="unfollow", **base)
    return None
