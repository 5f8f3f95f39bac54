"""Helpers for the KPI tests: staff logins, a public HTML page, raw events on fixed days."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from flask import g

from core.db import db
from kpi.metrics import JST
from staff.accounts import create_account

PASSWORD = "correct horse battery"
BROWSER_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_staff(role: str):
    staff = create_account(db.session, f"{role}@example.jp", f"{role}さん", role, PASSWORD, None)
    db.session.commit()
    return staff


def page(client, url: str) -> str:
    g.pop("csrf_token", None)  # the pushed test app context would otherwise reuse one token
    return client.get(url).get_data(as_text=True)


def csrf(client, url: str) -> str:
    match = CSRF_RE.search(page(client, url))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login_as(client, role: str):
    staff = make_staff(role)
    response = client.post("/admin/login", data={"email": staff.email, "password": PASSWORD,
                                                 "csrf_token": csrf(client, "/admin/login")})
    assert response.status_code == 302
    return staff


def add_html_page(app, rule: str = "/kpi-test-page") -> None:
    """A public HTML page of our own, so page-view tests do not depend on other templates."""
    app.add_url_rule(rule, rule, lambda: "<!doctype html><title>t</title><p>ok</p>")


def at(day: date, hour: int = 12) -> datetime:
    """Noon (Tokyo) of ``day`` as an aware datetime."""
    return datetime.combine(day, time(hour), tzinfo=JST).astimezone(UTC)
