"""Topic subscriptions (受信設定): one service for every channel.

Plain functions taking a session; callers own the transaction (they commit).
A subscriber who unfollows is kept as ``blocked`` rather than deleted, so a
re-follow restores their persona and topics and KPIs can count blocks. Only an
explicit data-deletion request removes the row (``erase_subscriber``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from sqlalchemy import Select, bindparam, exists, inspect, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.attributes import set_committed_value

from core import signals
from core.db import utcnow
from notifications.models import Subscriber, Subscription
from notifications.topics import (
    CHILD_STAGES,
    DEFAULT_TOPICS,
    PERSONA_DEFAULT_TOPICS,
    PERSONAS,
    QUIET_PREFS,
    TOPICS,
    is_default_set,
)

ACTIVE, BLOCKED = "active", "blocked"
FollowState = Literal["new", "restored", "already"]


@dataclass(frozen=True)
class FollowResult:
    subscriber: Subscriber
    state: FollowState  # new friend / came back after blocking / was already following


@lru_cache(maxsize=1)
def _subscriber_by_identity() -> Select:
    """Built once: every bot turn looks its user up, and building the statement cost more than running it."""
    return select(Subscriber).where(Subscriber.channel == bindparam("channel"),
                                    Subscriber.external_id == bindparam("external_id"))


_REMEMBERED = "subscribers_by_identity"  # in session.info: (transaction, {(channel, external_id): Subscriber})


def remember_subscribers(session: Session) -> None:
    """Let ``find_subscriber`` answer from rows this session already found in the current transaction.

    For sessions that look one user up several times per transaction (a bot turn: the
    adapter, then each handler). Within one transaction a repeated lookup returns the
    same object anyway (the identity map); this skips the repeated query. A row deleted
    or expunged in the session is not answered from memory, and every new transaction
    (after a commit or rollback) starts with nothing remembered.
    """
    session.info[_REMEMBERED] = (None, {})


def _remembered(session: Session) -> dict | None:
    remembered = session.info.get(_REMEMBERED)
    if remembered is None:
        return None
    transaction, found = remembered
    current = (session() if isinstance(session, scoped_session) else session).get_transaction()
    if transaction is not current:
        found = {}
        session.info[_REMEMBERED] = (current, found)
    return found


def find_subscriber(session: Session, channel: str, external_id: str) -> Subscriber | None:
    remembered = _remembered(session)
    if remembered is not None:
        subscriber = remembered.get((channel, external_id))
        if subscriber is not None and subscriber in session and subscriber not in session.deleted:
            state = inspect(subscriber)
            if not state.deleted and not state.expired_attributes and subscriber.external_id == external_id:
                return subscriber
    subscriber = session.scalar(_subscriber_by_identity(), {"channel": channel, "external_id": external_id})
    if remembered is not None and subscriber is not None:
        # Remembered for the transaction the query ran in (it may have begun with this query).
        found = _remembered(session)
        found[(channel, external_id)] = subscriber
    return subscriber


def _check_identity(channel: str, external_id: str) -> None:
    if not channel or len(channel) > 20:
        raise ValueError(f"invalid channel {channel!r}")
    if not external_id or len(external_id) > 100:
        raise ValueError("invalid external id")


@lru_cache(maxsize=4)
def _insert_statement(dialect: str):
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, built once per dialect (values are bound per call)."""
    insert = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}[dialect]
    table = Subscriber.__table__
    return insert(table).on_conflict_do_nothing(index_elements=["channel", "external_id"]).returning(table.c.id)


def _insert_if_missing(session: Session, values: dict) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: two events of one new user can arrive at once
    (follow + first message); the loser of that race simply finds the winner's row.
    No savepoint is needed, so the caller's transaction stays one unit on every backend.
    True when this call inserted the row."""
    statement = _insert_statement(session.get_bind().dialect.name)
    return session.execute(statement, values).first() is not None


def get_or_create_subscriber(session: Session, channel: str, external_id: str,
                             display_name: str = "", inflow_source: str | None = None) -> Subscriber:
    """The subscriber for (channel, external_id), created active when unknown."""
    _check_identity(channel, external_id)
    found = find_subscriber(session, channel, external_id)
    if found is not None:
        return found
    return _create(session, channel, external_id, display_name, inflow_source)


def _create(session: Session, channel: str, external_id: str, display_name: str,
            inflow_source: str | None) -> Subscriber:
    """Insert the subscriber unless a concurrent turn just did; the row, as an object of the session."""
    now = utcnow()
    inserted = _insert_if_missing(session, {
        "channel": channel, "external_id": external_id, "display_name": (display_name or "")[:200],
        "inflow_source": inflow_source[:50] if inflow_source else None, "status": ACTIVE,
        "followed_at": now, "created_at": now, "updated_at": now,
    })
    subscriber = find_subscriber(session, channel, external_id)
    if inserted and subscriber is not None:
        set_committed_value(subscriber, "subscriptions", [])  # a row made just now has none: no query to learn it
    return subscriber


def follow(session: Session, channel: str, external_id: str, display_name: str = "",
           inflow_source: str | None = None) -> FollowResult:
    """A (re-)follow: new → active with the default topics; blocked → active again with
    previous settings kept."""
    existing = find_subscriber(session, channel, external_id)
    if existing is None:
        _check_identity(channel, external_id)
        created = _create(session, channel, external_id, display_name, inflow_source)
        if created.persona is None and not created.topics:
            set_topics(session, created, DEFAULT_TOPICS)
        return FollowResult(created, "new")
    if display_name:
        existing.display_name = display_name[:200]
    if existing.status == ACTIVE:
        return FollowResult(existing, "already")
    existing.status, existing.followed_at, existing.unfollowed_at = ACTIVE, utcnow(), None
    return FollowResult(existing, "restored")


def unfollow(session: Session, channel: str, external_id: str) -> Subscriber | None:
    """Mark blocked (never targeted again until re-follow); unknown users are ignored."""
    subscriber = find_subscriber(session, channel, external_id)
    if subscriber is not None and subscriber.status != BLOCKED:
        subscriber.status, subscriber.unfollowed_at = BLOCKED, utcnow()
    return subscriber


def reactivate(subscriber: Subscriber) -> None:
    """An explicit settings action from a blocked subscriber means they want messages again."""
    if subscriber.status != ACTIVE:
        subscriber.status, subscriber.followed_at, subscriber.unfollowed_at = ACTIVE, utcnow(), None


def _check_topic(topic: str) -> None:
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")


def set_topics(session: Session, subscriber: Subscriber, topics: Iterable[str]) -> set[str]:
    """Replace the subscriber's topics; returns what is now on."""
    wanted = set(topics)
    for topic in wanted:
        _check_topic(topic)
    subscriber.subscriptions[:] = [s for s in subscriber.subscriptions if s.topic in wanted]
    for topic in sorted(wanted - subscriber.topics):
        subscriber.subscriptions.append(Subscription(topic=topic))
    session.flush()
    return subscriber.topics


def set_topic(session: Session, subscriber: Subscriber, topic: str, on: bool) -> bool:
    """Explicit on/off (idempotent: replaying the same request changes nothing)."""
    _check_topic(topic)
    topics = subscriber.topics
    set_topics(session, subscriber, topics | {topic} if on else topics - {topic})
    return on


def toggle_topic(session: Session, subscriber: Subscriber, topic: str) -> bool:
    """Flip one topic; returns whether it is now on."""
    _check_topic(topic)
    return set_topic(session, subscriber, topic, topic not in subscriber.topics)


def set_persona(session: Session, subscriber: Subscriber, persona: str, reset: bool = False) -> set[str]:
    """Set the persona; its default topics apply when none were chosen yet, when the friend
    still has the untouched default set (a persona refines it), or on ``reset``."""
    if persona not in PERSONAS:
        raise ValueError(f"unknown persona {persona!r}")
    first_persona = subscriber.persona is None
    subscriber.persona = persona
    refines_default = first_persona and is_default_set(subscriber.topics)
    if reset or not subscriber.topics or refines_default:
        return set_topics(session, subscriber, PERSONA_DEFAULT_TOPICS[persona])
    session.flush()
    return subscriber.topics


@dataclass(frozen=True)
class Preferences:
    """Everything the 受信設定 form sets at once."""

    persona: str
    topics: frozenset[str]
    child_stage: str | None = None  # parents only
    quiet_pref: str | None = None


def check_preferences(prefs: Preferences) -> None:
    """Raise ValueError (Japanese, shown as is) for an impossible combination."""
    if prefs.persona not in PERSONAS:
        raise ValueError("「あなたについて」を選んでください。")
    unknown = sorted(t for t in prefs.topics if t not in TOPICS)
    if unknown:
        raise ValueError("選べない項目が含まれています。ページを開き直してください。")
    if prefs.child_stage is not None and (prefs.persona != "parent" or prefs.child_stage not in CHILD_STAGES):
        raise ValueError("お子さまの学年は「保護者」を選んだときだけ選べます。")
    if prefs.quiet_pref is not None and prefs.quiet_pref not in QUIET_PREFS:
        raise ValueError("届く時間帯の選択が正しくありません。")


def set_preferences(session: Session, subscriber: Subscriber, prefs: Preferences) -> set[str]:
    """Persona, topics, child stage and quiet-hours preference in one change (caller commits)."""
    check_preferences(prefs)
    subscriber.persona = prefs.persona
    subscriber.child_stage = prefs.child_stage
    subscriber.quiet_pref = prefs.quiet_pref
    reactivate(subscriber)
    return set_topics(session, subscriber, prefs.topics)


def active_subscribers_for_topics(session: Session | None, topics: Iterable[str], channel: str | None = None,
                                  personas: Iterable[str] | None = None) -> Select:
    """A SELECT of (id, channel, external_id) of active subscribers with any of ``topics``.

    Returned unexecuted so a broadcast to 100,000 people can stream or page it
    (``session.execute(query.execution_options(yield_per=1000))``) instead of
    loading objects. Blocked subscribers are never included. ``session`` is
    accepted for a uniform service signature; it is not used.
    """
    wanted = sorted(set(topics))
    has_topic = exists().where(Subscription.subscriber_id == Subscriber.id, Subscription.topic.in_(wanted))
    query = (
        select(Subscriber.id, Subscriber.channel, Subscriber.external_id)
        .where(Subscriber.status == ACTIVE, has_topic)
        .order_by(Subscriber.id)
    )
    if channel is not None:
        query = query.where(Subscriber.channel == channel)
    if personas is not None:
        query = query.where(Subscriber.persona.in_(sorted(set(personas))))
    return query


def erase_subscriber(session: Session, channel: str, external_id: str) -> bool:
    """Delete the subscriber and its subscriptions (data-deletion request). True if one existed."""
    subscriber = find_subscriber(session, channel, external_id)
    if subscriber is None:
        return False
    session.delete(subscriber)  # subscriptions go with it (ORM cascade + ON DELETE CASCADE)
    session.flush()
    return True


def erase_person(session: Session, channel: str, external_id: str) -> None:
    """データ削除: every domain erases what it keeps about the person, then the subscriber goes.

    All in the caller's transaction, so a failing receiver leaves nothing half-deleted.
    """
    signals.subscriber_erased.send(external_id, session=session, channel=channel)
    erase_subscriber(session, channel, external_id)
    session.flush()

