"""Abuse limits on public registration: rate limits, scripted-looking bursts, same person twice.

- per address (keyed hash of the client IP) and per contact, counted over a window,
  across events: over the limit is refused with a plain Japanese message;
- a form sent faster than a person can fill it, or one of a burst from one address,
  is *held* for staff review instead of taking a seat (staff admit or cancel it);
- the same normalised name and contact already registered (any channel) gets the
  existing registration shown, not a second one.
The limits come from the app config (``core.config``: EVENT_LIMIT_* / EVENT_BURST_* /
EVENT_MIN_FILL_SECONDS). Staff entries and chat applications carry no address.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events.models import Registration

HELD_REASONS = {"fast_fill": "入力が速すぎる", "burst": "同じ接続元から短時間に連続"}
RATE_LIMITED = ("短い時間に多くのお申し込みがあったため、いまは受け付けられません。"
                "時間をおいてお試しいただくか、団体でのお申し込みは区の窓口までお電話ください。")


@dataclass(frozen=True)
class Limits:
    per_source_hour: int = 40
    per_contact_day: int = 5
    burst_count: int = 5
    burst_seconds: int = 10
    min_fill_seconds: float = 3.0


def limits_from(config: Mapping) -> Limits:
    defaults = Limits()
    return Limits(
        per_source_hour=int(config.get("EVENT_LIMIT_PER_IP_HOUR", defaults.per_source_hour)),
        per_contact_day=int(config.get("EVENT_LIMIT_PER_CONTACT_DAY", defaults.per_contact_day)),
        burst_count=int(config.get("EVENT_BURST_COUNT", defaults.burst_count)),
        burst_seconds=int(config.get("EVENT_BURST_SECONDS", defaults.burst_seconds)),
        min_fill_seconds=float(config.get("EVENT_MIN_FILL_SECONDS", defaults.min_fill_seconds)),
    )


def _count_since(session: Session, column, value: str, since: datetime) -> int:
    query = select(func.count()).select_from(Registration).where(column == value, Registration.created_at >= since)
    return int(session.scalar(query) or 0)


def over_limit(session: Session, limits: Limits, source_hash: str | None, contact: str | None,
               now: datetime) -> bool:
    if source_hash and _count_since(session, Registration.source_hash, source_hash,
                                    now - timedelta(hours=1)) >= limits.per_source_hour:
        return True
    return bool(contact) and _count_since(session, Registration.contact, contact,
                                          now - timedelta(days=1)) >= limits.per_contact_day


def held_reason(session: Session, limits: Limits, source_hash: str | None, fill_seconds: float | None,
                now: datetime) -> str | None:
    """Why this application looks scripted, or None."""
    if fill_seconds is not None and fill_seconds < limits.min_fill_seconds:
        return "fast_fill"
    if source_hash and _count_since(session, Registration.source_hash, source_hash,
                                    now - timedelta(seconds=limits.burst_seconds)) >= limits.burst_count - 1:
        return "burst"
    return None


def same_person_key(name: str | None) -> str:
    """A name compared without spaces or case ("大田 太郎" == "大田太郎")."""
    return "".join((name or "").split()).casefold()


def same_person(session: Session, event_id: int, name: str | None, contact: str | None,
                active: tuple[str, ...]) -> Registration | None:
    """An active registration of this event with the same normalised name and contact, any channel."""
    if not name or not contact:
        return None
    wanted = same_person_key(name)
    query = select(Registration).where(Registration.event_id == event_id, Registration.contact == contact,
                                       Registration.status.in_(active)).order_by(Registration.id)
    return next((r for r in session.scalars(query) if same_person_key(r.name) == wanted), None)
