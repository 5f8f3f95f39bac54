"""Japanese labels for channels, personas and weeks."""
from __future__ import annotations

from datetime import date, timedelta

from channels import registry
from kpi.metrics import CHANNEL_LABELS, PERSONA_UNKNOWN
from notifications.topics import PERSONAS


def channel_label(channel: str) -> str:
    """Our wording for the built-in channels; any other channel's own label from the registry."""
    return CHANNEL_LABELS.get(channel) or registry.labels().get(channel) or channel or "不明"


def persona_label(persona: str) -> str:
    if persona == PERSONA_UNKNOWN:
        return "区分なし（リンクにペルソナの記録なし）"
    return PERSONAS.get(persona, persona) if persona else "未設定"


def week_label(monday: date) -> str:
    sunday = monday + timedelta(days=6)
    return f"{monday.month}/{monday.day}〜{sunday.month}/{sunday.day}"


def short_day(day: date) -> str:
    return f"{day.month}/{day.day}"
