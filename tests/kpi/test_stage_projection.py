"""The 3-month estimate: documented assumptions (仮定) until measured rates have 30 people behind them."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from kpi_helpers import at, csrf, login_as, page
from sqlalchemy import select

from core.db import db
from kpi import assumptions, stage_projection
from kpi import metrics as m
from kpi.models import DailyMetric
from kpi.queries import Scope
from staff.models import AuditLog

START = date(2026, 9, 7)
SCOPE = Scope(START, START + timedelta(days=27))  # four weeks


def put(session, metric: str, value: int, day: date = START) -> None:
    session.add(DailyMetric(day=day, metric=metric, channel="line", persona="student", article_id=0, ref_id=1,
                            label="", value=value))
    session.commit()


def by_stage(rows):
    return {row.stage: row for row in rows}


def test_without_data_every_stage_is_the_documented_assumption(app, session):
    rows = by_stage(stage_projection.project(session, SCOPE))
    assert all(not row.measured and row.basis == "仮定" for row in rows.values())
    assert rows["reach"].estimate == pytest.approx(300 * 13)
    assert rows["interest"].estimate == pytest.approx(300 * 13 * 0.05)
    assert rows["work"].estimate == pytest.approx(300 * 13 * 0.05 * 0.05 * 0.10 * 0.10)
    assert all(row.low <= row.estimate <= row.high for row in rows.values())


def test_measured_rates_replace_assumptions_once_30_people_are_behind_them(app, session):
    put(session, m.DELIVERED, 400)
    put(session, m.CLICKERS, 40)
    put(session, m.REGISTRATIONS, 3)  # only 40 interested: 体験 measured; 相談 has 3 behind it → assumed
    rows = by_stage(stage_projection.project(session, SCOPE))
    assert rows["reach"].measured and rows["reach"].estimate == pytest.approx(400 / 4 * 13)
    assert rows["interest"].measured and rows["interest"].rate == pytest.approx(0.10)
    assert rows["experience"].measured and rows["experience"].rate == pytest.approx(3 / 40)
    assert not rows["consult"].measured and rows["consult"].rate == pytest.approx(0.10)
    assert rows["interest"].basis == "実測（認知 400人中 40人）"
    for row in rows.values():
        assert 0 <= row.low <= row.estimate <= row.high
        assert row.rate is None or 0 <= row.rate <= 1


def test_wilson_interval_stays_within_zero_and_one():
    assert stage_projection.wilson(0, 30)[0] == 0.0
    low, high = stage_projection.wilson(30, 30)
    assert 0.85 < low < 1.0 and high == 1.0


def test_staff_edit_the_assumptions_and_the_estimate_follows(app, session, client):
    login_as(client, "ward")
    html = page(client, "/admin/kpi/assumptions")
    assert "週あたりの配信到達" in html and "（初期値）" in html
    token = csrf(client, "/admin/kpi/assumptions")
    response = client.post("/admin/kpi/assumptions/interest",
                           data={"rate": "8", "low": "4", "high": "12", "csrf_token": token})
    assert response.status_code == 302
    rows = by_stage(stage_projection.project(session, SCOPE))
    assert rows["interest"].rate == pytest.approx(0.08) and rows["interest"].basis == "仮定"
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "kpi.assumption"))
    assert entry.target_id == "interest" and entry.details["rate"] == pytest.approx(0.08)


@pytest.mark.parametrize("values, message", [
    ({"rate": "5", "low": "8", "high": "12"}, "低 ≦ 見込み ≦ 高"),
    ({"rate": "50", "low": "40", "high": "120"}, "100%以下"),
    ({"rate": "たくさん", "low": "1", "high": "2"}, "数字を入れてください"),
])
def test_bad_edits_are_refused_in_japanese(app, session, client, values, message):
    login_as(client, "ward")
    token = csrf(client, "/admin/kpi/assumptions")
    response = client.post("/admin/kpi/assumptions/interest", data={**values, "csrf_token": token})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert assumptions.current(db.session)["interest"].edited is False


def test_the_dashboard_shows_the_estimate_with_its_basis(app, session, client):
    login_as(client, "ward")
    html = page(client, f"/admin/kpi/?from={SCOPE.start}&to={SCOPE.end}")
    assert "3か月（13週）の見込み" in html and "仮定" in html
    assert at(START)  # the helper module's calendar matches the scope's days
