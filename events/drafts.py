"""Chat registrations in progress: one draft per chat user, expiring when abandoned."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from core.db import utcnow
from events.models import RegistrationDraft

DRAFT_MINUTES = 30
DONE_MINUTES = 24 * 60  # a confirmed draft is kept a day, so a replayed confirmation is recognised


@lru_cache(maxsize=1)
def _draft_id_statement():
    """Built once; a Core query of the id only: most chat turns find no draft, and learning
    that through the ORM (a whole entity query) cost more than the rest of the check."""
    table = RegistrationDraft.__table__
    return select(table.c.id).where(table.c.channel == bindparam("channel"), table.c.user_id == bindparam("user_id"))


def current(session: Session, channel: str, user_id: str, now: datetime | None = None) -> RegistrationDraft | None:
    """The user's live draft; an expired one is deleted on sight (its answers held personal data)."""
    draft_id = session.execute(_draft_id_statement(), {"channel": channel, "user_id": user_id}).scalar()
    if draft_id is None:
        return None
    draft = session.get(RegistrationDraft, draft_id)
    if draft is not None and draft.expires_at <= (now or utcnow()):
        session.delete(draft)
        session.flush()
        return None
    return draft


def start(session: Session, channel: str, user_id: str, event_id: int, step: str) -> RegistrationDraft:
    """A fresh draft for ``event_id`` (replacing any other), so old buttons stop working."""
    session.execute(
        delete(RegistrationDraft).where(RegistrationDraft.channel == channel, RegistrationDraft.user_id == user_id)
    )
    draft = RegistrationDraft(channel=channel, user_id=user_id, event_id=event_id, step=step,
                              submission_key=f"chat-{secrets.token_urlsafe(18)}",
                              expires_at=utcnow() + timedelta(minutes=DRAFT_MINUTES))
    session.add(draft)
    session.flush()
    return draft


def advance(draft: RegistrationDraft, step: str) -> None:
    draft.step = step
    draft.expires_at = utcnow() + timedelta(minutes=DRAFT_MINUTES)


def finish(draft: RegistrationDraft, registration_id: int) -> None:
    """Keep only what recognises a replay: the answers themselves are dropped."""
    draft.step, draft.registration_id = "done", registration_id
    draft.name = draft.contact = None
    draft.expires_at = utcnow() + timedelta(minutes=DONE_MINUTES)


def discard(session: Session, draft: RegistrationDraft) -> None:
    session.delete(draft)
    session.flush()
