"""Delivery reports and the LINE quota estimate shown in the console."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from channels import registry
from channels.base import Quota
from notifications.audience import count_audience
from notifications.models import Broadcast, BroadcastDelivery

REPORT_STATUSES = ("sent", "failed", "pending", "stopped", "cancelled")


@dataclass
class ChannelReport:
    channel: str
    counts_people: bool = False  # the channel's outbox rows carry recipients (LINE) or are posts
    requests: dict[str, int] = field(default_factory=dict)  # outbox rows per status
    recipients: dict[str, int] = field(default_factory=dict)  # recipients per status
    reasons: list[tuple[str, int]] = field(default_factory=list)  # (error, rows) of failed/stopped/retrying

    def count(self, status: str) -> int:
        """Recipients where rows reach many people, posts otherwise."""
        source = self.recipients if self.counts_people else self.requests
        return source.get(status, 0)


@dataclass
class DeliveryReport:
    broadcast_id: int
    status: str
    stop_reason: str | None
    channels: list[ChannelReport]

    def channel(self, name: str) -> ChannelReport | None:
        return next((c for c in self.channels if c.channel == name), None)

    @property
    def has_failures(self) -> bool:
        return any(c.requests.get("failed", 0) or c.requests.get("stopped", 0) for c in self.channels)


def _normalise(status: str) -> str:
    return "pending" if status == "sending" else status  # in flight counts as not yet delivered


def delivery_report(session: Session, broadcast: Broadcast) -> DeliveryReport:
    """Per channel: sent / failed / pending (and stopped, cancelled), with the reasons."""
    D = BroadcastDelivery
    per_status = session.execute(
        select(D.channel, D.status, func.count(), func.coalesce(func.sum(D.recipient_count), 0))
        .where(D.broadcast_id == broadcast.id).group_by(D.channel, D.status)
    ).all()
    known = {channel.name: channel for channel in registry.all_channels()}

    def new_report(name: str) -> ChannelReport:
        return ChannelReport(name, counts_people=known[name].counts_people if name in known else False)

    reports = {name: new_report(name) for name in broadcast.channels or []}
    for channel, status, rows, recipients in per_status:
        report = reports.setdefault(channel, new_report(channel))
        key = _normalise(status)
        report.requests[key] = report.requests.get(key, 0) + rows
        report.recipients[key] = report.recipients.get(key, 0) + int(recipients)
    reasons = session.execute(
        select(D.channel, D.last_error, func.count())
        .where(D.broadcast_id == broadcast.id, D.last_error.is_not(None), D.status != "sent")
        .group_by(D.channel, D.last_error)
    ).all()
    for channel, error, rows in reasons:
        reports.setdefault(channel, new_report(channel)).reasons.append((error, rows))
    order = list(known)
    ordered = sorted(reports.values(), key=lambda r: order.index(r.channel) if r.channel in order else 99)
    return DeliveryReport(broadcast.id, broadcast.status, broadcast.stop_reason, ordered)


def estimate_line_messages(session: Session, topics: Sequence[str] = (), personas: Sequence[str] = ()) -> int:
    """Messages a LINE broadcast would count against the quota: one per recipient.

    LINE counts a multicast per recipient, however many message objects it carries.
    """
    return count_audience(session, topics, personas, "line")


@dataclass(frozen=True)
class QuotaCheck:
    estimate: int
    quota: Quota | None  # None: the channel is not set up or did not answer
    label: str = "LINE"

    @property
    def remaining(self) -> int | None:
        return self.quota.remaining if self.quota else None

    @property
    def exceeds(self) -> bool:
        return self.remaining is not None and self.estimate > self.remaining

    @property
    def message(self) -> str:
        if self.quota is None:
            return f"{self.label}配信の見込み: {self.estimate:,}通（今月の残り送信数は取得できませんでした）"
        if self.quota.limit is None:
            return f"{self.label}配信の見込み: {self.estimate:,}通（送信数の上限なし）"
        text = (f"{self.label}配信の見込み: {self.estimate:,}通／今月の残り: {self.remaining:,}通"
                f"（上限 {self.quota.limit:,}通、使用済み {self.quota.used:,}通）")
        if self.exceeds:
            text += "。今月の残り送信数を超えるため、途中で配信が止まります"
        return text


def quota_check(config, estimate: int) -> QuotaCheck:
    """Compare an estimate with LINE's quota and consumption this month."""
    return QuotaCheck(estimate, registry.get("line", config).quota(config))

