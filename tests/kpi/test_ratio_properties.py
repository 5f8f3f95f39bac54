"""Property tests: over random event streams every shown rate is a true ratio (≤ 100 %)
and the nested funnel step (興味 ⊆ 認知) never exceeds the step before it."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kpi_helpers import at

from core.db import db
from kpi import funnel_stages, report, rollup
from kpi.models import Click, DailyMetric
from kpi.queries import Scope
from kpi.tables import Pct, pct, ratio
from notifications.models import Broadcast, BroadcastDelivery, Subscriber

DAY = date(2026, 6, 1)
PERSONAS = ("student", "jobseeker", "parent")


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_ratio_is_never_above_one(part, whole):
    value = ratio(part, whole)
    assert value is None or 0 <= value <= 1
    assert pct(part / whole if whole else None) is None or pct(part / whole) <= 1


clicks_strategy = st.lists(st.tuples(
    st.integers(min_value=0, max_value=3),  # day offset
    st.sampled_from(PERSONAS + ("",)),  # segment persona ("" = no segment)
    st.integers(min_value=0, max_value=6),  # visitor
), max_size=40)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.tuples(*(st.integers(min_value=0, max_value=4) for _ in PERSONAS)), clicks=clicks_strategy)
def test_random_streams_keep_rates_true_and_interest_within_reach(app, sizes, clicks):
    session = db.session
    for table in (Click, DailyMetric, BroadcastDelivery, Broadcast, Subscriber):
        session.query(table).delete()
    broadcast = Broadcast(title="b", text="t", channels=["line"], send_at=at(DAY), aggregation_unit="u", status="sent")
    session.add(broadcast)
    session.flush()
    for persona, size in zip(PERSONAS, sizes):
        users = [f"{persona}-{n}" for n in range(size)]
        session.add_all(Subscriber(channel="line", external_id=u, persona=persona) for u in users)
        if users:
            session.add(BroadcastDelivery(broadcast_id=broadcast.id, channel="line", recipients=users,
                                          recipient_count=len(users), retry_key=str(uuid.uuid4()), status="sent",
                                          sent_at=at(DAY)))
    for offset, persona, visitor in clicks:
        day = DAY + timedelta(days=offset)
        session.add(Click(day=day, created_at=at(day), channel="line", broadcast_id=broadcast.id,
                          segment=f"persona:{persona}" if persona else "", visitor_hash=f"v{visitor}-{offset}"))
    session.commit()
    for offset in range(4):
        rollup.rollup_day(session, DAY + timedelta(days=offset), app.config["SECRET_KEY"])
    session.commit()
    scope = Scope(DAY, DAY + timedelta(days=3))
    for by in ("total", "channel", "persona", "article", "series", "company"):
        for key, values in funnel_stages.breakdown(session, scope, by).items():
            if funnel_stages.reach_known(by, key):
                assert values["interest"] <= values["reach"], (by, key, values)
    for table in report.build_all(session, scope).values():
        for row in table.rows:
            assert all(cell <= 1 for cell in row if isinstance(cell, Pct)), (table.key, row)
