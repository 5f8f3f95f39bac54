"""Platform-neutral messages: what adapters hand to the core and what it answers.

Adapters (LINE, Discord, the web playground, the test fake) normalise a
platform event into an ``IncomingMessage`` and render the core's ``BotResponse``
(texts, article cards, quick-reply choices, confirmations) in their own
format: LINE Flex / quick replies, Discord embeds / components, HTML bubbles.
This module must never import ``linebot`` or ``discord``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# "media": a sticker, image, video, audio or file (``media_type`` says which); "location": a map pin;
# "unsupported": any other message kind the platform may add (answered with help, never ignored).
IncomingKind = Literal["text", "postback", "follow", "unfollow", "media", "location", "unsupported"]
MEDIA_TYPES = ("sticker", "image", "video", "audio", "file")


@dataclass(frozen=True)
class ReplyRoute:
    """Where an answer goes: the adapter uses it to reply (or push when stale)."""

    channel: str  # "line" | "discord" | "playground" | "fake"
    user_id: str  # platform user id (LINE userId, Discord user id, playground session id)
    reply_token: str | None = None  # LINE reply token / Discord interaction token
    conversation_id: str | None = None  # Discord channel id, when relevant
    received_at: datetime | None = None


@dataclass(frozen=True)
class IncomingMessage:
    kind: IncomingKind
    route: ReplyRoute
    text: str = ""  # the user's text (kind "text")
    data: str = ""  # postback payload (kind "postback"), e.g. "a=topic&t=workshops"
    display_name: str = ""
    event_id: str | None = None  # platform event id, for de-duplication
    inflow_source: str | None = None  # how a new friend arrived (follow only)
    media_type: str = ""  # kind "media": one of MEDIA_TYPES
    latitude: float | None = None  # kind "location"
    longitude: float | None = None

    @property
    def channel(self) -> str:
        return self.route.channel

    @property
    def user_id(self) -> str:
        return self.route.user_id


@dataclass(frozen=True)
class Choice:
    """A quick-reply / button choice. Exactly one of data, text, url is set."""

    label: str  # ≤ 20 characters (LINE limit); adapters may shorten further
    data: str | None = None  # postback payload (≤ 300 characters)
    text: str | None = None  # sent as if the user typed it
    url: str | None = None  # opens a (tracked) link
    display_text: str | None = None  # what the chat shows when a postback is tapped


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Card:
    """An article or event card (LINE Flex bubble / Discord embed)."""

    title: str
    url: str  # tracked link
    label: str = ""  # category label, e.g. 特集記事
    body: str = ""  # summary or event details
    image_url: str | None = None
    button_label: str = "記事を読む"
    extra_buttons: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Cards:
    cards: tuple[Card, ...]
    alt_text: str  # plain text shown in notifications and on devices without Flex


@dataclass(frozen=True)
class Confirm:
    """A yes/no question (LINE confirm template / Discord buttons)."""

    text: str
    yes: Choice
    no: Choice


Reply = Text | Cards | Confirm


@dataclass
class BotResponse:
    messages: list[Reply] = field(default_factory=list)
    quick_replies: list[Choice] = field(default_factory=list)

    def add(self, *replies: Reply) -> BotResponse:
        self.messages.extend(replies)
        return self

    @property
    def is_empty(self) -> bool:
        return not self.messages
