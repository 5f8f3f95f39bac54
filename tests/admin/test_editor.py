"""Article editor through the web forms: create, validate, workflow buttons, stale edits."""
from __future__ import annotations

from console_helpers import FORM, create, edit_form, fresh_page, login
from console_helpers import find_article as article
from sqlalchemy import func, select

from content import publishing
from content.models import Article
from core.db import db
from staff.models import AuditLog


def test_ward_creates_a_draft_and_it_is_audited(ward_client, ward):
    response = create(ward_client)
    assert response.status_code == 302
    saved = article()
    assert saved.status == "draft" and saved.created_by_id == ward.id
    assert saved.tag_names == ["旋盤", "見学"]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "article.create"))
    assert entry.staff_id == ward.id and entry.target_id == str(saved.id)


def test_validation_errors_keep_the_input(ward_client):
    response = create(ward_client, slug="Bad Slug!", title="", body_md="残したい本文")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "タイトルを入力してください" in html
    assert "ページのアドレスは半角英小文字" in html
    assert "残したい本文" in html and 'value="Bad Slug!"' in html
    assert db.session.scalar(select(func.count()).select_from(Article)) == 0


def test_series_needs_a_theme(ward_client):
    response = create(ward_client, category="series")
    assert "テーマ（企業・人・製品）を選んでください" in response.get_data(as_text=True)


def test_contractor_cannot_create_news(contractor_client):
    response = create(contractor_client, category="news")
    assert response.status_code == 422
    assert "サイト概要・特集記事・テーマ別記事のみ" in response.get_data(as_text=True)
    assert article() is None


def test_contractor_publish_attempt_is_refused_and_nothing_saved(contractor_client):
    create(contractor_client)
    saved = article()
    data = {**FORM, **edit_form(contractor_client, saved.id), "title": "変更", "action": "publish"}
    response = contractor_client.post(f"/admin/articles/{saved.id}", data=data)
    assert response.status_code == 422
    assert "区職員または管理者のみ" in response.get_data(as_text=True)
    assert article().title == FORM["title"] and article().status == "draft"


def test_contractor_does_not_see_publish_buttons(contractor_client):
    create(contractor_client)
    html = fresh_page(contractor_client, f"/admin/articles/{article().id}")
    assert 'value="submit"' in html
    assert 'value="publish"' not in html and 'value="approve"' not in html


def test_contractor_submits_ward_approves_and_publishes(app, contractor, ward):
    writer, reviewer = app.test_client(), app.test_client()
    login(writer, contractor.email)
    create(writer)
    saved = article()
    writer.post(f"/admin/articles/{saved.id}", data={**FORM, **edit_form(writer, saved.id), "action": "submit"})
    assert article().status == "review"
    login(reviewer, ward.email)
    reviewer.post(f"/admin/articles/{saved.id}", data={**FORM, **edit_form(reviewer, saved.id), "action": "approve"})
    assert article().status == "approved"
    response = reviewer.post(
        f"/admin/articles/{saved.id}", data={**FORM, **edit_form(reviewer, saved.id), "action": "publish"}
    )
    assert response.status_code == 302
    assert article().status == "published" and article().reviewed_by_id == ward.id
    assert app.test_client().get("/articles/machikoba-spring").status_code == 200


def test_schedule_from_the_form_uses_jst(ward_client):
    create(ward_client)
    saved = article()
    data = {**FORM, **edit_form(ward_client, saved.id), "action": "schedule", "scheduled_at": "2099-04-01T09:30"}
    assert ward_client.post(f"/admin/articles/{saved.id}", data=data).status_code == 302
    scheduled = article()
    assert scheduled.status == "scheduled"
    assert scheduled.scheduled_at.isoformat() == "2099-04-01T00:30:00+00:00"


def test_schedule_in_the_past_is_refused(ward_client):
    create(ward_client)
    saved = article()
    data = {**FORM, **edit_form(ward_client, saved.id), "action": "schedule", "scheduled_at": "2001-01-01T09:00"}
    response = ward_client.post(f"/admin/articles/{saved.id}", data=data)
    assert response.status_code == 422
    assert "現在より後" in response.get_data(as_text=True)
    assert article().status == "draft"


def test_stale_edit_is_refused_and_the_input_kept(ward_client):
    create(ward_client)
    saved = article()
    opened = edit_form(ward_client, saved.id)
    first = {**FORM, **edit_form(ward_client, saved.id), "title": "先に保存した題", "action": "save"}
    assert ward_client.post(f"/admin/articles/{saved.id}", data=first).status_code == 302
    late = {**FORM, **opened, "title": "遅れた題", "body_md": "遅れた本文", "action": "save"}
    response = ward_client.post(f"/admin/articles/{saved.id}", data=late)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "別の操作で更新されています" in html
    assert "遅れた本文" in html and "先に保存した題" in html
    assert article().title == "先に保存した題"


def test_unknown_article_is_404(ward_client):
    assert ward_client.get("/admin/articles/999").status_code == 404


def _contractor_article_after(app, contractor, ward, ward_step):
    """A contractor's article, submitted for review and then taken by ``ward_step``
    (``publishing.approve`` or ``publishing.publish``); returns the contractor's client and the article."""
    writer = app.test_client()
    login(writer, contractor.email)
    create(writer)
    saved = article()
    publishing.submit_for_review(db.session, saved, contractor)
    ward_step(db.session, saved, ward)
    db.session.commit()
    return writer, saved


def test_contractor_edit_after_approval_returns_to_draft(app, contractor, ward):
    writer, saved = _contractor_article_after(app, contractor, ward, publishing.approve)
    page = fresh_page(writer, f"/admin/articles/{saved.id}")
    assert "承認は取り消されて下書きに戻ります" in page
    data = {**FORM, **edit_form(writer, saved.id), "body_md": "承認後に書き換えた本文", "action": "save"}
    assert writer.post(f"/admin/articles/{saved.id}", data=data).status_code == 302
    assert article().status == "draft" and article().reviewed_by_id is None


def test_contractor_sees_published_feature_read_only(app, contractor, ward):
    create_as, saved = _contractor_article_after(app, contractor, ward, publishing.publish)
    page = fresh_page(create_as, f"/admin/articles/{saved.id}")
    assert "区職員のみ編集できます" in page and 'value="save"' not in page
    data = {**FORM, **edit_form(create_as, saved.id), "title": "こっそり変更", "action": "save"}
    response = create_as.post(f"/admin/articles/{saved.id}", data=data)
    assert response.status_code == 422
    assert article().title == FORM["title"]


def test_list_filters_by_status_and_hides_other_categories_from_contractors(app, ward, contractor):
    ward_client = app.test_client()
    login(ward_client, ward.email)
    create(ward_client)
    create(ward_client, slug="ward-news", title="区からのお知らせ", category="news")
    news = article("ward-news")
    publishing.publish(db.session, news, ward)
    db.session.commit()
    listing = fresh_page(ward_client, "/admin/articles?status=published")
    assert "区からのお知らせ" in listing and FORM["title"] not in listing
    contractor_client = app.test_client()
    login(contractor_client, contractor.email)
    listing = fresh_page(contractor_client, "/admin/articles")
    assert FORM["title"] in listing and "区からのお知らせ" not in listing
    assert contractor_client.get(f"/admin/articles/{news.id}").status_code == 403
