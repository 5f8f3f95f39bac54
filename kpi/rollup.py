"""Daily roll-up: raw events and other domains' rows → ``kpi_daily_metrics``.

``rollup_day`` recomputes one Tokyo day from scratch (delete + insert, in the
caller's transaction), so running it twice gives the same rows. Raw events older
than the retention are rolled up one last time and then deleted; such a day is
marked ``raw_pruned`` and never recomputed again (its raw data is gone).
Demo rows (``is_demo``) are written by kpi.demo and never touched here.
"""
from __future__ import annotations

import os
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select, union
from sqlalchemy.orm import Session

from core.db import utcnow
from kpi import metrics as m
from kpi import nextsteps, sources, stage_rollup
from kpi.models import Click, DailyMetric, KpiEvent, PageView, RollupDay

DEFAULT_RETENTION_DAYS = 90
RECENT_DAYS = 7  # always recomputed: late registrations, attendance marks, deliveries
RAW_TABLES = (PageView, Click, KpiEvent)
KEY = ("metric", "channel", "persona", "article_id", "ref_id", "label")


def retention_days(config) -> int:
    raw = config.get("KPI_RAW_RETENTION_DAYS") or os.environ.get("KPI_RAW_RETENTION_DAYS")
    try:
        value = int(raw) if raw not in (None, "") else DEFAULT_RETENTION_DAYS
    except ValueError:
        raise ValueError(f"KPI_RAW_RETENTION_DAYS must be a whole number of days, got {raw!r}") from None
    if value < 1:
        raise ValueError("KPI_RAW_RETENTION_DAYS must be at least 1")
    return value


class Rows:
    """Accumulates metric values by their full key (adding up duplicates)."""

    def __init__(self) -> None:
        self.values: Counter = Counter()

    def add(self, metric: str, value: int, *, channel: str = "", persona: str = "", article_id: int = 0,
            ref_id: int = 0, label: str = "") -> None:
        if value:
            self.values[(metric, channel or "", persona or "", article_id or 0, ref_id or 0,
                         (label or "")[:200])] += int(value)

    def as_dicts(self, day: date) -> list[dict]:
        return [dict(zip(KEY, key), day=day, value=value, is_demo=False) for key, value in self.values.items()]


def _page_view_metrics(session: Session, day: date, rows: Rows) -> None:
    grouped = session.execute(
        select(PageView.path, PageView.channel, PageView.utm_campaign, func.count())
        .where(PageView.day == day).group_by(PageView.path, PageView.channel, PageView.utm_campaign)
    ).all()
    articles = sources.article_ids_for_paths(session, {path for path, *_ in grouped})
    for path, channel, campaign, count in grouped:
        rows.add(m.PAGE_VIEWS, count, channel=channel, article_id=articles.get(path, 0), label=path)
        if nextsteps.is_next_step(path, campaign):
            rows.add(m.NEXT_STEP_VIEWS, count, channel=channel, label=path)
    _visitor_metrics(session, day, rows)
    for domain, count in session.execute(
        select(PageView.referrer_domain, func.count()).where(PageView.day == day, PageView.referrer_domain != "")
        .group_by(PageView.referrer_domain)
    ):
        rows.add(m.REFERRERS, count, label=domain)
    for source, campaign, count in session.execute(
        select(PageView.utm_source, PageView.utm_campaign, func.count())
        .where(PageView.day == day, PageView.utm_campaign != "").group_by(PageView.utm_source, PageView.utm_campaign)
    ):
        rows.add(m.CAMPAIGNS, count, channel=source[:20], label=campaign)


def _visitor_metrics(session: Session, day: date, rows: Rows) -> None:
    counted = (PageView.day == day, PageView.visitor_hash.is_not(None))
    rows.add(m.UNIQUE_VISITORS, session.scalar(select(func.count(func.distinct(PageView.visitor_hash))).where(*counted)))
    for channel, count in session.execute(
        select(PageView.channel, func.count(func.distinct(PageView.visitor_hash))).where(*counted)
        .group_by(PageView.channel)
    ):
        rows.add(m.UNIQUE_VISITORS, count, channel=channel)


def _click_metrics(session: Session, day: date, rows: Rows, secret_key: str) -> None:
    columns = (Click.channel, Click.article_id, Click.broadcast_id, Click.campaign, Click.recipient_hash,
               Click.segment)
    grouped = session.execute(select(*columns, func.count()).where(Click.day == day).group_by(*columns)).all()
    personas = sources.persona_by_recipient_hash(session, secret_key) if any(r[4] for r in grouped) else {}
    for channel, article_id, broadcast_id, campaign, recipient, segment, count in grouped:
        rows.add(m.CLICKS, count, channel=channel, persona=stage_rollup.click_persona(segment, recipient, personas),
                 article_id=article_id or 0, ref_id=broadcast_id or 0, label=campaign)


EVENT_METRICS = {m.EVENT_FRIEND_LINK: m.FRIEND_LINK_OPENS, m.EVENT_JOIN: m.DISCORD_JOINS,
                 m.EVENT_COMMAND: m.BOT_COMMANDS, **m.FOLLOW_EVENT_METRICS}


def _event_metrics(session: Session, day: date, rows: Rows) -> set[str]:
    """KPI events of the day; returns the channels whose follows came as events."""
    followed_channels = set()
    for kind, channel, persona, label, total in session.execute(
        select(KpiEvent.kind, KpiEvent.channel, KpiEvent.persona, KpiEvent.label, func.sum(KpiEvent.value))
        .where(KpiEvent.day == day).group_by(KpiEvent.kind, KpiEvent.channel, KpiEvent.persona, KpiEvent.label)
    ):
        metric = EVENT_METRICS.get(kind)
        if metric is None:
            continue
        if kind in m.FOLLOW_EVENT_METRICS:
            followed_channels.add(channel)
        rows.add(metric, total, channel=channel, persona=persona, label=label)
    return followed_channels


def _follow_metrics(session: Session, day: date, rows: Rows, channels_with_events: set[str]) -> None:
    for kind, channel, persona, source, count in sources.follow_activity(session, day):
        if channel not in channels_with_events:  # never count the same follows twice
            rows.add(m.FOLLOW_EVENT_METRICS[kind], count, channel=channel, persona=persona, label=source)
    for channel, persona, count in sources.followers_at_end_of(session, day):
        rows.add(m.FOLLOWERS, count, channel=channel, persona=persona)


def _domain_metrics(session: Session, day: date, rows: Rows) -> Counter:
    """Other domains' rows of the day; returns today's reach per (channel, persona, broadcast)."""
    reached: Counter = Counter()
    for channel, persona, broadcast_id, article_id, count in sources.deliveries_on(session, day):
        if channel == "discord":  # a post, not people: Discord reach is unknown (never a denominator)
            rows.add(m.DISCORD_POSTS, count, channel=channel, article_id=article_id, ref_id=broadcast_id)
            continue
        rows.add(m.DELIVERED, count, channel=channel, persona=persona, article_id=article_id, ref_id=broadcast_id)
        reached[(channel, persona, broadcast_id)] += count
    for channel, broadcast_id, article_id, impressions in sources.post_impressions_on(session, day):
        # A public post's reach is what its platform reports (X impressions), when it does.
        rows.add(m.DELIVERED, impressions, channel=channel, article_id=article_id, ref_id=broadcast_id)
        reached[(channel, "", broadcast_id)] += impressions
    for metric, found in ((m.REGISTRATIONS, sources.registrations_on(session, day)),
                          (m.WAITLISTED, sources.registrations_on(session, day, status="waitlisted")),
                          (m.ATTENDANCES, sources.attendances_on(session, day))):
        for channel, persona, article_id, event_id, count in found:
            rows.add(metric, count, channel=channel, persona=persona, article_id=article_id, ref_id=event_id)
    for channel, query, total, zero in sources.searches_on(session, day):
        rows.add(m.SEARCHES, total, channel=channel, label=query)
        rows.add(m.ZERO_RESULT_SEARCHES, zero, channel=channel, label=query)
    stage_rollup.add_career_metrics(session, day, rows)
    return reached


def compute_day(session: Session, day: date, secret_key: str) -> Rows:
    rows = Rows()
    _page_view_metrics(session, day, rows)
    _click_metrics(session, day, rows, secret_key)
    followed_channels = _event_metrics(session, day, rows)
    _follow_metrics(session, day, rows, followed_channels)
    reached = _domain_metrics(session, day, rows)
    stage_rollup.add_clickers(session, day, rows, secret_key, reached)
    return rows


def rollup_day(session: Session, day: date, secret_key: str) -> bool:
    """Recompute one day's (non-demo) metrics; False when its raw data is already pruned."""
    marker = session.get(RollupDay, day)
    if marker is not None and marker.raw_pruned:
        return False
    values = compute_day(session, day, secret_key).as_dicts(day)
    session.execute(delete(DailyMetric).where(DailyMetric.day == day, DailyMetric.is_demo.is_(False)))
    if values:
        session.execute(insert(DailyMetric), values)
    if marker is None:
        session.add(RollupDay(day=day, rolled_up_at=utcnow()))
    else:
        marker.rolled_up_at = utcnow()
    session.flush()
    return True


def raw_days(session: Session, before: date | None = None) -> list[date]:
    """Days that still have raw events (optionally only those before a date)."""
    selects = []
    for table in RAW_TABLES:
        query = select(table.day).distinct()
        selects.append(query.where(table.day < before) if before else query)
    return sorted(session.scalars(union(*selects)))


def prune_raw(session: Session, today: date, retention: int, secret_key: str) -> list[date]:
    """Roll up and drop raw events older than ``retention`` days; returns the pruned days."""
    cutoff = today - timedelta(days=retention)
    pruned = []
    for day in raw_days(session, before=cutoff):
        rollup_day(session, day, secret_key)
        for table in RAW_TABLES:
            session.execute(delete(table).where(table.day == day))
        session.get(RollupDay, day).raw_pruned = True
        pruned.append(day)
    session.flush()
    return pruned


def days_to_roll_up(session: Session, today: date) -> list[date]:
    """The recent days plus any day with raw data not rolled up since it ended."""
    wanted = set(m.days_between(today - timedelta(days=RECENT_DAYS - 1), today))
    finished = {d.day: d.rolled_up_at for d in session.scalars(select(RollupDay))}
    for day in raw_days(session):
        done_at = finished.get(day)
        if done_at is None or done_at < m.day_bounds(day)[1]:
            wanted.add(day)
    return sorted(wanted)


def run(session: Session, today: date, secret_key: str, retention: int) -> dict:
    """The worker's nightly job body (caller commits)."""
    rolled = [day for day in days_to_roll_up(session, today) if rollup_day(session, day, secret_key)]
    pruned = prune_raw(session, today, retention, secret_key)
    return {"rolled_up": rolled, "pruned": pruned}


def rolled_up_at(session: Session) -> datetime | None:
    return session.scalar(select(func.max(RollupDay.rolled_up_at)))
