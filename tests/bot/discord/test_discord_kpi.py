"""Discord KPIs: command use and member joins land in the KPI events (kpi.service)."""
from __future__ import annotations

from sqlalchemy import select

from web.db import db


def test_command_use_is_counted_for_the_kpis(demo_app, run, standin):
    from kpi.models import KpiEvent
    from web.db import db

    async def scenario(h):
        await h.command("latest")
        await h.command("help")
        await h.command("tour", "view")
    run(scenario)
    db.session.expire_all()
    labels = db.session.scalars(select(KpiEvent.label).where(KpiEvent.channel == "discord")).all()
    assert sorted(labels) == ["/help", "/latest", "/tour view"]
