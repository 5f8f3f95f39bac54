"""BotResponse → LINE message objects (plain dicts in Messaging API JSON).

Every limit of the Messaging API is enforced here, so whatever the core
answers, LINE never sees a request it would refuse with a 400.
"""
from __future__ import annotations

import logging

from bot.line import limits
from bot.line.actions import action
from bot.line.flex import carousel_message
from messages.replies import BotResponse, Cards, Choice, Confirm, Reply, Text

log = logging.getLogger(__name__)


def quick_reply(choices: list[Choice]) -> dict | None:
    # Quick reply buttons cannot open links on LINE; such choices belong on cards.
    actions = [a for a in (action(c) for c in choices if c.url is None) if a]
    if len(actions) > limits.QUICK_REPLY_ITEMS_MAX:
        log.warning("quick replies cut from %d to %d", len(actions), limits.QUICK_REPLY_ITEMS_MAX)
    items = [{"type": "action", "action": a} for a in actions[: limits.QUICK_REPLY_ITEMS_MAX]]
    return {"items": items} if items else None


def text_message(reply: Text) -> dict | None:
    if not reply.text.strip():
        return None
    return {"type": "text", "text": limits.truncate(reply.text, limits.TEXT_MAX)}


def confirm_message(reply: Confirm) -> dict | None:
    yes, no = action(reply.yes), action(reply.no)
    if yes is None or no is None:
        return text_message(Text(reply.text))
    text = limits.truncate(limits.non_empty(reply.text), limits.CONFIRM_TEXT_MAX)
    return {
        "type": "template",
        "altText": limits.truncate(limits.non_empty(reply.text), limits.TEMPLATE_ALT_TEXT_MAX),
        "template": {"type": "confirm", "text": text, "actions": [yes, no]},
    }


def render_reply(reply: Reply) -> dict | None:
    if isinstance(reply, Text):
        return text_message(reply)
    if isinstance(reply, Cards):
        return carousel_message(reply)
    if isinstance(reply, Confirm):
        return confirm_message(reply)
    log.warning("unknown reply type %s not rendered", type(reply).__name__)
    return None


def render(response: BotResponse) -> list[dict]:
    """At most five LINE messages; the quick replies ride on the last one."""
    messages = [m for m in (render_reply(r) for r in response.messages) if m]
    if len(messages) > limits.MESSAGES_PER_REQUEST:
        log.warning("reply cut from %d to %d messages", len(messages), limits.MESSAGES_PER_REQUEST)
        messages = messages[: limits.MESSAGES_PER_REQUEST]
    quick = quick_reply(response.quick_replies)
    if quick and messages:
        messages[-1]["quickReply"] = quick
    return messages
