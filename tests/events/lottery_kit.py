"""Applicants for the lottery browser test: web forms over HTTP from their own address, LINE through the core."""
from __future__ import annotations

import http.client
import re
import time
import urllib.parse
from dataclasses import dataclass

from core.db import db

FIELD = re.compile(r'name="(csrf_token|submission_key|form_started)" value="([^"]+)"')


@dataclass
class WebApplicant:
    name: str
    contact: str
    adults: int = 1
    children: int = 1
    source_ip: str = "127.0.0.1"
    wait: float = 0.0  # seconds between opening the form and sending it (a person takes a while)


def _request(base: str, ip: str, method: str, path: str, body: str | None = None, cookie: str = ""):
    parsed = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30, source_address=(ip, 0))
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read().decode()
    cookies = [c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or []]
    connection.close()
    return response.status, response.headers.get("Location", ""), data, cookies


def apply_on_web(base: str, event_id: int, person: WebApplicant) -> tuple[int, str]:
    """Open the form, wait like a person (or not), send it; (status, redirect or page)."""
    status, _loc, html, cookies = _request(base, person.source_ip, "GET", f"/events/{event_id}")
    assert status == 200, html[:300]
    fields = dict(FIELD.findall(html))
    time.sleep(person.wait)
    form = {**fields, "adults": person.adults, "children": person.children, "name": person.name,
            "contact": person.contact, "consent": "yes"}
    status, location, page, _ = _request(base, person.source_ip, "POST", f"/events/{event_id}/register",
                                         urllib.parse.urlencode(form), "; ".join(cookies))
    return status, location or page


def apply_on_line(app, event_id: int, user_id: str, name: str, contact: str, adults: int, children: int) -> str:
    """The whole LINE conversation through the real engine (its own session): the last thing the bot said."""
    from bot.core.testing import FakeAdapter

    with app.app_context():
        session = db.new_session()
        try:
            bot = FakeAdapter(session, app.config)
            bot.send_text(user_id, "ワークショップ")
            bot.tap(user_id, bot.choice("申し込む"))
            bot.tap(user_id, bot.choice(f"{adults}人"))
            bot.tap(user_id, bot.choice(f"{children}人"))
            if "お名前" not in bot.last_text():
                return bot.last_text()  # a party rule said no
            bot.send_text(user_id, name)
            bot.send_text(user_id, contact)
            bot.tap(user_id, bot.choice("同意する"))
            bot.tap(user_id, bot.choice("申し込む"))
            return bot.last_text()
        finally:
            session.close()
