"""The 3-month (13-week) estimate of the behaviour-change funnel, from measured rates or 仮定.

Per stage the rate is measured (stage ÷ the stage before, over the chosen period) once
the stage before holds at least ``MIN_SAMPLE`` people; until then the staff's starting
assumption (kpi.assumptions) is used and labelled 仮定. The range of a measured rate is
its 95 % Wilson interval (always within 0–100 %); of an assumption, its low/high values.
Weekly reach is the measured average when anyone was reached, else the assumption.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import sqrt

from sqlalchemy.orm import Session

from kpi import assumptions, funnel_stages
from kpi.queries import Scope
from kpi.report import builder
from kpi.tables import Table, pct

HORIZON_WEEKS = 13
MIN_SAMPLE = 30  # people in the stage before: fewer and the assumption is kept
Z95 = 1.96


@dataclass(frozen=True)
class StageEstimate:
    stage: str
    label: str
    measured: bool
    basis: str  # Japanese: "実測（届いた 120人中 6人）" or "仮定"
    rate: float | None  # None for the first stage (a count, not a rate)
    estimate: float
    low: float
    high: float


def wilson(successes: int, trials: int) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion (never outside 0–1)."""
    if trials <= 0:
        return 0.0, 1.0
    p = min(successes, trials) / trials
    centre = p + Z95 ** 2 / (2 * trials)
    spread = Z95 * sqrt(p * (1 - p) / trials + Z95 ** 2 / (4 * trials ** 2))
    denominator = 1 + Z95 ** 2 / trials
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


def _weekly_reach(measured_reach: int, weeks: float, assumed) -> tuple[float, float, float, bool]:
    if measured_reach > 0:
        weekly = measured_reach / weeks
        return weekly, weekly, weekly, True
    return assumed.rate, assumed.low, assumed.high, False


def project(session: Session, scope: Scope) -> list[StageEstimate]:
    counts = funnel_stages.breakdown(session, scope, "total").get("", {})
    assumed = assumptions.current(session)
    weeks = max(scope.days / 7, 1 / 7)
    weekly, low, high, measured = _weekly_reach(counts.get("reach", 0), weeks, assumed["reach"])
    first = funnel_stages.STAGES[0]
    basis = f"実測（{scope.days}日間に{counts.get('reach', 0):,}人）" if measured else "仮定"
    out = [StageEstimate(first.key, first.label, measured, basis, None,
                         weekly * HORIZON_WEEKS, low * HORIZON_WEEKS, high * HORIZON_WEEKS)]
    for before, stage in zip(funnel_stages.STAGES, funnel_stages.STAGES[1:]):
        previous = out[-1]
        trials, successes = counts.get(before.key, 0), counts.get(stage.key, 0)
        if trials >= MIN_SAMPLE and successes <= trials:
            rate, (rate_low, rate_high) = successes / trials, wilson(successes, trials)
            basis = f"実測（{before.label} {trials:,}人中 {successes:,}人）"
            measured = True
        else:
            guess = assumed[stage.key]
            rate, rate_low, rate_high, basis, measured = guess.rate, guess.low, guess.high, "仮定", False
        out.append(StageEstimate(stage.key, stage.label, measured, basis, rate, previous.estimate * rate,
                                 previous.low * rate_low, previous.high * rate_high))
    return out


@builder("stages_outlook")
def outlook_table(session: Session, scope: Scope) -> Table:
    table = Table("stages_outlook", "3か月（13週）の見込み（行動変容ファネル）",
                  ["段階", "割合の根拠", "前の段階からの割合", "見込み（人）", "低い場合", "高い場合"],
                  note="「仮定」の割合は、実測が30人分たまるまで使う出発点です（KPIの仮定の画面で変更できます）。")
    for row in project(session, scope):
        rate = pct(row.rate) if row.rate is not None else None
        table.rows.append([row.label, row.basis, rate, round(row.estimate, 1), round(row.low, 1), round(row.high, 1)])
    return table
