"""The public timeline (/posts): every public push on every channel.

Broadcasts (whatever their channels, LINE-only too) and the public system pushes
(workshop alerts: a new class, seats opened) are listed; personal pushes
(waitlist offers, reminders, thanks) never are. A post about an article that is
no longer public is hidden with it.
"""
from __future__ import annotations

from sqlalchemy import and_, or_, select, text
from sqlalchemy.orm import Session, selectinload

from content.models import Article
from notifications.models import Broadcast

WENT_OUT = ("sending", "done", "stopped", "failed")
PUBLIC_PUSH_REASONS = ("workshop_alert",)  # same text to every subscriber of a topic


def timeline_query():
    article_public = and_(Article.status == "published", Article.published_at.is_not(None))
    public_kind = or_(Broadcast.kind == "broadcast",
                      and_(Broadcast.kind == "push", Broadcast.reason.in_(PUBLIC_PUSH_REASONS)))
    return (
        select(Broadcast)
        .outerjoin(Article, Article.id == Broadcast.article_id)
        .where(public_kind, Broadcast.status.in_(WENT_OUT), Broadcast.started_at.is_not(None),
               or_(Broadcast.article_id.is_(None), article_public))
        .options(selectinload(Broadcast.article))
        .order_by(Broadcast.started_at.desc(), Broadcast.id.desc())
    )


def posts(session: Session, limit: int = 20, offset: int = 0) -> list[Broadcast]:
    return list(session.scalars(timeline_query().limit(limit).offset(offset)))


def post(session: Session, broadcast_id: int) -> Broadcast | None:
    return session.scalar(timeline_query().where(Broadcast.id == broadcast_id))


# Most articles were never broadcast: one indexed lookup decides before the full timeline query.
_ANY_FOR_ARTICLE = text("SELECT 1 FROM broadcasts WHERE article_id = :article_id LIMIT 1")


def for_article(session: Session, article_id: int, limit: int = 10) -> list[Broadcast]:
    if session.execute(_ANY_FOR_ARTICLE, {"article_id": article_id}).first() is None:
        return []
    return list(session.scalars(timeline_query().where(Broadcast.article_id == article_id).limit(limit)))
