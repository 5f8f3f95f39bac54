"""Applicants for the lottery browser test: web forms over HTTP from their own address, LINE through the core."""
from __future__ import annotations

import http.client
import re
import time
import urllib.parse
from dataclasses import dataclass

from core.db import db
from events import abuse, service
from events.service import Application, RegistrationError

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
    """What the LINE conversation's 申し込む button does (``registration._confirm``), in its own session."""
    with app.app_context():
        session = db.new_session()
        try:
            application = Application(event_id=event_id, channel="line", person_id=user_id, adults=adults,
                                      children=children, name=name, contact=contact, consent=True,
                                      submission_key=f"chat-{user_id}", limits=abuse.limits_from(app.config))
            return service.register(session, application).status
        except RegistrationError as exc:
            return exc.code
        finally:
            session.close()
