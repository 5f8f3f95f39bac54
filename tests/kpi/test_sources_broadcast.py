"""Reading the broadcasting tables: messages delivered per broadcast and persona."""
import uuid
from datetime import timedelta

from kpi_helpers import at
from kpi_scenario import DAY

from kpi import metrics as m
from kpi import rollup, sources
from kpi.queries import Scope, total
from notifications.models import Broadcast, BroadcastDelivery, Subscriber


def delivery(session, broadcast, channel, status="sent", recipients=None, count=0, when=None):
    session.add(BroadcastDelivery(broadcast_id=broadcast.id, channel=channel, recipients=recipients,
                                  recipient_count=count or len(recipients or []), retry_key=str(uuid.uuid4()),
                                  status=status, sent_at=when or at(DAY)))


def test_deliveries_count_recipients_by_persona_and_skip_unsent(app, session):
    session.add_all([Subscriber(channel="line", external_id=u, persona=p) for u, p in
                     (("U1", "student"), ("U2", "student"), ("U3", "parent"))])
    broadcast = Broadcast(title="6月号", text="…", channels=["line", "discord"], send_at=at(DAY),
                          aggregation_unit="broadcast_1")
    session.add(broadcast)
    session.flush()
    delivery(session, broadcast, "line", recipients=["U1", "U2", "U3", "U4"])
    delivery(session, broadcast, "line", status="failed", recipients=["U5"])
    delivery(session, broadcast, "discord", count=120)
    delivery(session, broadcast, "line", recipients=["U6"], when=at(DAY + timedelta(days=1)))
    session.commit()
    found = sorted(sources.deliveries_on(session, DAY))
    assert found == [("discord", "", broadcast.id, 0, 120), ("line", "", broadcast.id, 0, 1),
                     ("line", "parent", broadcast.id, 0, 1), ("line", "student", broadcast.id, 0, 2)]
    assert sources.broadcast_for_units(session, ["broadcast_1"]) == {"broadcast_1": (broadcast.id, "6月号")}
    rollup.rollup_day(session, DAY, app.config["SECRET_KEY"])
    assert total(session, m.DELIVERED, Scope(DAY, DAY)) == 4  # Discord posts are not reach
    assert total(session, m.DISCORD_POSTS, Scope(DAY, DAY)) == 120
    assert total(session, m.DELIVERED, Scope(DAY, DAY, "line")) == 4
