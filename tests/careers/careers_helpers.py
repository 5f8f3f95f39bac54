"""Builders and HTML helpers shared by the careers tests."""
from __future__ import annotations

import re
from datetime import timedelta

from flask import g
from sqlalchemy import select

from content.models import Article, Company
from core.db import db, utcnow
from events import service
from events.models import Event, Registration
from events.service import Application
from staff.accounts import create_account

PASSWORD = "correct horse battery"
FIELD_RE = re.compile(r'name="(csrf_token|submission_key)" value="([^"]+)"')


def make_company(session, slug: str = "kouwa-seiki", name: str = "光和精機") -> Company:
    company = Company(slug=slug, name=name, field="精密加工", description="旋盤で小さな部品を削る会社です。")
    session.add(company)
    session.commit()
    return company


def make_tour(session, company: Company, days: int = 10, title: str = "光和精機 見学会") -> Event:
    event = Event(kind="tour", title=title, starts_at=utcnow() + timedelta(days=days), capacity=10,
                  place="大田区南六郷", company_id=company.id)
    session.add(event)
    session.commit()
    return event


def make_article(session, company: Company | None, slug: str, status: str = "published", **fields) -> Article:
    article = Article(slug=slug, title=fields.pop("title", f"記事 {slug}"), category=fields.pop("category", "feature"),
                      status=status, published_at=utcnow() - timedelta(days=1) if status == "published" else None,
                      company_id=company.id if company else None, **fields)
    session.add(article)
    session.commit()
    return article


def attend(event: Event, person: str, name: str, channel: str = "web") -> Registration:
    """A confirmed registration (the attendee list's row)."""
    application = Application(event_id=event.id, channel=channel, person_id=person, adults=1, name=name,
                              contact=f"{person}@example.jp", consent=True)
    return service.register(db.session, application)


def page(client, url: str) -> str:
    g.pop("csrf_token", None)  # the pushed test app context would otherwise reuse one token
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def form_fields(html: str, near: str | None = None) -> dict[str, str]:
    """csrf_token and submission_key of the page, or of the first form after ``near``."""
    if near is not None:
        html = html[html.index(near):]
    found: dict[str, str] = {}
    for name, value in FIELD_RE.findall(html):
        found.setdefault(name, value)
    return found


def login_as(client, role: str, email: str | None = None):
    staff = create_account(db.session, email or f"{role}@example.jp", f"{role}さん", role, PASSWORD, None)
    db.session.commit()
    token = form_fields(page(client, "/admin/login"))["csrf_token"]
    response = client.post("/admin/login", data={"email": staff.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return staff


def rows(session, model) -> list:
    session.expire_all()
    return list(session.scalars(select(model).order_by(model.id)))
