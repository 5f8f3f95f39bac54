"""Discord KPIs: command use and member joins land in the KPI events (kpi.service)."""
from __future__ import annotations

from sqlalchemy import select

from bot.discord import settings
from core.db import db
from tests.bot.discord.discord_helpers import GUILD, member, settle_events


def kpi_events(kind: str | None = None):
    from kpi.models import KpiEvent

    db.session.expire_all()
    query = select(KpiEvent).where(KpiEvent.channel == "discord")
    return list(db.session.scalars(query if kind is None else query.where(KpiEvent.kind == kind)))


def test_command_use_is_counted_for_the_kpis(demo_app, run, standin):
    async def scenario(h):
        await h.command("latest")
        await h.command("help")
        await h.command("tour", "view")
    run(scenario)
    assert sorted(e.label for e in kpi_events()) == ["/help", "/latest", "/tour view"]


def test_member_joins_are_counted_for_the_kpis(app, session, run, standin):
    from kpi.metrics import EVENT_JOIN

    settings.save(session, settings.SettingsForm(guild_id=GUILD))
    session.commit()

    async def scenario(h):
        h.client.dispatch("member_join", member(h.client))
        h.client.dispatch("member_join", member(h.client, "1400000000000000055"))
        await settle_events()
    run(scenario)
    assert len(kpi_events(EVENT_JOIN)) == 2
