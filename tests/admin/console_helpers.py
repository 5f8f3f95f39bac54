"""Helpers for the staff console tests: accounts, CSRF token extraction, login."""
from __future__ import annotations

import re

from flask import g
from sqlalchemy import select

from content.models import Article
from core.db import db
from staff.accounts import create_account

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The token of the first form on the page (the test app keeps CSRF on)."""
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def make_staff(role: str, email: str | None = None, name: str | None = None):
    staff = create_account(db.session, email or f"{role}@example.jp", name or f"{role}さん", role, PASSWORD, None)
    db.session.commit()
    return staff


def fresh_page(client, url: str) -> str:
    """GET a page as a new request would see it.

    The test app context stays pushed across requests, so Flask-WTF's
    per-context token cache (``g.csrf_token``) would leak between clients.
    """
    g.pop("csrf_token", None)
    return client.get(url).get_data(as_text=True)


def login(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    token = csrf_from(fresh_page(client, "/admin/login"))
    data = {"email": email, "password": password, "csrf_token": token}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/admin/login", data=data)


def post_form(client, page_url: str, action_url: str, data: dict, **kwargs):
    """Open ``page_url`` to get a fresh token, then post ``data`` to ``action_url``."""
    token = csrf_from(fresh_page(client, page_url))
    return client.post(action_url, data={**data, "csrf_token": token}, **kwargs)



# --- article editor -----------------------------------------------------------

FORM = {
    "title": "町工場の春", "slug": "machikoba-spring", "category": "feature", "series": "",
    "tags": "旋盤, 見学", "summary": "春の町工場を歩きました。", "body_md": "## 見出し\n\n本文です。",
    "hero_alt": "", "hero_credit": "", "author": "編集部", "company_id": "",
}


def create(client, **changes):
    data = {**FORM, "action": "save", **changes}
    return post_form(client, "/admin/articles/new", "/admin/articles/new", data)


def edit_form(client, article_id: int) -> dict:
    html = fresh_page(client, f"/admin/articles/{article_id}")
    version = html.split('name="version" value="', 1)[1].split('"', 1)[0]
    return {"csrf_token": csrf_from(html), "version": version}


def find_article(slug="machikoba-spring") -> Article | None:
    db.session.expire_all()
    return db.session.scalar(select(Article).where(Article.slug == slug))
