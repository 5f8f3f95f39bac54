"""Names of the daily metrics, KPI event kinds and the calendar (Asia/Tokyo days, Monday weeks)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from channels import registry

JST = ZoneInfo("Asia/Tokyo")
# Our wording where the registry's label would mislead on the dashboard (web = every direct visit too).
CHANNEL_LABELS = {"line": "LINE", "discord": "Discord", "web": "Web（直接・検索など）", "": "全体"}


def channels() -> tuple[str, ...]:
    """The channels KPIs are broken down by: the channel registry's, in its order.

    A plugin channel (``EXTRA_CHANNEL_PLUGINS``) is one of them without any change here.
    """
    return tuple(registry.names())

# Daily metrics (kpi_daily_metrics.metric) and the dimensions each one fills.
PAGE_VIEWS = "page_views"  # channel (entry), article_id, label=path
UNIQUE_VISITORS = "unique_visitors"  # channel "" = whole site, or per entry channel
REFERRERS = "referrers"  # label=referrer domain
CAMPAIGNS = "campaigns"  # channel=utm_source, label=utm_campaign
NEXT_STEP_VIEWS = "next_step_views"  # channel (entry), label=path
CLICKS = "clicks"  # channel, persona, article_id, ref_id=broadcast, label=campaign
DELIVERED = "delivered"  # channel, persona, article_id, ref_id=broadcast
FOLLOWS = "follows"  # channel, persona, label=inflow source
UNFOLLOWS = "unfollows"  # channel, persona
REFOLLOWS = "refollows"  # channel, persona
FOLLOWERS = "followers"  # channel, persona: active at the end of the day
FRIEND_LINK_OPENS = "friend_link_opens"  # channel=target, label=source key
REGISTRATIONS = "registrations"  # channel, persona, article_id, ref_id=event
WAITLISTED = "waitlisted"  # same dimensions as registrations
ATTENDANCES = "attendances"  # same dimensions, day = attended_at
SEARCHES = "searches"  # channel, label=query
ZERO_RESULT_SEARCHES = "zero_result_searches"  # channel, label=query
DISCORD_JOINS = "discord_joins"
# Behaviour-change funnel (kpi.funnel_stages, kpi.stage_rollup).
CLICKERS = "clickers"  # people (distinct per day) who opened a broadcast link: channel, persona, article, ref=broadcast
DISCORD_POSTS = "discord_posts"  # Discord posts of broadcasts (reach unknown): ref=broadcast
CONTACTS = "contacts"  # contact requests to the ward: channel, persona, article (touch), ref=company, label=kind
OUTCOMES = "outcomes"  # 応募/内定/就職 by occurred day: channel, persona, article, ref=company, label=kind
PERSONA_UNKNOWN = "unknown"  # a click whose link named no segment and no person
BOT_COMMANDS = "bot_commands"  # channel, label=command

# Kinds of kpi_events rows (written through kpi.service).
EVENT_FOLLOW, EVENT_UNFOLLOW, EVENT_REFOLLOW = "follow", "unfollow", "refollow"
EVENT_FRIEND_LINK = "friend_link"
EVENT_JOIN, EVENT_COMMAND = "join", "command"
FOLLOW_EVENT_METRICS = {EVENT_FOLLOW: FOLLOWS, EVENT_UNFOLLOW: UNFOLLOWS, EVENT_REFOLLOW: REFOLLOWS}
NEXT_STEP_CAMPAIGN = "next-step"


def jst_day(moment: datetime | None = None) -> date:
    moment = moment or datetime.now(UTC)
    return moment.astimezone(JST).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a Tokyo calendar day as aware UTC datetimes."""
    start = datetime.combine(day, time(0), tzinfo=JST)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


@lru_cache(maxsize=4096)  # pure, and called for every day of every weekly series
def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_day_of_each_week(days) -> dict[date, date]:
    """Monday → the latest of ``days`` in that week (snapshots are read at the end of a week)."""
    last: dict[date, date] = {}
    for day in days:
        monday = week_start(day)
        if monday not in last or day > last[monday]:
            last[monday] = day
    return last


def days_between(start: date, end: date) -> list[date]:
    """Every day from start to end inclusive."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
