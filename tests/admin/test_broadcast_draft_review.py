"""Review of broadcast drafts: the contractor drafts, ward staff send back with a comment or
approve; both see the thread; the console badge waits for whoever must act next."""
from __future__ import annotations

import pytest
from console_helpers import fresh_page, login, make_staff, post_form
from sqlalchemy import select

from core.db import db
from notifications.models import Broadcast, BroadcastComment
from staff.models import AuditLog

DRAFTS = "/admin/broadcasts/drafts"
DRAFT = {"text": "見学会のお知らせです", "audience": "topics", "topics": ["tours"], "channels": ["web"]}


@pytest.fixture
def people(app):
    return {role: make_staff(role) for role in ("contractor", "ward")}


def _client(app, staff):
    client = app.test_client()
    assert login(client, staff.email).status_code == 302
    return client


def _badge(client) -> str:
    html = fresh_page(client, "/admin/")
    return html.split('class="badge">', 1)[1].split("<", 1)[0] if 'class="badge">' in html else "0"


def _draft(contractor) -> Broadcast:
    response = post_form(contractor, DRAFTS, DRAFTS, DRAFT)
    assert response.status_code == 302
    db.session.expire_all()
    broadcast = db.session.scalar(select(Broadcast).order_by(Broadcast.id.desc()))
    assert response.location.endswith(f"{DRAFTS}/{broadcast.id}")
    return broadcast


def test_send_back_fix_and_approve_with_one_thread_both_sides_see(app, people):
    contractor, ward = _client(app, people["contractor"]), _client(app, people["ward"])
    broadcast = _draft(contractor)
    url = f"{DRAFTS}/{broadcast.id}"
    assert broadcast.status == "draft"
    assert (_badge(ward), _badge(contractor)) == ("1", "0")
    assert "配信の下書き: 見学会のお知らせです" in fresh_page(ward, "/admin/review")

    # Ward sends it back with a reason: it now waits for the contractor, nothing is queued.
    response = post_form(ward, url, f"{url}/send-back", {"body": "日時と集合場所を書いてください"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Broadcast, broadcast.id).status == "returned"
    assert (_badge(ward), _badge(contractor)) == ("0", "1")
    assert "配信の差し戻し: 見学会のお知らせです" in fresh_page(contractor, "/admin/review")
    page = fresh_page(contractor, url)
    assert "日時と集合場所を書いてください" in page and "直して承認を依頼する" in page
    assert "承認して送信する" not in page  # not the contractor's to decide

    # Both write in the thread; the contractor fixes the draft and hands it over again.
    post_form(contractor, url, f"{url}/comments", {"body": "集合場所は蒲田駅でよいですか"})
    post_form(ward, url, f"{url}/comments", {"body": "はい、蒲田駅東口です"})
    fixed = {**DRAFT, "text": "見学会は3月5日10時、蒲田駅東口に集合です", "note": "日時と場所を足しました"}
    assert post_form(contractor, url, f"{url}/resubmit", fixed).status_code == 302
    db.session.expire_all()
    again = db.session.get(Broadcast, broadcast.id)
    assert again.status == "draft" and again.text == fixed["text"]
    assert (_badge(ward), _badge(contractor)) == ("1", "0")
    ward_view = fresh_page(ward, url)
    for said in ("日時と集合場所を書いてください", "集合場所は蒲田駅でよいですか", "はい、蒲田駅東口です", "日時と場所を足しました"):
        assert said in ward_view and said in fresh_page(contractor, url)
    assert "蒲田駅東口に集合です" in ward_view  # the preview shows what would go out

    # Ward approves: queued for the worker, the thread records it, nothing waits any more.
    assert post_form(ward, url, f"{url}/approve", {}).status_code == 302
    db.session.expire_all()
    done = db.session.get(Broadcast, broadcast.id)
    assert done.status == "queued" and done.approved_by_id == people["ward"].id
    assert (_badge(ward), _badge(contractor)) == ("0", "0")
    kinds = list(db.session.scalars(select(BroadcastComment.kind).order_by(BroadcastComment.id)))
    assert kinds == ["sendback", "comment", "comment", "resubmit", "approve"]
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"broadcast.sendback", "broadcast.resubmit", "broadcast.approve"} <= actions


def test_contractor_cannot_approve_or_send_back(app, people):
    contractor = _client(app, people["contractor"])
    broadcast = _draft(contractor)
    url = f"{DRAFTS}/{broadcast.id}"
    assert post_form(contractor, url, f"{url}/approve", {}).status_code == 403
    assert post_form(contractor, url, f"{url}/send-back", {"body": "自分で"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Broadcast, broadcast.id).status == "draft"


def test_a_send_back_needs_a_reason_and_a_queued_draft_cannot_be_sent_back(app, people):
    contractor, ward = _client(app, people["contractor"]), _client(app, people["ward"])
    broadcast = _draft(contractor)
    url = f"{DRAFTS}/{broadcast.id}"
    post_form(ward, url, f"{url}/send-back", {"body": "  "})
    assert "差し戻しの理由を書いてください" in fresh_page(ward, url)
    db.session.expire_all()
    assert db.session.get(Broadcast, broadcast.id).status == "draft"
    post_form(ward, url, f"{url}/approve", {})
    post_form(ward, url, f"{url}/send-back", {"body": "やっぱり直して"})
    db.session.expire_all()
    assert db.session.get(Broadcast, broadcast.id).status == "queued"
    assert "すでに状態が変わっています" in fresh_page(ward, url)


def test_only_a_returned_draft_can_be_changed_and_a_bad_fix_is_a_japanese_error(app, people):
    contractor, ward = _client(app, people["contractor"]), _client(app, people["ward"])
    broadcast = _draft(contractor)
    url = f"{DRAFTS}/{broadcast.id}"
    # Waiting for the ward: the contractor cannot swap the text under the reviewer.
    post_form(contractor, url, f"{url}/resubmit", {**DRAFT, "text": "すり替え"})
    db.session.expire_all()
    assert db.session.get(Broadcast, broadcast.id).text == DRAFT["text"]
    post_form(ward, url, f"{url}/send-back", {"body": "トピックを見直してください"})
    response = post_form(contractor, url, f"{url}/resubmit", {**DRAFT, "topics": []})
    assert response.status_code == 400 and "トピックを1つ以上選ぶ" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Broadcast, broadcast.id).status == "returned"


def test_a_cancelled_draft_is_never_sent_and_its_thread_is_closed(app, people):
    contractor, ward = _client(app, people["contractor"]), _client(app, people["ward"])
    broadcast = _draft(contractor)
    url = f"{DRAFTS}/{broadcast.id}"
    assert post_form(ward, url, f"{url}/reject", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Broadcast, broadcast.id).status == "cancelled"
    post_form(contractor, url, f"{url}/comments", {"body": "なぜですか"})
    assert "この下書きのやりとりは終わっています" in fresh_page(contractor, url)
    assert "コメントを書き込む" not in fresh_page(contractor, url)


def test_unknown_and_non_draft_broadcasts_are_404_not_500(app, people):
    ward = _client(app, people["ward"])
    assert ward.get(f"{DRAFTS}/999999").status_code == 404
    assert ward.get(f"{DRAFTS}/99999999999").status_code == 404
    other = Broadcast(kind="broadcast", origin="console", title="直接の配信", text="x", channels=["web"],
                      send_at=__import__("core.db", fromlist=["utcnow"]).utcnow(), aggregation_unit="u1")
    db.session.add(other)
    db.session.commit()
    assert ward.get(f"{DRAFTS}/{other.id}").status_code == 404


def test_the_writer_gets_an_email_on_send_back_when_smtp_is_set(app, people, monkeypatch):
    sent = []
    monkeypatch.setattr("events.mail.mail_configured", lambda config: True)
    monkeypatch.setattr("events.mail.send_mail", lambda config, to, subject, body: sent.append((to, subject)))
    contractor, ward = _client(app, people["contractor"]), _client(app, people["ward"])
    broadcast = _draft(contractor)
    assert ("ward@example.jp", "【配信の確認依頼】見学会のお知らせです") in sent
    url = f"{DRAFTS}/{broadcast.id}"
    post_form(ward, url, f"{url}/send-back", {"body": "写真を付けて"})
    assert ("contractor@example.jp", "【配信の差し戻し】見学会のお知らせです") in sent
