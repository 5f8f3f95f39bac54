"""Roles from the ward's page plan: what each role sees and may do; review with 差し戻し."""
from __future__ import annotations

import re

import pytest
from console_helpers import FORM, fresh_page, login, make_staff, post_form
from sqlalchemy import select

from content import top_page
from content.models import Article, ArticleComment
from core.db import db

LINK = re.compile(r'<nav aria-label="管理メニュー">(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture
def people(app):
    return {role: make_staff(role) for role in ("contractor", "ward", "admin")}


def _client(app, staff):
    client = app.test_client()
    assert login(client, staff.email).status_code == 302
    return client


@pytest.mark.parametrize("role", ["contractor", "ward", "admin"])
def test_navigation_shows_only_pages_the_role_may_open(app, people, role):
    client = _client(app, people[role])
    html = fresh_page(client, "/admin/")
    links = HREF.findall(LINK.search(html).group(1))
    assert links
    for url in links:
        assert client.get(url).status_code == 200, (role, url)
    if role == "contractor":
        assert "/admin/broadcasts" not in links and "/admin/events/" not in links
        assert {"/admin/top-page", "/admin/kpi/", "/admin/broadcasts/drafts"} <= set(links)
    if role == "admin":
        assert "/admin/accounts" in links


def test_contractor_edits_about_but_not_news(app, people):
    client = _client(app, people["contractor"])
    token_page = "/admin/articles/new"
    ok = post_form(client, token_page, token_page, {**FORM, "category": "about", "slug": "about-us"})
    assert ok.status_code == 302
    refused = post_form(client, token_page, token_page, {**FORM, "category": "news", "slug": "a-news"})
    assert refused.status_code == 422


def _submit(client, slug="spring-feature"):
    response = post_form(client, "/admin/articles/new", "/admin/articles/new",
                         {**FORM, "slug": slug, "action": "submit"})
    assert response.status_code == 302
    return db.session.scalar(select(Article).where(Article.slug == slug))


def test_send_back_with_a_comment_thread_and_badges(app, people):
    contractor, ward = _client(app, people["contractor"]), _client(app, people["ward"])
    article = _submit(contractor)
    assert "確認待ち <span class=\"badge\">1" in fresh_page(ward, "/admin/")
    edit = f"/admin/articles/{article.id}"
    response = post_form(ward, edit, f"{edit}/send-back", {"body": "写真の説明を足してください"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Article, article.id).status == "draft"
    # The contractor now has one thing waiting, and sees the reason on the article.
    assert "差し戻し: 町工場の春" in fresh_page(contractor, "/admin/review")
    assert "写真の説明を足してください" in fresh_page(contractor, edit)
    post_form(contractor, edit, f"{edit}/comments", {"body": "足しました"})
    assert "足しました" in fresh_page(ward, edit)
    kinds = [c.kind for c in db.session.scalars(select(ArticleComment).order_by(ArticleComment.id))]
    assert kinds == ["sendback", "comment"]


def test_contractor_top_page_edit_waits_for_ward_approval(app, people):
    contractor, ward = _client(app, people["contractor"]), _client(app, people["ward"])
    data = {"hero_title": "ものづくりの街へようこそ", "hero_text": "大田区の町工場", "featured": ""}
    assert post_form(contractor, "/admin/top-page", "/admin/top-page", data).status_code == 302
    assert "ものづくりの街へようこそ" not in app.test_client().get("/").get_data(as_text=True)
    assert "トップページの変更の承認" in fresh_page(ward, "/admin/review")
    assert post_form(ward, "/admin/top-page", "/admin/top-page/approve", {}).status_code == 302
    assert top_page.live(db.session)["hero_title"] == "ものづくりの街へようこそ"
    assert "ものづくりの街へようこそ" in app.test_client().get("/").get_data(as_text=True)


def test_contractor_broadcast_draft_is_sent_only_after_ward_approval(app, people):
    from notifications.models import Broadcast

    contractor, ward = _client(app, people["contractor"]), _client(app, people["ward"])
    response = post_form(contractor, "/admin/broadcasts/drafts", "/admin/broadcasts/drafts",
                         {"text": "見学会のお知らせ", "audience": "topics", "topics": ["tours"], "channels": ["web"]})
    assert response.status_code == 302
    broadcast = db.session.scalar(select(Broadcast))
    assert broadcast.status == "draft"
    assert contractor.get("/admin/broadcasts/new").status_code == 403
    url = f"/admin/broadcasts/drafts/{broadcast.id}/approve"
    assert post_form(contractor, "/admin/broadcasts/drafts", url, {}).status_code == 403
    assert post_form(ward, "/admin/broadcasts/drafts", url, {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Broadcast, broadcast.id).status == "queued"
