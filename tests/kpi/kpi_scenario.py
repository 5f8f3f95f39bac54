"""A small, hand-countable day of activity across every source of the funnel."""
from __future__ import annotations

import secrets
from datetime import date

from kpi_helpers import at

from channels.links import hash_recipient
from content.models import Article
from events.models import Event, Registration
from kpi.models import Click, KpiEvent, PageView
from notifications.models import Subscriber

DAY = date(2026, 6, 10)


def subscriber(session, external_id, persona, **extra):
    row = Subscriber(channel="line", external_id=external_id, persona=persona, status="active",
                     followed_at=at(DAY, 9), created_at=at(DAY, 9), **extra)
    session.add(row)
    return row


def registration(session, event, person_key, status, attended=False):
    channel = person_key.split(":")[0]
    session.add(Registration(
        event_id=event.id, channel=channel, person_key=person_key, status=status, purpose_version="v1",
        consented_at=at(DAY), token=secrets.token_hex(16), created_at=at(DAY, 10),
        attended_at=at(DAY, 18) if attended else None, cancelled_at=at(DAY, 11) if status == "cancelled" else None))


def page_view(session, path, channel="web", campaign="", visitor="v1"):
    source, medium = (channel, "bot") if channel != "web" else ("", "")
    session.add(PageView(day=DAY, created_at=at(DAY), path=path, channel=channel, utm_source=source,
                         utm_medium=medium, utm_campaign=campaign, visitor_hash=visitor))


def build(session, secret_key: str) -> dict:
    """Returns the ids the expectations refer to."""
    article = Article(slug="tour-2026", title="見学ツアー", category="local", status="published",
                      published_at=at(DAY))
    session.add(article)
    session.flush()
    event = Event(kind="tour", title="6月の見学ツアー", starts_at=at(DAY, 14), capacity=10, article_id=article.id)
    session.add(event)
    session.flush()
    subscriber(session, "U1", "student")
    subscriber(session, "U2", "jobseeker")
    registration(session, event, "line:U1", "confirmed", attended=True)
    registration(session, event, "line:U2", "waitlisted")
    registration(session, event, "web:contact-hash", "confirmed")
    registration(session, event, "line:U3", "cancelled")
    for recipient in ("U1", "U1", "U2"):
        session.add(Click(day=DAY, created_at=at(DAY), channel="line", broadcast_id=5, article_id=article.id,
                          campaign="broadcast-5", recipient_hash=hash_recipient(secret_key, recipient)))
    session.add(Click(day=DAY, created_at=at(DAY), channel="discord", broadcast_id=5, article_id=article.id,
                      campaign="broadcast-5"))
    for visitor in ("a", "b", "b", "c"):
        page_view(session, "/articles/tour-2026", channel="line", campaign="broadcast-5", visitor=visitor)
    page_view(session, "/articles/tour-2026", visitor="d")
    page_view(session, "/articles/tour-2026", visitor=None)
    page_view(session, "/articles/employment-support", visitor="d")
    page_view(session, "/", channel="line", campaign="next-step", visitor="a")
    session.add(KpiEvent(day=DAY, created_at=at(DAY), kind="friend_link", channel="line", label="event-flyer"))
    session.add(KpiEvent(day=DAY, created_at=at(DAY), kind="command", channel="discord", label="/events", value=1))
    session.commit()
    return {"article": article.id, "event": event.id}


# LINE deliveries of broadcast 5 that day, as kpi.sources.deliveries_on reports them.
DELIVERIES = [("line", "student", 5, None, 40), ("line", "jobseeker", 5, None, 20), ("discord", "", 5, None, 30)]
