"""The X channel's on/off switch: a refused token stores a problem that staff see and clear."""
from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.x.models import XProblem
from core.db import db, utcnow

log = logging.getLogger(__name__)


def switch_off(status: int | None, detail: str) -> None:
    """Record in its own transaction (the sender runs in a worker thread, outside any session)."""
    log.warning("X channel switched off: HTTP %s: %s", status, detail)
    session = db.new_session()
    try:
        if session.scalar(select(XProblem.id).where(XProblem.resolved_at.is_(None))) is None:
            session.add(XProblem(status=status, detail=detail[:1000]))
            session.commit()
    except Exception:  # the warning above is then all staff get; never break the sender for this
        log.exception("could not store the X problem")
        session.rollback()
    finally:
        session.close()


def open_problem(session: Session) -> XProblem | None:
    query = select(XProblem).where(XProblem.resolved_at.is_(None)).order_by(XProblem.id.desc()).limit(1)
    return session.scalar(query)


def resolve_all(session: Session) -> int:
    result = session.execute(update(XProblem).where(XProblem.resolved_at.is_(None)).values(resolved_at=utcnow()))
    return result.rowcount or 0
