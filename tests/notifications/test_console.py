"""The broadcast composer and reports in the staff console: roles, CSRF, preview, send, cancel, retry."""
from __future__ import annotations

from datetime import timedelta

import pytest
from broadcast_helpers import add_subscribers, drain, login, make_article, make_staff, page, post_form
from sqlalchemy import func, select

from core.db import utcnow
from core.timefmt import jst
from notifications.models import Broadcast, BroadcastDelivery
from staff.models import AuditLog

NEW = "/admin/broadcasts/new"


@pytest.fixture
def client(bapp):
    return bapp.test_client()


@pytest.fixture
def ward_client(client, session):
    login(client, make_staff(session, "ward"))
    return client


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _form(**overrides) -> dict:
    data = {"channels": ["line", "web"], "audience": "topics", "topics": ["news"], "text": "お知らせです",
            "timing": "now", "action": "send"}
    data.update(overrides)
    return data


def test_contractors_and_strangers_cannot_broadcast(client, session):
    assert client.get("/admin/broadcasts").status_code == 302  # to the login page
    login(client, make_staff(session, "contractor"))
    for url in ("/admin/broadcasts", NEW, "/admin/broadcasts/settings"):
        assert client.get(url).status_code == 403
    assert client.post(NEW, data=_form()).status_code in (400, 403)
    assert _count(session, Broadcast) == 0


def test_admins_may_broadcast(client, session):
    login(client, make_staff(session, "admin"))
    assert client.get(NEW).status_code == 200


def test_posting_without_csrf_token_is_refused(ward_client, session):
    response = ward_client.post(NEW, data=_form())
    assert response.status_code == 400
    assert _count(session, Broadcast) == 0


def test_preview_shows_line_bubble_discord_embed_and_quota(ward_client, session, line_api):
    from notifications import routing

    routing.save_route(session, "*", "1300000000000000001")
    session.commit()
    add_subscribers(session, 3)
    article = make_article(session)
    line_api.quota_limit = 1000
    html = post_form(ward_client, NEW, NEW, _form(action="preview", article=article.slug,
                                                   channels=["line", "discord", "web"])).get_data(as_text=True)
    assert "LINEでの表示" in html and "Discordでの表示" in html
    assert html.count(article.title) >= 3  # bubble, embed, web post
    assert "お知らせです" in html
    assert "LINE配信の見込み: 3通" in html and "今月の残り: 1,000通" in html
    assert "途中で配信が止まります" not in html
    assert _count(session, Broadcast) == 0  # a preview writes nothing


def test_preview_warns_when_the_quota_would_run_out(ward_client, session, line_api):
    add_subscribers(session, 30)
    line_api.quota_limit = 20
    html = post_form(ward_client, NEW, NEW, _form(action="preview")).get_data(as_text=True)
    assert "LINE配信の見込み: 30通" in html and "途中で配信が止まります" in html


def test_send_queues_and_audits(ward_client, session, line_api):
    add_subscribers(session, 5)
    response = post_form(ward_client, NEW, NEW, _form())
    assert response.status_code == 302
    broadcast = session.scalar(select(Broadcast))
    assert response.headers["Location"].endswith(f"/admin/broadcasts/{broadcast.id}")
    assert (broadcast.status, broadcast.channels, broadcast.topics) == ("queued", ["line", "web"], ["news"])
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "broadcast.create"))
    assert entry.target_id == str(broadcast.id) and entry.staff_id == broadcast.created_by_id


@pytest.mark.parametrize("overrides, message", [
    ({"text": "", "article": ""}, "本文を入力するか、記事を選んでください"),
    ({"article": "no-such-article"}, "記事が見つかりません"),
    ({"audience": "topics", "topics": []}, "トピックを1つ以上選ぶ"),
    ({"timing": "later", "at": "2001-01-01T09:00"}, "配信日時が過去"),
    ({"timing": "later", "at": "明日の朝"}, "配信日時が読み取れません"),
    ({"channels": []}, "配信先チャンネルを1つ以上選んでください"),
    ({"channels": ["discord"]}, "Discord投稿先チャンネルが設定されていません"),
    ({"unit": "日本語"}, "集計単位名"),
])
def test_bad_input_gets_a_japanese_error_and_nothing_is_written(ward_client, session, overrides, message):
    response = post_form(ward_client, NEW, NEW, _form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(session, Broadcast) == 0


def test_schedule_then_cancel(bapp, ward_client, session, line_api):
    add_subscribers(session, 5)
    at = jst(utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert post_form(ward_client, NEW, NEW, _form(timing="later", at=at)).status_code == 302
    broadcast = session.scalar(select(Broadcast))
    assert broadcast.status == "queued" and broadcast.send_at > utcnow() + timedelta(days=1)
    url = f"/admin/broadcasts/{broadcast.id}"
    assert "この配信を取り消す" in page(ward_client, url)
    assert post_form(ward_client, url, f"{url}/cancel", {}).status_code == 302
    session.refresh(broadcast)
    assert broadcast.status == "cancelled"
    assert session.scalar(select(AuditLog).where(AuditLog.action == "broadcast.cancel")) is not None
    # A started broadcast cannot be cancelled any more.
    again = post_form(ward_client, url, f"{url}/cancel", {})
    assert "取り消せません" in ward_client.get(again.headers["Location"]).get_data(as_text=True)


def test_report_and_retry_failed_from_the_console(bapp, ward_client, session, line_api):
    add_subscribers(session, 700)
    line_api.fail_ratio(403, 1.0, path_prefix="/v2/bot/message/multicast")
    assert post_form(ward_client, NEW, NEW, _form(channels=["line"])).status_code == 302
    broadcast = session.scalar(select(Broadcast))
    drain(bapp, session)
    url = f"/admin/broadcasts/{broadcast.id}"
    html = page(ward_client, url)
    assert '<td data-failed>700</td>' in html and "HTTP 403" in html
    assert "失敗・停止した送信を再送する" in html
    line_api.clear_faults()
    assert post_form(ward_client, url, f"{url}/retry", {}).status_code == 302
    drain(bapp, session)
    html = page(ward_client, url)
    assert '<td data-sent>700</td>' in html and '<td data-failed>0</td>' in html
    statuses = set(session.scalars(select(BroadcastDelivery.status)))
    assert statuses == {"sent"}
    assert session.scalar(select(AuditLog).where(AuditLog.action == "broadcast.retry_failed")) is not None
