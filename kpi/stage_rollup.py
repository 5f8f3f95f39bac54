"""Roll-up of the behaviour-change funnel's own metrics (kpi.funnel_stages reads them).

- CLICKERS: people who opened a broadcast link, per day (distinct daily visitor or
  recipient hash). They are a subset of the people the broadcast reached, so a
  day's count is capped by what is left of the reach of that broadcast and
  segment after earlier days (a person clicking on two days has two daily hashes).
- CONTACTS and OUTCOMES: from the careers tables, attributed by their touch columns.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kpi import metrics as m
from kpi import sources
from kpi.models import Click, DailyMetric


def click_persona(segment: str, recipient: str | None, personas: dict[str, str]) -> str:
    """Persona of a click: the link's segment, else the person of a per-user link, else unknown.

    A segment of friends without a persona ("persona:none") is "" (未設定), as their deliveries are,
    so its clicks stay within its reach; a segment that names no persona (Discord) is unknown.
    """
    if segment:
        persona = sources.segment_persona(segment)
        return m.PERSONA_UNKNOWN if persona is None else persona
    if recipient:
        return personas.get(recipient, "")
    return m.PERSONA_UNKNOWN


def _daily_clickers(session: Session, day, personas: dict[str, str]) -> Counter:
    """(channel, persona, article, broadcast) → distinct people on ``day`` (anonymous clicks count one each)."""
    who = func.coalesce(Click.recipient_hash, Click.visitor_hash)
    rows = session.execute(
        select(Click.channel, Click.segment, Click.recipient_hash, Click.article_id, Click.broadcast_id, who)
        .where(Click.day == day, Click.broadcast_id.is_not(None))
    ).all()
    people: dict[tuple, set] = {}
    anonymous: Counter = Counter()
    for channel, segment, recipient, article_id, broadcast_id, person in rows:
        key = (channel, click_persona(segment, recipient, personas), article_id or 0, broadcast_id)
        if person is None:
            anonymous[key] += 1
        else:
            people.setdefault(key, set()).add(person)
    counts = Counter({key: len(found) for key, found in people.items()})
    counts.update(anonymous)
    return counts


def _reach_key(channel: str, persona: str, broadcast_id: int) -> tuple:
    # A click without a segment can only be bounded by the broadcast's whole reach on its channel.
    return (broadcast_id, channel) if persona == m.PERSONA_UNKNOWN else (broadcast_id, channel, persona)


def add_clickers(session: Session, day, rows, secret_key: str, delivered_today: Counter) -> None:
    personas = sources.persona_by_recipient_hash(session, secret_key)
    counts = _daily_clickers(session, day, personas)
    if not counts:
        return
    reach = sources_reach(session, day, {key[3] for key in counts}, delivered_today)
    for (channel, persona, article_id, broadcast_id), count in sorted(counts.items()):
        key, whole = _reach_key(channel, persona, broadcast_id), (broadcast_id, channel)
        # Bounded by the segment's reach and by the whole broadcast's: segment-less clicks use the latter too.
        allowed = min(count, max(0, reach[key]), max(0, reach[whole]))
        reach[key] -= allowed
        if key != whole:
            reach[whole] -= allowed
        rows.add(m.CLICKERS, allowed, channel=channel, persona=persona, article_id=article_id, ref_id=broadcast_id)


def sources_reach(session: Session, day, broadcast_ids: set[int], delivered_today: Counter) -> Counter:
    """Reach left per (broadcast, channel[, persona]): rolled-up deliveries of other days plus today's,
    minus clickers counted on earlier days."""
    left: Counter = Counter()
    for metric, channel, persona, broadcast_id, value in session.execute(
        select(DailyMetric.metric, DailyMetric.channel, DailyMetric.persona, DailyMetric.ref_id,
               func.sum(DailyMetric.value))
        .where(DailyMetric.metric.in_((m.DELIVERED, m.CLICKERS)), DailyMetric.ref_id.in_(sorted(broadcast_ids)),
               DailyMetric.is_demo.is_(False), DailyMetric.day != day)
        .group_by(DailyMetric.metric, DailyMetric.channel, DailyMetric.persona, DailyMetric.ref_id)
    ).all():
        sign = 1 if metric == m.DELIVERED else -1
        if metric == m.CLICKERS and persona == m.PERSONA_UNKNOWN:
            left[(broadcast_id, channel)] += sign * int(value)
            continue
        left[(broadcast_id, channel, persona)] += sign * int(value)
        left[(broadcast_id, channel)] += sign * int(value)
    for (channel, persona, broadcast_id), value in delivered_today.items():
        if broadcast_id in broadcast_ids:
            left[(broadcast_id, channel, persona)] += value
            left[(broadcast_id, channel)] += value
    return left


def add_career_metrics(session: Session, day, rows) -> None:
    for channel, persona, article_id, company_id, kind, count in sources.contacts_on(session, day):
        rows.add(m.CONTACTS, count, channel=channel, persona=persona, article_id=article_id, ref_id=company_id,
                 label=kind)
    for channel, persona, article_id, company_id, kind, count in sources.outcomes_on(session, day):
        rows.add(m.OUTCOMES, count, channel=channel, persona=persona, article_id=article_id, ref_id=company_id,
                 label=kind)
