"""KPI events of the Discord bot: member joins and command use.

Recorded through ``kpi.service.record_bot_event`` in the caller's transaction;
when the KPI module is not installed, nothing is recorded (the bot still works).
"""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
CHANNEL = "discord"


def _kpi_service():
    try:
        from kpi import service
    except ModuleNotFoundError as exc:
        if exc.name not in ("kpi", "kpi.service"):
            raise
        return None
    return service


def record_command(session: Session, name: str) -> None:
    """``name`` as typed in English ("search", "tour register"); stored as "/search"."""
    kpi = _kpi_service()
    if kpi is not None:
        kpi.record_bot_event(session, CHANNEL, "command", label=f"/{name}"[:100])


def record_join(session: Session) -> None:
    kpi = _kpi_service()
    if kpi is not None:
        kpi.record_bot_event(session, CHANNEL, "join")
