"""Starting assumptions (仮定) of the behaviour-change funnel, for the 3-month estimate.

Before the campaign has measured enough, the estimate multiplies these documented
starting rates; staff can change them in the console (/admin/kpi/assumptions). Each
stage's rate is replaced by the measured one as soon as its denominator holds at least
``MIN_SAMPLE`` people (kpi.stage_projection).

Defaults and where they come from (rough, deliberately cautious figures):
- 週あたりの配信到達 300人: a new municipal LINE account of a few hundred friends, one post a week.
- 興味 (opened a link ÷ reached) 5 % (3–10 %): typical click rates of municipal LINE posts.
- 体験 (registered ÷ interested) 5 % (2–10 %): small-capacity tours and workshops.
- 相談・応募 (÷ 体験) 10 % (5–20 %): share of participants who ask a company or apply.
- 就業 (÷ 相談・応募) 10 % (5–20 %): hires among those who asked or applied, within months.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kpi.models import StageAssumption
from staff import audit


@dataclass(frozen=True)
class Assumption:
    stage: str  # "reach" (people per week) or the stage whose rate it is (interest, experience, ...)
    label: str
    rate: float
    low: float
    high: float
    edited: bool = False

    @property
    def is_count(self) -> bool:
        return self.stage == "reach"


DEFAULTS: tuple[Assumption, ...] = (
    Assumption("reach", "週あたりの配信到達（人）", 300, 150, 600),
    Assumption("interest", "興味（リンクを開いた人 ÷ 届いた人）", 0.05, 0.03, 0.10),
    Assumption("experience", "体験（申し込んだ人 ÷ 興味）", 0.05, 0.02, 0.10),
    Assumption("consult", "相談・応募（÷ 体験）", 0.10, 0.05, 0.20),
    Assumption("work", "就業（÷ 相談・応募）", 0.10, 0.05, 0.20),
)
BY_STAGE = {a.stage: a for a in DEFAULTS}


class AssumptionError(ValueError):
    """An edit that cannot be used; ``str(exc)`` is shown to staff in Japanese."""


def current(session: Session) -> dict[str, Assumption]:
    """Every stage's assumption: the staff's edit where there is one, else the default."""
    edited = {row.stage: row for row in session.scalars(select(StageAssumption))}
    out = {}
    for default in DEFAULTS:
        row = edited.get(default.stage)
        out[default.stage] = default if row is None else Assumption(
            default.stage, default.label, row.rate, row.low, row.high, edited=True)
    return out


def _check(default: Assumption, rate: float, low: float, high: float) -> None:
    if not 0 <= low <= rate <= high:
        raise AssumptionError(f"「{default.label}」は 低 ≦ 見込み ≦ 高 の順に入れてください")
    if not default.is_count and high > 1:
        raise AssumptionError(f"「{default.label}」は100%以下にしてください")


def save(session: Session, staff, stage: str, rate: float, low: float, high: float) -> Assumption:
    default = BY_STAGE.get(stage)
    if default is None:
        raise AssumptionError("不明な段階です")
    _check(default, rate, low, high)
    row = session.get(StageAssumption, stage) or StageAssumption(stage=stage)
    row.rate, row.low, row.high = rate, low, high
    row.updated_by_id = staff.id if staff is not None else None
    session.add(row)
    audit.record(session, staff, "kpi.assumption", "kpi_stage_assumption", stage,
                 {"rate": rate, "low": low, "high": high})
    return Assumption(stage, default.label, rate, low, high, edited=True)
