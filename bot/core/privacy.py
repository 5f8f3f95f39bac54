"""データ削除: erase everything stored about one chat user, after they confirm.

Other domains erase what they keep about the user when ``core.signals.subscriber_erased``
fires. All receivers run in the caller's transaction, so a failing one leaves nothing
half-deleted (the engine rolls back and apologises).
"""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from bot.core import menus, wording
from bot.core.turn import Turn
from messages.limits import action
from messages.replies import BotResponse, Confirm, Text
from notifications import subscriptions

log = logging.getLogger(__name__)



def erase_user_data(session: Session, channel: str, user_id: str) -> None:
    """Erase everything stored about the user (``notifications.subscriptions.erase_person``)."""
    subscriptions.erase_person(session, channel, user_id)


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
