"""One conversation turn through the shared core, run in a worker thread.

Besides the core's answer it reports which server roles must change: when a
turn switches topics on or off (``/subscribe``, the 受信設定 buttons, a
persona, data deletion), the roles mapped to those topics follow.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot.core import engine
from bot.discord import metrics, settings
from messages import postback
from messages.replies import BotResponse, IncomingMessage
from notifications.subscriptions import find_subscriber

CHANNEL = "discord"
TOPIC_ACTIONS = {"topic", "persona", "reset", "erase"}


@dataclass
class TurnOutcome:
    response: BotResponse
    role_changes: dict[str, bool] = field(default_factory=dict)  # role id → should the member have it


def topics_of(session: Session, user_id: str) -> set[str]:
    subscriber = find_subscriber(session, CHANNEL, user_id)
    return set(subscriber.topics) if subscriber is not None else set()


def changes_topics(message: IncomingMessage) -> bool:
    if message.kind != "postback":
        return False
    parsed = postback.decode(message.data)
    return parsed is not None and parsed.action in TOPIC_ACTIONS


def role_changes(session: Session, before: set[str], after: set[str]) -> dict[str, bool]:
    """Roles of the topics that changed; a role shared by topics stays while any of them is on."""
    roles = settings.topic_roles(session)
    touched = {roles[t] for t in before ^ after if t in roles}
    return {role: any(roles.get(t) == role for t in after) for role in touched}


def converse(session: Session, config: Mapping, message: IncomingMessage, command: str | None = None) -> TurnOutcome:
    watch = changes_topics(message)
    before = topics_of(session, message.user_id) if watch else set()
    response = engine.handle(session, message, config)
    if command:
        metrics.record_command(session, command)
    changes = role_changes(session, before, topics_of(session, message.user_id)) if watch else {}
    session.commit()
    return TurnOutcome(response, changes)
