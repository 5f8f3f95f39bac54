"""Builders and HTML helpers shared by the events tests."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from flask import g
from sqlalchemy import select

from content.models import Article
from core.db import db, utcnow
from events import service
from events.models import Event, Registration
from events.service import Application
from notifications.models import Subscriber

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY_RE = re.compile(r'name="submission_key" value="([^"]+)"')
PASSWORD = "correct horse battery"


def make_event(session, kind: str = "workshop", capacity: int = 10, days: int = 10, article: bool = False,
               **fields) -> Event:
    fields.setdefault("starts_at", utcnow() + timedelta(days=days))
    fields.setdefault("deadline", fields["starts_at"] - timedelta(days=2))
    event = Event(kind=kind, title=fields.pop("title", "親子でつくろう！テスト教室"), capacity=capacity,
                  place=fields.pop("place", "大田区産業プラザPiO"), **fields)
    if article:
        event.article = Article(slug=f"event-{kind}-{days}-{capacity}", title=event.title, category="local",
                                status="published", published_at=utcnow() - timedelta(days=1))
    session.add(event)
    session.commit()
    return event


def make_subscriber(session, channel: str, external_id: str, topics: tuple[str, ...] = ()) -> Subscriber:
    from notifications import subscriptions

    subscriber = subscriptions.get_or_create_subscriber(session, channel, external_id)
    if topics:
        subscriptions.set_topics(session, subscriber, topics)
    session.commit()
    return subscriber


def apply(event: Event, person: str, channel: str = "line", adults: int = 1, children: int = 0,
          contact: str | None = None, name: str = "大田 太郎", **extra) -> Registration:
    # Distinct people by default (the same name and contact is the same person: see test_events_abuse).
    contact = contact or f"taro.{re.sub(r'[^A-Za-z0-9]', '', person) or 'x'}@example.jp"
    application = Application(event_id=event.id, channel=channel, person_id=person, adults=adults,
                              children=children, name=name, contact=contact, consent=True, **extra)
    return service.register(db.session, application)


def registrations(event_id: int | None = None) -> list[Registration]:
    db.session.expire_all()
    query = select(Registration).order_by(Registration.id)
    if event_id is not None:
        query = query.where(Registration.event_id == event_id)
    return list(db.session.scalars(query))


def fresh_page(client, url: str):
    """GET as a new request would (the pushed test app context would share Flask-WTF's token cache)."""
    g.pop("csrf_token", None)
    return client.get(url)


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def form_tokens(client, url: str) -> dict:
    html = fresh_page(client, url).get_data(as_text=True)
    tokens = {"csrf_token": csrf_from(html)}
    key = KEY_RE.search(html)
    if key:
        tokens["submission_key"] = key.group(1)
    return tokens


def make_staff(role: str):
    from staff.accounts import create_account

    staff = create_account(db.session, f"{role}@example.jp", f"{role}さん", role, PASSWORD, None)
    db.session.commit()
    return staff


def login(client, staff) -> None:
    token = csrf_from(fresh_page(client, "/admin/login").get_data(as_text=True))
    response = client.post("/admin/login", data={"email": staff.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@dataclass
class Push:
    subscriber_ids: list[int]
    response: object
    reason: str
    urgent: bool

    @property
    def text(self) -> str:
        return "\n".join(getattr(m, "text", "") for m in self.response.messages)


@dataclass
class PushRecorder:
    pushes: list[Push] = field(default_factory=list)

    def __call__(self, session, config, subscriber_ids, response, *, reason, urgent=False) -> bool:
        if not subscriber_ids:
            return False
        self.pushes.append(Push(list(subscriber_ids), response, reason, urgent))
        return True

    def to(self, subscriber_id: int) -> list[Push]:
        return [p for p in self.pushes if subscriber_id in p.subscriber_ids]
