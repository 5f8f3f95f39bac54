"""Helpers of the X channel's tests: the composer form, approving, draining the outbox."""
from __future__ import annotations

from sqlalchemy import select

from core.db import db
from notifications.models import Broadcast, BroadcastDelivery
from testkit import make_test_app
from tests.notifications.broadcast_helpers import post_form, standin_config

NEW = "/admin/broadcasts/new"


def x_app(database_url, tmp_path, **extra):
    return make_test_app(database_url, tmp_path / "instance",
                         **standin_config(BROADCAST_RETRY_BASE_SECONDS=0.0, BROADCAST_RETRY_MAX_SECONDS=0.0, **extra))


def form(text: str, slug: str = "", action: str = "send", thread: bool = False) -> dict:
    data = {"channels": ["x"], "audience": "everyone", "text": text, "timing": "now", "action": action,
            "article": slug}
    return {**data, "thread": "1"} if thread else data


def drain(app) -> None:
    """One worker's rounds (a new Dispatcher: nothing carried over from an earlier run)."""
    from notifications.dispatcher import Dispatcher

    with Dispatcher(app.config) as dispatcher:
        for _ in range(3):
            dispatcher.run_once(db.session, budget_seconds=5)


def x_row(broadcast_id: int) -> BroadcastDelivery:
    db.session.expire_all()
    return db.session.scalar(select(BroadcastDelivery).where(BroadcastDelivery.broadcast_id == broadcast_id,
                                                             BroadcastDelivery.channel == "x"))


def approve(client, broadcast: Broadcast) -> None:
    post_form(client, f"/admin/broadcasts/{broadcast.id}", f"/admin/broadcasts/{broadcast.id}/approve", {})


def approved_broadcast(client, text: str = "工場見学のお知らせ", **options) -> Broadcast:
    post_form(client, NEW, NEW, form(text, **options))
    broadcast = db.session.scalar(select(Broadcast).order_by(Broadcast.id.desc()))
    approve(client, broadcast)
    return broadcast
