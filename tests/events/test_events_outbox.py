"""Offers and reminders go through the real broadcast outbox (retry keys, LINE payload)."""
from __future__ import annotations

import json

from events_helpers import apply

from events import waitlist
from notifications.models import Broadcast, BroadcastDelivery


def test_offer_is_queued_in_the_outbox_for_the_line_user(app, session, workshop, line_user):
    full = apply(workshop, "U-first", adults=10)
    apply(workshop, line_user.external_id)
    waitlist.cancel(session, full)
    session.expire_all()
    (push,) = session.query(Broadcast).filter(Broadcast.kind == "push").all()
    assert push.reason == "event_offer" and push.urgent
    (delivery,) = session.query(BroadcastDelivery).filter(BroadcastDelivery.broadcast_id == push.id).all()
    assert delivery.channel == "line" and delivery.recipients == [line_user.external_id]
    payload = json.dumps(push.payloads["line"], ensure_ascii=False)
    assert "空きが出ました" in payload and "a=reg&s=accept" in payload
