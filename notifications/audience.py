"""Who a broadcast reaches: a snapshot of active subscribers, written as outbox chunks.

Built for 100,000 recipients: ids are read in keyset pages of plain tuples
(never ORM objects) and the chunk rows are inserted with one executemany per
page, so memory stays flat and bookkeeping stays fast on SQLite and PostgreSQL.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from notifications.models import BroadcastDelivery, Subscriber
from notifications.settings import LINE_CHUNK_SIZE
from notifications.subscriptions import ACTIVE, active_subscribers_for_topics

PAGE_SIZE = 10 * LINE_CHUNK_SIZE


def audience_query(topics: Sequence[str], personas: Sequence[str], channel: str | None) -> Select:
    """SELECT (id, channel, external_id) of the audience; blocked subscribers never appear.

    No topics means everyone (optionally narrowed by persona).
    """
    if topics:
        return active_subscribers_for_topics(None, topics, channel=channel, personas=personas or None)
    query = (
        select(Subscriber.id, Subscriber.channel, Subscriber.external_id)
        .where(Subscriber.status == ACTIVE)
        .order_by(Subscriber.id)
    )
    if channel is not None:
        query = query.where(Subscriber.channel == channel)
    if personas:
        query = query.where(Subscriber.persona.in_(sorted(set(personas))))
    return query


NO_PERSONA = "none"  # the segment of friends who never chose a persona


def persona_segments(session: Session, topics: Sequence[str], personas: Sequence[str],
                     channel: str) -> list[tuple[str, Select]]:
    """The audience split by persona: ("persona:<key>", its SELECT) for each persona present."""
    inner = audience_query(topics, personas, channel).order_by(None).subquery()
    present = session.scalars(
        select(Subscriber.persona).distinct().where(Subscriber.id.in_(select(inner.c.id)))
    ).all()
    segments = []
    for persona in sorted(present, key=lambda p: (p is None, p or "")):
        condition = Subscriber.persona.is_(None) if persona is None else Subscriber.persona == persona
        segments.append((f"persona:{persona or NO_PERSONA}", audience_query(topics, personas, channel).where(condition)))
    return segments


def segment_sizes(session: Session, topics: Sequence[str], personas: Sequence[str], channel: str) -> dict[str, int]:
    """People per persona segment of the audience (one grouped query)."""
    inner = audience_query(topics, personas, channel).order_by(None).subquery()
    rows = session.execute(
        select(Subscriber.persona, func.count()).where(Subscriber.id.in_(select(inner.c.id)))
        .group_by(Subscriber.persona)
    ).all()
    return {f"persona:{persona or NO_PERSONA}": count for persona, count in rows}


def count_audience(session: Session, topics: Sequence[str], personas: Sequence[str], channel: str) -> int:
    inner = audience_query(topics, personas, channel).order_by(None).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


def iter_external_ids(session: Session, query: Select, page_size: int = PAGE_SIZE) -> Iterator[list[str]]:
    """Pages of external ids, by id keyset (no OFFSET, no server-side cursor needed)."""
    last_id = 0
    while True:
        rows = session.execute(query.where(Subscriber.id > last_id).limit(page_size)).all()
        if not rows:
            return
        yield [row.external_id for row in rows]
        last_id = rows[-1].id


def chunked(ids: Iterable[list[str]], size: int = LINE_CHUNK_SIZE) -> Iterator[list[str]]:
    buffer: list[str] = []
    for page in ids:
        buffer.extend(page)
        while len(buffer) >= size:
            yield buffer[:size]
            buffer = buffer[size:]
    if buffer:
        yield buffer


def chunk_row(broadcast_id: int, channel: str, seq: int, recipients: list[str] | None, when: datetime,
              *, count: int = 0, target: str | None = None, mention: str | None = None,
              segment: str | None = None) -> dict:
    """One outbox row as insert parameters; the retry key exists before any attempt."""
    return {
        "broadcast_id": broadcast_id, "channel": channel, "seq": seq, "recipients": recipients,
        "recipient_count": len(recipients) if recipients is not None else count,
        "retry_key": str(uuid.uuid4()), "status": "pending", "attempts": 0, "next_attempt_at": when,
        "target": target, "mention": mention, "segment": segment,
    }


def insert_rows(session: Session, rows: list[dict]) -> None:
    if rows:
        session.execute(insert(BroadcastDelivery), rows)


def write_chunks(session: Session, broadcast_id: int, channel: str, query: Select, when: datetime,
                 size: int = LINE_CHUNK_SIZE, rows_per_insert: int = 20, *, segment: str | None = None) -> int:
    """Snapshot a channel's audience into chunk rows of ``size``; returns the recipient count."""
    total, seq, batch = 0, 0, []
    for recipients in chunked(iter_external_ids(session, query), size):
        batch.append(chunk_row(broadcast_id, channel, seq, recipients, when, segment=segment))
        total, seq = total + len(recipients), seq + 1
        if len(batch) >= rows_per_insert:
            insert_rows(session, batch)
            batch = []
    insert_rows(session, batch)
    return total
