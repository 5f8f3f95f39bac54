"""How far a post or thread got on X, kept in the database (never in a worker's memory).

The sender runs in a worker thread outside any request, so each call uses its own
short session and commits at once: a part X accepted is on record before the next
part is sent, whatever happens to the worker afterwards.
"""
from __future__ import annotations

from sqlalchemy import select

from bot.x.models import XThreadPost
from core.db import db


def posted_parts(retry_key: str) -> list[str]:
    """Post ids of the parts already on X, in order (only the unbroken run from the first part)."""
    session = db.new_session()
    try:
        rows = session.execute(select(XThreadPost.part, XThreadPost.tweet_id)
                               .where(XThreadPost.retry_key == retry_key).order_by(XThreadPost.part)).all()
    finally:
        session.close()
    done: list[str] = []
    for part, tweet_id in rows:
        if part != len(done):
            break
        done.append(tweet_id)
    return done


def record_part(retry_key: str, part: int, tweet_id: str) -> None:
    session = db.new_session()
    try:
        session.add(XThreadPost(retry_key=retry_key, part=part, tweet_id=tweet_id))
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
