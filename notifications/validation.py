"""Checks on a broadcast request; every message is Japanese and names what to fix."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from channels import registry
from core.db import utcnow
from notifications import compose
from notifications.topics import PERSONAS, TOPICS

TEXT_MAX = 1000
MAX_SCHEDULE_AHEAD = timedelta(days=366)
PAST_TOLERANCE = timedelta(minutes=1)
UNIT_PATTERN = re.compile(r"^[a-zA-Z0-9_]{1,30}$")  # customAggregationUnits in messaging-api.yml


class BroadcastError(ValueError):
    """A broadcast request that cannot be queued; ``str(exc)`` is shown to staff."""


def check_text(text: str, article, shared: dict | None = None) -> str:
    text = (text or "").strip()
    if not text and article is None and not shared:
        raise BroadcastError("本文を入力するか、記事を選んでください")
    if len(text) > TEXT_MAX:
        raise BroadcastError(f"本文は{TEXT_MAX}文字以内にしてください（現在{len(text)}文字）")
    return text


def check_article(article) -> None:
    if article is not None and article.status != "published":
        raise BroadcastError(f"記事「{article.title}」は公開されていません。公開してから配信してください")


def check_names(values: Sequence[str], allowed: dict[str, str], what: str) -> list[str]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        choices = "、".join(f"{key}（{label}）" for key, label in allowed.items())
        raise BroadcastError(f"不明な{what}です: {', '.join(unknown)}。使えるもの: {choices}")
    return sorted(set(values), key=list(allowed).index)


def check_topics(topics: Sequence[str]) -> list[str]:
    return check_names(topics, TOPICS, "トピック")


def check_personas(personas: Sequence[str]) -> list[str]:
    return check_names(personas, PERSONAS, "対象")


def available_channels(session: Session, config, topics: Sequence[str]) -> list[str]:
    """Channels a broadcast on these topics can use now, in registry order."""
    return [c.name for c in registry.all_channels(config) if c.unavailable_reason(session, config, topics) is None]


def default_channels(session: Session, config, topics: Sequence[str]) -> list[str]:
    """What "every channel" means: those set up, except the ones that need an approval (X)."""
    return [name for name in available_channels(session, config, topics)
            if not registry.get(name, config).needs_approval]


def check_channels(session: Session, config, channels: Sequence[str] | None, topics: Sequence[str]) -> list[str]:
    if channels is None:
        return default_channels(session, config, topics)
    known = registry.labels(config)
    unknown = [c for c in channels if c not in known]
    if unknown:
        choices = ", ".join(known)
        raise BroadcastError(f"不明なチャンネルです: {', '.join(unknown)}（{choices} から選んでください）")
    if not channels:
        raise BroadcastError("配信先チャンネルを1つ以上選んでください")
    for name in known:
        reason = registry.get(name, config).unavailable_reason(session, config, topics) if name in channels else None
        if reason:
            raise BroadcastError(reason)
    return [name for name in known if name in channels]


def check_drafts(config, channels: Sequence[str], content) -> None:
    """Each chosen platform's own limits (e.g. X's weighted 280) on the text as it will go out."""
    for name in channels:
        reason = registry.get(name, config).check_draft(config, content)
        if reason:
            raise BroadcastError(reason)


def check_time(at: datetime | None, now: datetime | None = None) -> datetime | None:
    if at is None:
        return None
    if at.tzinfo is None:
        raise BroadcastError("配信日時にはタイムゾーンを含めてください（例: 2027-01-15T09:00+09:00）")
    now = now or utcnow()
    if at < now - PAST_TOLERANCE:
        raise BroadcastError("配信日時が過去になっています。これから先の日時を指定してください")
    if at > now + MAX_SCHEDULE_AHEAD:
        raise BroadcastError("配信日時は1年以内にしてください")
    return at


def check_unit(unit: str | None) -> str | None:
    if unit is None or unit == "":
        return None
    if not UNIT_PATTERN.match(unit):
        raise BroadcastError("集計単位名は半角英数字とアンダースコアで30文字以内にしてください")
    return unit


@dataclass(frozen=True)
class CheckedRequest:
    text: str
    topics: list[str]
    personas: list[str]
    channels: list[str]
    at: datetime | None
    unit: str | None


def check_request(session: Session, config, *, article, text: str | None, topics: Sequence[str],
                  personas: Sequence[str], channels: Sequence[str] | None, at: datetime | None,
                  unit: str | None, thread: bool = False, shared: dict | None = None) -> CheckedRequest:
    """Every check of a broadcast request, in the order staff fill the form.

    ``shared``: another page attached as the card (a video), see ``forms.find_shared``.
    """
    check_article(article)
    if article is not None and shared:
        raise BroadcastError(f"記事と{shared.get('label') or 'ページ'}は同時に添付できません。どちらか一方にしてください")
    body = check_text(text or "", article, shared)
    checked_topics = check_topics(topics)
    checked_channels = check_channels(session, config, channels, checked_topics)
    check_drafts(config, checked_channels, compose.draft(config, body, article, thread=thread, shared=shared))
    return CheckedRequest(
        text=body, topics=checked_topics, personas=check_personas(personas),
        channels=checked_channels, at=check_time(at), unit=check_unit(unit),
    )
