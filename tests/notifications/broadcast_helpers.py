"""Helpers for the broadcasting tests: subscribers in bulk, articles, draining the outbox."""
from __future__ import annotations

import re
import time
from datetime import timedelta

from flask import g
from sqlalchemy import insert, select

from content.models import Article
from core.db import utcnow
from notifications.dispatcher import Dispatcher
from notifications.models import Broadcast, BroadcastDelivery, Subscriber, Subscription


def standin_config(line_api=None, discord_api=None, **extra) -> dict:
    config = {
        "QUIET_HOURS": "",
        "BROADCAST_RETRY_BASE_SECONDS": 0.001,
        "BROADCAST_RETRY_MAX_SECONDS": 0.01,
        "BROADCAST_CONCURRENCY": 4,
        "BROADCAST_REQUEST_TIMEOUT": 10,
    }
    if line_api is not None:
        config.update(LINE_CHANNEL_ACCESS_TOKEN=line_api.access_token, LINE_CHANNEL_SECRET="test-secret",
                      LINE_API_BASE_URL=line_api.base_url)
    if discord_api is not None:
        config.update(DISCORD_BOT_TOKEN=discord_api.token, DISCORD_API_BASE_URL=discord_api.base_url)
    config.update(extra)
    return config


def line_user_id(n: int, seed: int = 0) -> str:
    return f"U{seed:08x}{n:024x}"


def add_subscribers(session, count: int, *, topics=("news",), channel: str = "line", persona: str = "student",
                    status: str = "active", seed: int = 0) -> list[str]:
    """Insert ``count`` subscribers in bulk; returns their external ids."""
    now = utcnow()
    ids = [line_user_id(i, seed) if channel == "line" else str(10**17 + seed * 10**6 + i) for i in range(count)]
    rows = [{"channel": channel, "external_id": ext, "display_name": "", "persona": persona, "status": status,
             "created_at": now, "updated_at": now} for ext in ids]
    session.execute(insert(Subscriber), rows)
    new_ids = session.scalars(select(Subscriber.id).where(Subscriber.external_id.in_(ids))).all()
    subs = [{"subscriber_id": sid, "topic": topic, "created_at": now} for sid in new_ids for topic in topics]
    if subs:
        session.execute(insert(Subscription), subs)
    session.commit()
    return ids


def make_article(session, slug: str = "kouba-news", category: str = "news", status: str = "published",
                 title: str = "町工場の新しい挑戦") -> Article:
    article = Article(slug=slug, title=title, category=category, summary="大田区の町工場が新しい製品を発表しました。",
                      body_md="本文", status=status,
                      published_at=utcnow() - timedelta(hours=1) if status == "published" else None)
    session.add(article)
    session.commit()
    return article


def drain(app, session, timeout: float = 30.0):
    """Run the dispatcher until nothing is due; returns the accumulated passes."""
    deadline = time.monotonic() + timeout
    passes = []
    with Dispatcher(app.config) as dispatcher:
        while time.monotonic() < deadline:
            stats = dispatcher.run_once(session, budget_seconds=5)
            passes.append(stats)
            if not _work_left(session):
                return passes
            time.sleep(0.005)
    raise AssertionError("outbox did not drain in time")


def _work_left(session) -> bool:
    session.expire_all()
    D = BroadcastDelivery
    due = select(D.id).where(
        (D.status == "sending") | ((D.status == "pending") & (D.next_attempt_at <= utcnow() + timedelta(seconds=1)))
    ).limit(1)
    queued = select(Broadcast.id).where(Broadcast.status == "queued", Broadcast.send_at <= utcnow()).limit(1)
    return session.scalar(due) is not None or session.scalar(queued) is not None


def deliveries(session, broadcast_id: int, channel: str | None = None) -> list[BroadcastDelivery]:
    session.expire_all()
    query = select(BroadcastDelivery).where(BroadcastDelivery.broadcast_id == broadcast_id)
    if channel:
        query = query.where(BroadcastDelivery.channel == channel)
    return list(session.scalars(query.order_by(BroadcastDelivery.channel, BroadcastDelivery.seq)))


def multicasts(line_api, status: int | None = None):
    calls = line_api.calls_to("/v2/bot/message/multicast", "POST")
    return [c for c in calls if status is None or c.status == status]


# --- console ------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_staff(session, role: str):
    from staff.accounts import create_account

    staff = create_account(session, f"{role}@example.jp", f"{role}さん", role, PASSWORD, None)
    session.commit()
    return staff


def page(client, url: str) -> str:
    # The test app context stays pushed between requests; drop Flask-WTF's cached token.
    g.pop("csrf_token", None)
    return client.get(url).get_data(as_text=True)


def csrf_from(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


def login(client, staff) -> None:
    token = csrf_from(page(client, "/admin/login"))
    response = client.post("/admin/login", data={"email": staff.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def post_form(client, page_url: str, action_url: str, data: dict):
    token = csrf_from(page(client, page_url))
    return client.post(action_url, data={**data, "csrf_token": token})
DISCORD_CHANNEL = "1300000000000000001"
