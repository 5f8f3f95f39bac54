"""KPI tables: raw events (short-lived), daily roll-ups (what the dashboard reads), salts.

Raw rows carry a ``day`` (Asia/Tokyo calendar date) so the roll-up of one day
is an indexed equality scan. Nothing here stores a raw IP address, a full user
agent or a LINE/Discord user id: visitors are a per-day salted hash, bot
recipients a keyed hash (see channels.links.hash_recipient).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow

# Ids can grow past 2**31 on PostgreSQL over years of page views; SQLite needs INTEGER for rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class PageView(Base):
    """One public HTML page view (raw; aggregated into daily metrics, then dropped)."""

    __tablename__ = "kpi_page_views"
    __table_args__ = (Index("ix_kpi_page_views_day", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    day: Mapped[date] = mapped_column(Date)
    path: Mapped[str] = mapped_column(String(300))
    # Entry channel: "line"/"discord" when the visit came through a bot link, else "web".
    channel: Mapped[str] = mapped_column(String(20), default="web")
    referrer_domain: Mapped[str] = mapped_column(String(100), default="")
    utm_source: Mapped[str] = mapped_column(String(50), default="")
    utm_medium: Mapped[str] = mapped_column(String(50), default="")
    utm_campaign: Mapped[str] = mapped_column(String(50), default="")
    # sha256(daily salt, host, ip, user agent)[:16]; NULL when DNT/GPC asked not to be counted.
    visitor_hash: Mapped[str | None] = mapped_column(String(16))


class Click(Base):
    """One click on a tracked bot link (``/r/<token>``)."""

    __tablename__ = "kpi_clicks"
    __table_args__ = (Index("ix_kpi_clicks_day", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    day: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    broadcast_id: Mapped[int | None]
    article_id: Mapped[int | None]
    campaign: Mapped[str] = mapped_column(String(50), default="")
    path: Mapped[str] = mapped_column(String(300), default="")
    recipient_hash: Mapped[str | None] = mapped_column(String(16))
    # Audience segment of the message variant (channels.links.TrackedLink.segment), "" when none.
    segment: Mapped[str] = mapped_column(String(60), default="", server_default="")
    # The day's salted visitor hash (as for page views): counts people, not taps, per day.
    visitor_hash: Mapped[str | None] = mapped_column(String(16))


class KpiEvent(Base):
    """A countable event written by other parts (bot follows, Discord joins, commands, friend links)."""

    __tablename__ = "kpi_events"
    __table_args__ = (Index("ix_kpi_events_day_kind", "day", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(20), default="")
    persona: Mapped[str] = mapped_column(String(20), default="")
    label: Mapped[str] = mapped_column(String(100), default="")  # source key, command name...
    ref_id: Mapped[int | None]
    value: Mapped[int] = mapped_column(default=1)


class DailySalt(Base):
    """The salt of one day's visitor hashes; deleted once the day is over."""

    __tablename__ = "kpi_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailyMetric(Base):
    """One number of one day along fixed dimensions ("" / 0 = not applicable).

    Every dashboard figure is a SUM over these rows; the dimensions never hold
    NULL so the unique constraint makes a recomputed day replace, not duplicate.
    """

    __tablename__ = "kpi_daily_metrics"
    __table_args__ = (
        UniqueConstraint("day", "metric", "channel", "persona", "article_id", "ref_id", "label", "is_demo",
                         name="uq_kpi_daily_metrics_key"),
        Index("ix_kpi_daily_metrics_metric_day", "metric", "day"),
        # The dashboard's 「デモデータを含みます」 check: a few demo rows, found without reading the real ones.
        Index("ix_kpi_daily_metrics_demo_day", "day", postgresql_where=text("is_demo"), sqlite_where=text("is_demo = 1")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20), default="")
    persona: Mapped[str] = mapped_column(String(20), default="")
    article_id: Mapped[int] = mapped_column(default=0)
    ref_id: Mapped[int] = mapped_column(default=0)  # broadcast or event id, by metric
    label: Mapped[str] = mapped_column(String(200), default="")  # path, query, source, command...
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    is_demo: Mapped[bool] = mapped_column(default=False)


class DailyTotal(Base):
    """``kpi_daily_metrics`` summed per (day, metric, channel, tied to an article or not).

    Kept equal to the daily rows by database triggers (migration 0028) on every insert,
    update and delete of ``kpi_daily_metrics``, whoever writes them; ``daily_rows`` counts the
    daily rows behind a total (the total goes when the last one does). Never written by
    the application (a copy of the data between databases copies ``kpi_daily_metrics``
    only: the triggers fill the sums). The dashboard's daily series read these ~15 rows
    a day instead of the ~1,000 daily rows of a busy day.
    """

    __tablename__ = "kpi_daily_totals"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    on_article: Mapped[bool] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    daily_rows: Mapped[int] = mapped_column(Integer)


class WeeklyMetric(Base):
    """``kpi_daily_metrics`` summed per Monday–Sunday week, along every dimension but the day.

    Kept equal to the daily rows by the same triggers as ``DailyTotal``. A period's
    breakdowns read its whole weeks here and only the days at its edges from the daily
    rows: 90 days are ~13 weeks of rows plus a few days, not 90 days of rows.
    """

    __tablename__ = "kpi_weekly_metrics"

    week: Mapped[date] = mapped_column(Date, primary_key=True)  # the Monday
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    persona: Mapped[str] = mapped_column(String(20), primary_key=True)
    article_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    ref_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    label: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    daily_rows: Mapped[int] = mapped_column(Integer)


class RollupDay(Base):
    """Which days were rolled up, and whether their raw events are already gone."""

    __tablename__ = "kpi_rollup_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rolled_up_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw_pruned: Mapped[bool] = mapped_column(default=False)


class LineUnitStat(Base):
    """LINE's own statistics of one aggregation unit, as fetched on one day (insight API)."""

    __tablename__ = "kpi_line_unit_stats"
    __table_args__ = (UniqueConstraint("unit", "fetched_day", name="uq_kpi_line_unit_stats_unit_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(30))
    fetched_day: Mapped[date] = mapped_column(Date)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    unique_impression: Mapped[int | None] = mapped_column(BigInteger)
    unique_click: Mapped[int | None] = mapped_column(BigInteger)
    unique_media_played: Mapped[int | None] = mapped_column(BigInteger)
    impressions: Mapped[int | None] = mapped_column(BigInteger)  # sum over bubbles
    clicks: Mapped[int | None] = mapped_column(BigInteger)  # sum over URLs
    is_demo: Mapped[bool] = mapped_column(default=False)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class PostStat(Base):
    """A public post's own numbers as its platform reports them (X: impressions), latest fetch.

    One row per post, replaced at every fetch; the roll-up counts its impressions as the
    reach (配信到達) of the post's broadcast on the day the post went out.
    """

    __tablename__ = "kpi_post_stats"
    __table_args__ = (UniqueConstraint("channel", "post_id", name="uq_kpi_post_stats_channel_post"),
                      Index("ix_kpi_post_stats_posted_at", "posted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    post_id: Mapped[str] = mapped_column(String(40))  # the platform's id of the post
    broadcast_id: Mapped[int | None]
    article_id: Mapped[int | None]
    posted_at: Mapped[datetime]
    impressions: Mapped[int | None] = mapped_column(BigInteger)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class InflowSource(Base):
    """An add-friend link/QR for one place (event flyer, school visit...), added in the console."""

    __tablename__ = "kpi_inflow_sources"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(20), default="line")  # line | discord
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StageAssumption(Base):
    """A starting rate of one funnel stage for the projection (仮定), edited by staff.

    Used until enough measured data exists (kpi.stage_projection); a missing row
    means the documented default of kpi.assumptions.DEFAULTS.
    """

    __tablename__ = "kpi_stage_assumptions"

    stage: Mapped[str] = mapped_column(String(30), primary_key=True)
    rate: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
