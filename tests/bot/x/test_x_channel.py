"""The X channel end to end against the X stand-in: approval, posting, threads, errors, manual mode."""
from __future__ import annotations

import time

from sqlalchemy import select

from bot.x.models import XProblem
from core.db import db, utcnow
from notifications.models import Broadcast
from tests.bot.x.x_helpers import NEW, drain, form, x_app, x_row
from tests.bot.x.x_helpers import approved_broadcast as _approved_broadcast
from tests.notifications.broadcast_helpers import login, make_article, make_staff, page, post_form

LONG_JAPANESE = "大田区の町工場が集まる見学会を開きます。" * 7  # 140 characters: 280 weighted


def test_over_280_is_refused_until_shortened_then_approved_and_posted(app, ward, x_api):
    article = make_article(db.session)
    refused = post_form(ward, NEW, NEW, form(LONG_JAPANESE, article.slug)).get_data(as_text=True)
    assert "Xの投稿は280" in refused and "現在304です" in refused  # 280 + newline + URL 23
    assert db.session.scalar(select(Broadcast)) is None

    sent = post_form(ward, NEW, NEW, form(LONG_JAPANESE[:120], article.slug))
    assert sent.status_code == 302
    broadcast = db.session.scalar(select(Broadcast))
    assert broadcast.status == "awaiting_approval"
    drain(app)
    assert x_api.posts == {}  # nothing goes out before the approval

    detail = page(ward, f"/admin/broadcasts/{broadcast.id}")
    assert "承認待ち" in detail
    post_form(ward, f"/admin/broadcasts/{broadcast.id}", f"/admin/broadcasts/{broadcast.id}/approve", {})
    drain(app)
    [posted] = x_api.posts.values()
    assert posted["text"].startswith(LONG_JAPANESE[:120]) and "/r/" in posted["text"]
    row = x_row(broadcast.id)
    assert row.status == "sent" and row.external_ref in x_api.posts
    timeline = app.test_client().get("/posts").get_data(as_text=True)
    assert f"https://x.com/ota_monozukuri/status/{row.external_ref}" in timeline


def test_a_thread_only_when_staff_ask_for_it(app, ward, x_api):
    text = "町工場の技術を紹介します。" * 30
    assert "スレッドに分けて投稿" in post_form(ward, NEW, NEW, form(text)).get_data(as_text=True)
    post_form(ward, NEW, NEW, form(text, thread=True))
    broadcast = db.session.scalar(select(Broadcast))
    post_form(ward, f"/admin/broadcasts/{broadcast.id}", f"/admin/broadcasts/{broadcast.id}/approve", {})
    drain(app)
    posts = list(x_api.posts.values())
    assert len(posts) == 3 and [p["text"][-4:] for p in posts] == [" 1/3", " 2/3", " 3/3"]
    assert posts[1]["reply_to"] is not None and posts[0]["reply_to"] is None


def test_429_waits_until_the_reset_time(app, ward, x_api):
    x_api.rate_limit_next(int(time.time()) + 600)
    broadcast = _approved_broadcast(ward)
    drain(app)
    row = x_row(broadcast.id)
    assert row.status == "pending" and row.last_status == 429
    assert (row.next_attempt_at - utcnow()).total_seconds() > 500


def test_duplicate_content_fails_with_a_clear_message(app, ward, x_api):
    first = _approved_broadcast(ward, "同じ本文")
    drain(app)
    second = _approved_broadcast(ward, "同じ本文")
    drain(app)
    assert x_row(first.id).status == "sent"
    row = x_row(second.id)
    assert row.status == "failed" and "同じ内容の投稿がすでにXにある" in row.last_error


def test_a_refused_token_switches_the_channel_off_with_a_console_warning(app, ward, x_api):
    x_api.refuse_token()
    broadcast = _approved_broadcast(ward)
    drain(app)
    assert x_row(broadcast.id).status == "failed"
    assert db.session.scalar(select(XProblem)) is not None
    assert "公式Xは停止中です" in page(ward, "/admin/x/")
    refused = post_form(ward, NEW, NEW, form("次のお知らせ")).get_data(as_text=True)
    assert "公式Xは停止中です" in refused
    post_form(ward, "/admin/x/", "/admin/x/resume", {})
    assert post_form(ward, NEW, NEW, form("次のお知らせ")).status_code == 302


def test_without_a_token_staff_post_by_hand_and_paste_the_address(database_url, tmp_path, x_api):
    app = x_app(database_url, tmp_path)
    with app.app_context():
        client = app.test_client()
        login(client, make_staff(db.session, "ward"))
        broadcast = _approved_broadcast(client, "手動で投稿するお知らせ")
        drain(app)
        assert x_row(broadcast.id).status == "stopped" and x_api.calls == []
        manual = page(client, "/admin/x/")
        assert "手動で投稿するお知らせ" in manual and "https://x.com/intent/post?text=" in manual
        row = x_row(broadcast.id)
        bad = post_form(client, "/admin/x/", f"/admin/x/manual/{row.id}", {"url": "https://example.com/x"})
        assert bad.status_code == 302 and x_row(broadcast.id).status == "stopped"
        url = "https://x.com/ota_monozukuri/status/1234567890"
        post_form(client, "/admin/x/", f"/admin/x/manual/{row.id}", {"url": url})
        assert x_row(broadcast.id).status == "sent"
        assert url in app.test_client().get("/posts").get_data(as_text=True)
        db.session.remove()
