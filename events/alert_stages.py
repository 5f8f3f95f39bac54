"""A parent's choice of workshop alerts by their child's school stage (未就学 … 高校生).

Stored per subscriber (``AlertPreference``); ``events.alerts`` sends a workshop alert
only to those whose chosen stages meet the event's age range.
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from events.models import SCHOOL_STAGES, AlertPreference, Event
from messages.limits import action

STAGE_HELP = ("お子さまの学年を選ぶと、その学年に合う体験教室だけをお知らせします。"
              "もう一度選ぶと外せます。何も選ばないと、すべての教室をお知らせします。")


def fits_stages(event: Event, stages: list[str]) -> bool:
    """True when the event's age range meets one of the chosen stages (no range or no choice: everyone)."""
    chosen = [SCHOOL_STAGES[s] for s in stages if s in SCHOOL_STAGES]
    if not chosen or (event.age_min is None and event.age_max is None):
        return True
    low, high = event.age_min if event.age_min is not None else 0, event.age_max if event.age_max is not None else 99
    return any(youngest <= high and low <= oldest for _label, youngest, oldest in chosen)


def toggle_stage(session: Session, channel: str, user_id: str, stage: str) -> list[str] | None:
    """Add or remove one stage of the chat user's preference; None when the stage is unknown."""
    from notifications.subscriptions import find_subscriber

    subscriber = find_subscriber(session, channel, user_id)
    if stage not in SCHOOL_STAGES or subscriber is None:
        return None
    preference = (session.get(AlertPreference, subscriber.id)
                  or AlertPreference(subscriber_id=subscriber.id, stages=[]))
    chosen = list(preference.stages or [])
    preference.stages = [s for s in chosen if s != stage] if stage in chosen else chosen + [stage]
    session.add(preference)
    session.flush()
    return preference.stages


def stage_summary(stages: list[str]) -> str:
    if not stages:
        return "学年の指定を外しました。すべての体験教室をお知らせします。"
    labels = "・".join(SCHOOL_STAGES[s][0] for s in SCHOOL_STAGES if s in stages)
    return f"{labels}に合う体験教室をお知らせします。{STAGE_HELP}"


def stage_choices(config: Mapping) -> list:
    return [action(label, "reg", display_text=label, s="stage", v=stage)
            for stage, (label, _low, _high) in SCHOOL_STAGES.items()]
