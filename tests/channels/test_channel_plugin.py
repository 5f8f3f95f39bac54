"""A new channel is one module + one registry entry: compose → preview → send → report → KPI.

The newsletter channel (newsletter_channel.py) exists only in the tests; no production
file names it. It is switched on through the ``EXTRA_CHANNEL_PLUGINS`` setting.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import newsletter_channel
import pytest
from sqlalchemy import insert, select

from channels import registry
from core.db import db, utcnow
from kpi import rollup
from kpi.metrics import jst_day
from kpi.queries import Scope
from kpi.report.overview import funnel_by_channel
from notifications.dispatcher import Dispatcher
from notifications.models import Broadcast, BroadcastDelivery, Subscriber, Subscription
from testkit import make_test_app
from tests.notifications.broadcast_helpers import login, make_article, make_staff, page, post_form

NEW = "/admin/broadcasts/new"
READERS = ["ward-reader-1@example.jp", "ward-reader-2@example.jp", "ward-reader-3@example.jp"]


@pytest.fixture
def app(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path / "instance", EXTRA_CHANNEL_PLUGINS=("newsletter_channel",),
                        NEWSLETTER_FROM="news@example.jp", QUIET_HOURS="",
                        BROADCAST_RETRY_BASE_SECONDS=0.0, BROADCAST_RETRY_MAX_SECONDS=0.0)
    newsletter_channel.SENT.clear()
    with app.app_context():
        yield app
    db.session.remove()


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def ward(app, session):
    client = app.test_client()
    login(client, make_staff(session, "ward"))
    return client


def add_readers(session, topics=("news",)) -> None:
    now = utcnow()
    session.execute(insert(Subscriber), [
        {"channel": "newsletter", "external_id": e, "display_name": "", "persona": "parent", "status": "active",
         "created_at": now, "updated_at": now} for e in READERS])
    ids = session.scalars(select(Subscriber.id).where(Subscriber.channel == "newsletter")).all()
    session.execute(insert(Subscription), [{"subscriber_id": i, "topic": t, "created_at": now}
                                           for i in ids for t in topics])
    session.commit()


def form(article_slug: str, action: str) -> dict:
    return {"channels": ["newsletter", "web"], "audience": "topics", "topics": ["news"], "text": "工場見学のお知らせ",
            "timing": "now", "action": action, "article": article_slug}


def send_everything(app, session) -> None:
    with Dispatcher(app.config) as dispatcher:
        for _ in range(5):
            dispatcher.run_once(session, budget_seconds=5)


def test_the_registry_lists_the_plugin_only_where_it_is_configured(app):
    assert registry.names(app.config)[-1] == "newsletter"
    assert "newsletter" not in registry.names({})  # production has no such channel


def test_compose_preview_send_report_and_kpi(app, session, ward):
    add_readers(session)
    article = make_article(session)

    composer = page(ward, NEW)
    assert 'value="newsletter"' in composer and "メールマガジン" in composer

    preview = post_form(ward, NEW, NEW, form(article.slug, "preview")).get_data(as_text=True)
    assert "メール配信の見込み: 3通" in preview and "件名: " + article.title in preview
    assert session.scalar(select(Broadcast)) is None  # a preview writes nothing

    sent = post_form(ward, NEW, NEW, form(article.slug, "send"))
    assert sent.status_code == 302
    broadcast = session.scalar(select(Broadcast))
    assert broadcast.channels == ["web", "newsletter"]  # registry order: plugins from settings come last
    send_everything(app, session)

    # Sent in BCC batches of the channel's chunk size, each once, with the tracked article link.
    assert sorted(r for mail in newsletter_channel.SENT for r in mail["bcc"]) == sorted(READERS)
    assert [len(mail["bcc"]) for mail in newsletter_channel.SENT] == [2, 1]
    assert len({mail["key"] for mail in newsletter_channel.SENT}) == 2
    body = newsletter_channel.SENT[0]["body"]
    assert "工場見学のお知らせ" in body and "/r/" in body

    report = page(ward, f"/admin/broadcasts/{broadcast.id}")
    assert 'data-channel="newsletter"' in report and "メールマガジン（人）" in report
    row = report.split('data-channel="newsletter"')[1].split("</tr>")[0]
    assert '<td data-sent>3</td>' in row and '<td data-failed>0</td>' in row

    link = next(word for word in body.split() if "/r/" in word)
    assert app.test_client().get(urlsplit(link).path, headers={"User-Agent": "Mozilla/5.0"}).status_code == 302
    rollup.rollup_day(session, jst_day(), app.config["SECRET_KEY"])
    session.commit()
    table = funnel_by_channel(session, Scope(jst_day(), jst_day()))
    [newsletter_row] = [row for row in table.rows if row[0] == "メールマガジン"]
    assert 3 in newsletter_row and 1 in newsletter_row  # delivered to 3 people, clicked by 1


def test_a_temporary_refusal_is_retried_with_the_same_key(app, session, ward):
    app.config["NEWSLETTER_REFUSE_NEXT"] = 1
    add_readers(session)
    post_form(ward, NEW, NEW, form(make_article(session).slug, "send"))
    send_everything(app, session)
    rows = session.scalars(select(BroadcastDelivery).where(BroadcastDelivery.channel == "newsletter")).all()
    assert {r.status for r in rows} == {"sent"} and max(r.attempts for r in rows) == 2
    assert len(newsletter_channel.SENT) == 2


def test_an_unconfigured_plugin_is_offered_but_refused_with_its_hint(app, session, ward):
    app.config["NEWSLETTER_FROM"] = ""
    add_readers(session)
    html = post_form(ward, NEW, NEW, form(make_article(session).slug, "send")).get_data(as_text=True)
    assert "メールマガジンが設定されていないため配信できません（NEWSLETTER_FROM を設定してください）" in html
    assert session.scalar(select(Broadcast)) is None


def test_the_dashboard_breaks_down_by_the_plugin_channel_without_kpi_knowing_it(app, session, ward):
    from kpi import metrics
    from kpi.report.audience import channel_comparison

    assert metrics.channels() == tuple(registry.names(app.config)) and "newsletter" in metrics.channels()
    add_readers(session)
    post_form(ward, NEW, NEW, form(make_article(session).slug, "send"))
    send_everything(app, session)
    link = next(word for word in newsletter_channel.SENT[0]["body"].split() if "/r/" in word)
    app.test_client().get(urlsplit(link).path, headers={"User-Agent": "Mozilla/5.0"})
    rollup.rollup_day(session, jst_day(), app.config["SECRET_KEY"])
    session.commit()

    table = channel_comparison(session, Scope(jst_day(), jst_day()))
    [row] = [row for row in table.rows if row[0] == "メールマガジン"]
    assert row[1:4] == [3, 1, 1 / 3]  # delivered to 3 readers, 1 click, a true ratio
    dashboard = page(ward, "/admin/kpi/")
    assert '<option value="newsletter">メールマガジン</option>' in dashboard
    only = ward.get(f"/admin/kpi/?channel=newsletter&from={jst_day()}&to={jst_day()}")
    assert only.status_code == 200 and "チャネル：メールマガジン" in only.get_data(as_text=True)
    refused = ward.get("/admin/kpi/?channel=fax").get_data(as_text=True)
    assert "「メールマガジン」から選んでください" in refused
