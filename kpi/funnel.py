"""The cross-channel funnel: reach → click → article view → registration → attendance → next step.

Each step is a daily metric; a funnel "by X" sums each step grouped by one
dimension. Steps a dimension cannot know are ``None`` (a cookie-less page view
has no persona), never a misleading zero.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from channels import registry
from kpi import metrics as m
from kpi import queries
from kpi.queries import Scope


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    metric: str
    articles_only: bool = False


STEPS = (
    Step("delivered", "配信到達", m.DELIVERED),
    Step("clicks", "リンククリック", m.CLICKS),
    Step("article_views", "記事閲覧", m.PAGE_VIEWS, articles_only=True),
    Step("registrations", "イベント申込", m.REGISTRATIONS),
    Step("attendances", "イベント参加", m.ATTENDANCES),
    Step("next_step", "次の一歩（就職情報・支援）", m.NEXT_STEP_VIEWS),
)
# Which steps each breakdown can measure.
GROUPS = {
    "channel": {s.key for s in STEPS},
    "persona": {"delivered", "clicks", "registrations", "attendances"},
    "article": {"delivered", "clicks", "article_views", "registrations", "attendances"},
    "week": {s.key for s in STEPS},
}


BOT_CHANNELS = ("line", "discord")
# The web has no deliveries or bot clicks: those steps do not apply to it.
NOT_FOR_WEB = ("delivered", "clicks")


def bot_totals(session: Session, scope: Scope) -> dict[str, int]:
    """Totals over the bot channels only, where every step is counted the same way."""
    out = {step.key: 0 for step in STEPS}
    for channel in BOT_CHANNELS:
        for key, value in totals(session, replace(scope, channel=channel)).items():
            out[key] += value
    return out


def totals(session: Session, scope: Scope) -> dict[str, int]:
    out = {}
    for step in STEPS:
        if step.articles_only:
            out[step.key] = queries.article_views(session, scope)
        else:
            out[step.key] = queries.total(session, step.metric, scope)
    return out


def conversions(values: list[int | None]) -> list[float | None]:
    """Rate of each step relative to the previous measured step (first: None)."""
    out: list[float | None] = []
    previous = None
    for value in values:
        out.append(value / previous if value is not None and previous else None)
        if value is not None:
            previous = value
    return out


def breakdown(session: Session, scope: Scope, group: str) -> dict[object, dict[str, int | None]]:
    """{group value: {step key: value or None}} for group in GROUPS."""
    measurable = GROUPS[group]
    table: dict[object, dict[str, int | None]] = defaultdict(lambda: {s.key: None for s in STEPS})
    for step in STEPS:
        if step.key not in measurable:
            continue
        if group == "week":
            found = queries.weekly(session, step.metric, scope, articles_only=step.articles_only)
        else:
            found = queries.by_dimension(session, step.metric, scope, group, articles_only=step.articles_only)
        for key, value in found.items():
            if group == "article" and not key:
                continue  # activity not tied to an article
            table[key][step.key] = value
    for row in table.values():
        for key in measurable:
            row[key] = row[key] or 0
    if group == "channel" and "web" in table:
        table["web"].update({key: None for key in NOT_FOR_WEB})
    if group == "channel":
        for channel, row in table.items():
            if reach_unknown(channel, row["delivered"]):
                row["delivered"] = None  # 「不明」: never a denominator
    return dict(table)


def reach_unknown(channel: str, delivered: int | None) -> bool:
    """Discord reach is unknown (posts, not people); so is the reach of a channel that only its
    platform reports (X impressions) while nothing was reported."""
    if channel == "discord":
        return True
    return not delivered and channel in {c.name for c in registry.all_channels() if c.reach_reported}


def click_through(clicks: int | None, delivered: int | None) -> float | None:
    return clicks / delivered if clicks is not None and delivered else None
