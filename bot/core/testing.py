"""A collecting fake adapter and a limits validator, for tests of the core and of adapters.

    bot = FakeAdapter(db.session, app.config)          # channel "line" by default
    bot.follow("U1", display_name="花子")
    bot.tap("U1", bot.choice("保護者"))
    bot.send_text("U1", "新着を教えて")
    bot.last_cards()  # → tuple of Card

Every collected response is checked with ``violations`` (platform limits); a
violation raises ``AssertionError`` at once, so no test can produce an
over-long label or payload without noticing.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.core import engine
from core.db import utcnow
from messages import limits, postback
from messages.replies import (
    BotResponse,
    Card,
    Cards,
    Choice,
    Confirm,
    IncomingMessage,
    ReplyRoute,
    Text,
)


def _choice_problems(choice: Choice, where: str, allow_url: bool = True) -> list[str]:
    problems = []
    set_fields = [f for f in ("data", "text", "url") if getattr(choice, f)]
    if len(set_fields) != 1:
        problems.append(f"{where}: exactly one of data/text/url must be set, got {set_fields}")
    if not choice.label or len(choice.label) > limits.MAX_LABEL:
        problems.append(f"{where}: label {choice.label!r} must be 1-{limits.MAX_LABEL} characters")
    if choice.data is not None and (len(choice.data) > limits.MAX_DATA or postback.decode(choice.data) is None):
        problems.append(f"{where}: postback data invalid or longer than {limits.MAX_DATA}: {choice.data[:60]!r}")
    for name in ("text", "display_text"):
        value = getattr(choice, name)
        if value is not None and not 0 < len(value) <= limits.MAX_DISPLAY_TEXT:
            problems.append(f"{where}: {name} must be 1-{limits.MAX_DISPLAY_TEXT} characters")
    if choice.url is not None and not allow_url:
        problems.append(f"{where}: quick replies cannot open URLs")
    if choice.url is not None and urlsplit(choice.url).scheme not in ("http", "https"):
        problems.append(f"{where}: url must be absolute http(s)")
    return problems


def _card_problems(card: Card, where: str) -> list[str]:
    problems = []
    if not card.title or len(card.title) > limits.MAX_CARD_TITLE:
        problems.append(f"{where}: title must be 1-{limits.MAX_CARD_TITLE} characters")
    if len(card.body) > limits.MAX_CARD_BODY:
        problems.append(f"{where}: body longer than {limits.MAX_CARD_BODY}")
    if not card.button_label or len(card.button_label) > limits.MAX_LABEL:
        problems.append(f"{where}: button label must be 1-{limits.MAX_LABEL} characters")
    for name in ("url", "image_url"):
        value = getattr(card, name)
        if (value is not None or name == "url") and urlsplit(value or "").scheme not in ("http", "https"):
            problems.append(f"{where}: {name} must be an absolute http(s) URL")
    for i, button in enumerate(card.extra_buttons):
        problems += _choice_problems(button, f"{where}.extra_buttons[{i}]")
    return problems


def _message_problems(message, where: str) -> list[str]:
    if isinstance(message, Text):
        if not message.text or limits.utf16_len(message.text) > limits.MAX_TEXT_UTF16:
            return [f"{where}: text must be 1-{limits.MAX_TEXT_UTF16} UTF-16 units"]
        return []
    if isinstance(message, Cards):
        problems = [] if 0 < len(message.cards) <= limits.MAX_CARDS else [f"{where}: 1-{limits.MAX_CARDS} cards"]
        if not message.alt_text or len(message.alt_text) > limits.MAX_ALT_TEXT:
            problems.append(f"{where}: alt_text must be 1-{limits.MAX_ALT_TEXT} characters")
        for i, card in enumerate(message.cards):
            problems += _card_problems(card, f"{where}.cards[{i}]")
        return problems
    if isinstance(message, Confirm):
        problems = [] if 0 < len(message.text) <= limits.MAX_CONFIRM_TEXT else [f"{where}: confirm text too long"]
        return problems + _choice_problems(message.yes, f"{where}.yes") + _choice_problems(message.no, f"{where}.no")
    return [f"{where}: unknown reply type {type(message).__name__}"]


def violations(response: BotResponse) -> list[str]:
    """Every platform limit the response breaks (empty list = fine for LINE and Discord)."""
    problems = []
    if len(response.messages) > limits.MAX_MESSAGES:
        problems.append(f"more than {limits.MAX_MESSAGES} messages")
    if len(response.quick_replies) > limits.MAX_QUICK_REPLIES:
        problems.append(f"more than {limits.MAX_QUICK_REPLIES} quick replies")
    if response.quick_replies and response.is_empty:
        problems.append("quick replies need a message to attach to")
    for i, message in enumerate(response.messages):
        problems += _message_problems(message, f"messages[{i}]")
    for i, choice in enumerate(response.quick_replies):
        problems += _choice_problems(choice, f"quick_replies[{i}]", allow_url=False)
    return problems


def assert_valid(response: BotResponse) -> BotResponse:
    problems = violations(response)
    assert not problems, "bot response breaks platform limits:\n" + "\n".join(problems)
    return response


@dataclass
class Exchange:
    user: str
    incoming: IncomingMessage
    response: BotResponse


class FakeAdapter:
    """Drives the core like a platform would, and remembers every exchange."""

    def __init__(self, session, config: Mapping, channel: str = "line",
                 handler: Callable[..., BotResponse] | None = None) -> None:
        self.session, self.config, self.channel = session, config, channel
        self.handler = handler or engine.handle
        self.exchanges: list[Exchange] = []
        self._ids = itertools.count(1)

    # --- sending -----------------------------------------------------------------
    def send(self, user: str, kind: str, **fields) -> BotResponse:
        route = ReplyRoute(channel=self.channel, user_id=user, reply_token=f"token-{next(self._ids)}",
                           received_at=utcnow())
        incoming = IncomingMessage(kind=kind, route=route, event_id=f"event-{next(self._ids)}", **fields)
        response = assert_valid(self.handler(self.session, incoming, self.config))
        self.session.commit()  # like a real adapter: the core leaves committing to its caller
        self.exchanges.append(Exchange(user, incoming, response))
        return response

    def send_text(self, user: str, text: str) -> BotResponse:
        return self.send(user, "text", text=text)

    def postback(self, user: str, data: str, display_name: str = "") -> BotResponse:
        return self.send(user, "postback", data=data, display_name=display_name)

    def tap(self, user: str, choice: Choice) -> BotResponse:
        """What a platform does when the user taps a choice."""
        if choice.data is not None:
            return self.postback(user, choice.data)
        if choice.text is not None:
            return self.send_text(user, choice.text)
        raise AssertionError(f"choice {choice.label!r} opens a URL; nothing is sent to the bot")

    def follow(self, user: str, display_name: str = "", inflow_source: str | None = None) -> BotResponse:
        return self.send(user, "follow", display_name=display_name, inflow_source=inflow_source)

    def unfollow(self, user: str) -> BotResponse:
        return self.send(user, "unfollow")

    # --- reading -----------------------------------------------------------------
    @property
    def last(self) -> BotResponse:
        assert self.exchanges, "nothing was sent yet"
        return self.exchanges[-1].response

    @property
    def responses(self) -> list[BotResponse]:
        return [exchange.response for exchange in self.exchanges]

    def last_texts(self) -> list[str]:
        return [m.text for m in self.last.messages if isinstance(m, Text)]

    def last_text(self) -> str:
        return "\n".join(self.last_texts())

    def last_cards(self) -> tuple[Card, ...]:
        return tuple(card for m in self.last.messages if isinstance(m, Cards) for card in m.cards)

    def last_confirm(self) -> Confirm | None:
        return next((m for m in self.last.messages if isinstance(m, Confirm)), None)

    def last_choices(self) -> list[Choice]:
        """Quick replies plus confirm answers and card buttons of the last response."""
        confirm = self.last_confirm()
        answers = [confirm.yes, confirm.no] if confirm else []
        buttons = [b for card in self.last_cards() for b in card.extra_buttons]
        return list(self.last.quick_replies) + answers + buttons

    def last_labels(self) -> list[str]:
        return [choice.label for choice in self.last_choices()]

    def choice(self, label_part: str) -> Choice:
        """The single last-response choice whose label contains ``label_part``."""
        found = [c for c in self.last_choices() if label_part in c.label]
        assert len(found) == 1, f"{len(found)} choices match {label_part!r}: {self.last_labels()}"
        return found[0]
