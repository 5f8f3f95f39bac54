"""Reading other domains for the roll-up: one small function per source.

Each function returns plain tuples for one Tokyo day, so when another domain's
tables change only the matching function here changes. Sources whose models do
not exist yet (search log) return nothing instead of failing.
"""
from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from channels import registry
from channels.links import hash_recipient
from content.models import Article, Company
from events.models import Event, Registration
from kpi.metrics import day_bounds
from kpi.models import PostStat
from notifications.audience import NO_PERSONA
from notifications.models import Subscriber

REFOLLOW_GAP = timedelta(minutes=1)  # followed_at later than created_at by more → came back


def _optional_model(module: str, name: str):
    """A model of a domain that may not be there yet (None until it is)."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


# -- subscribers -------------------------------------------------------------------

def segment_persona(segment: str | None) -> str | None:
    """The persona a broadcast segment names: "persona:student" → "student", "persona:none" → ""
    (friends who never chose one, as deliveries count them); None when the segment is not a persona."""
    kind, _, value = (segment or "").partition(":")
    if kind != "persona":
        return None
    return "" if value == NO_PERSONA else value


def persona_by_person(session: Session) -> dict[tuple[str, str], str]:
    rows = session.execute(
        select(Subscriber.channel, Subscriber.external_id, Subscriber.persona).where(Subscriber.persona.is_not(None))
    )
    return {(channel, external): persona for channel, external, persona in rows}


def persona_of(session: Session, channel: str, external_id: str) -> str | None:
    return session.scalar(select(Subscriber.persona).where(Subscriber.channel == channel,
                                                           Subscriber.external_id == external_id))


def persona_by_recipient_hash(session: Session, secret_key: str) -> dict[str, str]:
    """Tracked links carry hash_recipient(secret, user id); map it back to a persona only."""
    return {hash_recipient(secret_key, external): persona
            for (_channel, external), persona in persona_by_person(session).items()}


def follow_activity(session: Session, day: date) -> list[tuple[str, str, str, str, int]]:
    """(kind, channel, persona, inflow source, count) derived from subscriber rows.

    Used for days without follow events in kpi_events. Approximate by nature: a
    row keeps only its latest follow/unfollow, so a block that was later undone
    by a re-follow is no longer visible here.
    """
    start, end = day_bounds(day)
    columns = (Subscriber.channel, Subscriber.persona, Subscriber.inflow_source,
               Subscriber.created_at, Subscriber.followed_at)
    new = session.execute(select(*columns).where(Subscriber.created_at >= start, Subscriber.created_at < end))
    back = session.execute(select(*columns).where(Subscriber.followed_at >= start, Subscriber.followed_at < end))
    gone = session.execute(select(*columns).where(Subscriber.unfollowed_at >= start, Subscriber.unfollowed_at < end))
    counts: Counter = Counter()
    for row in new:
        counts[("follow", row.channel, row.persona or "", row.inflow_source or "")] += 1
    for row in back:
        if row.followed_at - row.created_at > REFOLLOW_GAP:
            counts[("refollow", row.channel, row.persona or "", "")] += 1
    for row in gone:
        counts[("unfollow", row.channel, row.persona or "", "")] += 1
    return [(*key, n) for key, n in counts.items()]


def followers_at_end_of(session: Session, day: date) -> list[tuple[str, str, int]]:
    """(channel, persona, count) following at the end of ``day`` (see follow_activity's caveat)."""
    _start, end = day_bounds(day)
    rows = session.execute(
        select(Subscriber.channel, Subscriber.persona, func.count())
        .where(Subscriber.created_at < end,
               or_(Subscriber.unfollowed_at.is_(None), Subscriber.unfollowed_at >= end),
               or_(Subscriber.status == "active", Subscriber.unfollowed_at.is_not(None)))
        .group_by(Subscriber.channel, Subscriber.persona)
    )
    return [(channel, persona or "", count) for channel, persona, count in rows]


# -- content --------------------------------------------------------------------------

def article_ids_for_paths(session: Session, paths: Iterable[str]) -> dict[str, int]:
    """Page path → article id for article pages (/articles/<slug>, and /about)."""
    slugs = {}
    for path in paths:
        if path.startswith("/articles/") and path.count("/") == 2:
            slugs[path.removeprefix("/articles/")] = path
        elif path == "/about":
            slugs["about"] = path
    if not slugs:
        return {}
    rows = session.execute(select(Article.slug, Article.id).where(Article.slug.in_(sorted(slugs))))
    return {slugs[slug]: article_id for slug, article_id in rows}


def article_titles(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Article id → (title, slug)."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.execute(select(Article.id, Article.title, Article.slug).where(Article.id.in_(wanted)))
    return {i: (title, slug) for i, title, slug in rows}


# -- broadcasting -------------------------------------------------------------------

def _delivering_channels() -> list[str]:
    """Channels whose sends reach people (the web timeline is counted as page views instead)."""
    return [channel.name for channel in registry.all_channels() if not channel.public]


def deliveries_on(session: Session, day: date) -> list[tuple[str, str, int, int, int]]:
    """(channel, persona, broadcast id, article id, messages delivered) for sends finished on ``day``."""
    broadcast = _optional_model("notifications.models", "Broadcast")
    delivery = _optional_model("notifications.models", "BroadcastDelivery")
    if broadcast is None or delivery is None:
        return []
    start, end = day_bounds(day)
    rows = session.execute(
        select(delivery.channel, delivery.broadcast_id, broadcast.article_id, delivery.recipients,
               delivery.recipient_count)
        .join(broadcast, broadcast.id == delivery.broadcast_id)
        .where(delivery.status == "sent", delivery.sent_at >= start, delivery.sent_at < end,
               delivery.channel.in_(_delivering_channels()))
    ).all()
    personas = persona_by_person(session) if rows else {}
    counts: Counter = Counter()
    for channel, broadcast_id, article_id, recipients, recipient_count in rows:
        if recipients:
            for user in recipients:
                counts[(channel, personas.get((channel, user), ""), broadcast_id, article_id or 0)] += 1
        else:
            counts[(channel, "", broadcast_id, article_id or 0)] += recipient_count or 0
    return [(*key, n) for key, n in counts.items() if n]


def post_impressions_on(session: Session, day: date) -> list[tuple[str, int, int, int]]:
    """(channel, broadcast id, article id, impressions) of public posts made on ``day`` whose
    platform reported their impressions (X; ``kpi_post_stats``, latest fetch)."""
    start, end = day_bounds(day)
    rows = session.execute(
        select(PostStat.channel, PostStat.broadcast_id, PostStat.article_id, func.sum(PostStat.impressions))
        .where(PostStat.posted_at >= start, PostStat.posted_at < end, PostStat.impressions.is_not(None))
        .group_by(PostStat.channel, PostStat.broadcast_id, PostStat.article_id)
    ).all()
    return [(channel, broadcast_id or 0, article_id or 0, int(total)) for channel, broadcast_id, article_id, total
            in rows if total]


def broadcast_titles(session: Session, ids: Iterable[int]) -> dict[int, str]:
    broadcast = _optional_model("notifications.models", "Broadcast")
    wanted = sorted({i for i in ids if i})
    if broadcast is None or not wanted:
        return {}
    rows = session.execute(select(broadcast.id, broadcast.title).where(broadcast.id.in_(wanted)))
    return {i: title or f"配信 #{i}" for i, title in rows}


def broadcast_for_units(session: Session, units: Iterable[str]) -> dict[str, tuple[int, str]]:
    """LINE aggregation unit → (broadcast id, title)."""
    broadcast = _optional_model("notifications.models", "Broadcast")
    wanted = sorted(set(units))
    if broadcast is None or not wanted:
        return {}
    rows = session.execute(
        select(broadcast.aggregation_unit, broadcast.id, broadcast.title).where(broadcast.aggregation_unit.in_(wanted))
    )
    return {unit: (i, title) for unit, i, title in rows}


# -- events -------------------------------------------------------------------------

def _registration_counts(session: Session, rows) -> list[tuple[str, str, int, int, int]]:
    """Counted under the last tracked touch when there is one (the link that brought the person)."""
    personas = persona_by_person(session) if rows else {}
    counts: Counter = Counter()
    for channel, person_key, article_id, event_id, touch_channel, touch_article, touch_segment in rows:
        person_channel, _, person_id = person_key.partition(":")
        persona = segment_persona(touch_segment)
        if persona is None:
            persona = personas.get((person_channel, person_id), "")
        counts[(touch_channel or channel, persona, touch_article or article_id or 0, event_id)] += 1
    return [(*key, n) for key, n in counts.items()]


TOUCH = (Registration.last_touch_channel, Registration.last_touch_article_id, Registration.last_touch_segment)


def registrations_on(session: Session, day: date, status: str | None = None) -> list[tuple]:
    """(channel, persona, article id, event id, count) of applications made on ``day``.

    Cancelled applications do not count; ``status`` narrows (e.g. "waitlisted").
    """
    start, end = day_bounds(day)
    query = (select(Registration.channel, Registration.person_key, Event.article_id, Registration.event_id, *TOUCH)
             .join(Event, Event.id == Registration.event_id)
             .where(Registration.created_at >= start, Registration.created_at < end,
                    Registration.status != "cancelled"))
    if status is not None:
        query = query.where(Registration.status == status)
    return _registration_counts(session, session.execute(query).all())


def attendances_on(session: Session, day: date) -> list[tuple]:
    start, end = day_bounds(day)
    rows = session.execute(
        select(Registration.channel, Registration.person_key, Event.article_id, Registration.event_id, *TOUCH)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.attended_at >= start, Registration.attended_at < end)
    ).all()
    return _registration_counts(session, rows)


def event_titles(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, object]]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.execute(select(Event.id, Event.title, Event.starts_at).where(Event.id.in_(wanted)))
    return {i: (title, starts_at) for i, title, starts_at in rows}


# -- search ---------------------------------------------------------------------------

def searches_on(session: Session, day: date) -> list[tuple[str, str, int, int]]:
    """(channel, query, searches, of which without results) from search's query log.

    The log stores queries already normalised; the JSON API ("api") counts as web.
    """
    log = _optional_model("search.models", "SearchQueryLog")
    if log is None:
        return []
    start, end = day_bounds(day)
    rows = session.execute(
        select(log.channel, log.query, func.count(), func.sum(case((log.result_count == 0, 1), else_=0)))
        .where(log.created_at >= start, log.created_at < end)
        .group_by(log.channel, log.query)
    )
    counts: Counter = Counter()
    zeros: Counter = Counter()
    for channel, text, total, zero in rows:
        key = ("web" if channel in (None, "", "api") else channel, (text or "").strip()[:200])
        counts[key] += total
        zeros[key] += int(zero or 0)
    return [(channel, text, n, zeros[(channel, text)]) for (channel, text), n in counts.items() if text]


# -- careers --------------------------------------------------------------------------

def _touch_rows(session: Session, model, day_column, start, end) -> list[tuple]:
    """(channel, persona, article, company, kind, count) of careers rows, attributed by their last touch."""
    if model is None:
        return []
    rows = session.execute(
        select(func.coalesce(model.last_touch_channel, model.channel), model.persona, model.last_touch_segment,
               model.last_touch_article_id, model.company_id, model.kind, func.count())
        .where(day_column >= start, day_column < end)
        .group_by(model.last_touch_channel, model.channel, model.persona, model.last_touch_segment,
                  model.last_touch_article_id, model.company_id, model.kind)
    ).all()
    counts: Counter = Counter()
    for channel, persona, segment, article_id, company_id, kind, n in rows:
        from_segment = segment_persona(segment)
        persona = from_segment if from_segment is not None else persona or ""
        counts[(channel or "", persona, article_id or 0, company_id or 0, kind)] += n
    return [(*key, n) for key, n in counts.items()]


def contacts_on(session: Session, day: date) -> list[tuple]:
    model = _optional_model("careers.models", "ContactRequest")
    start, end = day_bounds(day)
    return _touch_rows(session, model, model.created_at, start, end) if model is not None else []


def outcomes_on(session: Session, day: date) -> list[tuple]:
    model = _optional_model("careers.models", "Outcome")
    return _touch_rows(session, model, model.occurred_on, day, day + timedelta(days=1)) if model is not None else []


def article_facts(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str | None, int | None]]:
    """Article id → (title, series, company id)."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.execute(select(Article.id, Article.title, Article.series, Article.company_id)
                           .where(Article.id.in_(wanted)))
    return {i: (title, series, company) for i, title, series, company in rows}


def event_companies(session: Session, ids: Iterable[int]) -> dict[int, int | None]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    return dict(session.execute(select(Event.id, Event.company_id).where(Event.id.in_(wanted))).all())


def company_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    return dict(session.execute(select(Company.id, Company.name).where(Company.id.in_(wanted))).all())
