"""データ削除: erase everything stored about one chat user, after they confirm.

Other domains register what they keep about a user in ``DATA_ERASERS``
(callables ``(session, channel, user_id) -> None``); e.g. event registrations:

    from bot.core.privacy import DATA_ERASERS
    DATA_ERASERS.append(erase_registrations_of)

All erasers run in the caller's transaction, so a failing one leaves nothing
half-deleted (the engine rolls back and apologises).
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.core import menus, wording
from bot.core.limits import action
from bot.core.messages import BotResponse, Confirm, Text
from bot.core.turn import Turn
from notifications import subscriptions

log = logging.getLogger(__name__)

DataEraser = Callable[[Session, str, str], None]
DATA_ERASERS: list[DataEraser] = []


def erase_user_data(session: Session, channel: str, user_id: str) -> None:
    """Run every registered eraser, then remove the subscriber (and its topics)."""
    for eraser in list(DATA_ERASERS):
        eraser(session, channel, user_id)
    subscriptions.erase_subscriber(session, channel, user_id)
    session.flush()


def ask(turn: Turn) -> BotResponse:
    question = Confirm(
        text=wording.ERASE_QUESTION,
        yes=action("削除する", "erase", display_text="データを削除する", v=1),
        no=action("やめる", "erase", display_text="削除をやめる", v=0),
    )
    return BotResponse([question])


def answer(turn: Turn, value: str) -> BotResponse | None:
    """The confirmation's answer. Replaying "yes" after deletion is harmless (nothing left)."""
    if value == "0":
        return BotResponse([Text(wording.ERASE_CANCELLED)], menus.main_menu())
    if value != "1":
        return None
    erase_user_data(turn.session, turn.channel, turn.user_id)
    log.info("erased bot data of a %s user on request", turn.channel)
    return BotResponse([Text(wording.ERASED)], menus.main_menu())
