"""The editor preview renders exactly what the public article page will show."""
from __future__ import annotations

from console_helpers import FORM, create, csrf_from, edit_form, fresh_page
from console_helpers import find_article as article

from content.models import Article
from core.db import db


def test_preview_of_published_article_equals_public_page(app, ward_client):
    create(ward_client)
    saved = article()
    publish = {**FORM, **edit_form(ward_client, saved.id), "action": "publish"}
    assert ward_client.post(f"/admin/articles/{saved.id}", data=publish).status_code == 302
    public_html = app.test_client().get("/articles/machikoba-spring").get_data(as_text=True)
    preview = ward_client.post(
        "/admin/articles/preview", data={**FORM, **edit_form(ward_client, saved.id), "article_id": saved.id}
    )
    assert preview.status_code == 200
    assert preview.headers["Cache-Control"] == "no-store"
    assert preview.get_data(as_text=True) == public_html


def test_preview_shows_unsaved_text_sanitised_without_saving(ward_client):
    create(ward_client)
    saved = article()
    body = "## 新しい見出し\n\n<script>alert(1)</script>\n\n[危険](javascript:alert(1))"
    data = {**FORM, **edit_form(ward_client, saved.id), "article_id": saved.id, "title": "未保存の題", "body_md": body}
    html = ward_client.post("/admin/articles/preview", data=data).get_data(as_text=True)
    assert "<h1>未保存の題</h1>" in html
    assert "<h2>新しい見出し</h2>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    assert 'href="javascript:' not in html
    db.session.expire_all()
    assert db.session.get(Article, saved.id).title == FORM["title"]


def test_preview_of_a_new_article_saves_nothing(ward_client):
    token = csrf_from(fresh_page(ward_client, "/admin/articles/new"))
    response = ward_client.post("/admin/articles/preview", data={**FORM, "csrf_token": token})
    assert response.status_code == 200
    assert FORM["title"] in response.get_data(as_text=True)
    assert article() is None


def test_preview_requires_login(client):
    assert client.post("/admin/articles/preview", data=FORM).status_code in (302, 400)
