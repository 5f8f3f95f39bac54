"""Parents' workshop alerts: a new workshop is published; seats open up on a full one."""
from __future__ import annotations

from datetime import timedelta

import pytest
from events_helpers import apply, make_event, make_subscriber

from content.models import Article
from core.db import utcnow
from events import alerts, service, waitlist
from events.models import Event, EventAlert


@pytest.fixture(autouse=True)
def no_automatic_announcement(session):
    """Since install, 地域情報 is announced by the broadcast rules (which then carry the news);
    the separate workshop alert is what parents get when the ward turns that rule off."""
    from notifications import routing

    routing.save_announce_rule(session, "local", False, [])
    session.commit()


@pytest.fixture
def parents(session):
    return [make_subscriber(session, "line", "U-parent", topics=("workshops",)),
            make_subscriber(session, "discord", "D-parent", topics=("workshops",)),
            make_subscriber(session, "line", "U-student", topics=("tours",))]


def _draft_workshop(session) -> Event:
    article = Article(slug="new-workshop", title="はじめての溶接体験", category="local", status="draft")
    event = Event(kind="workshop", title=article.title, article=article, capacity=12,
                  starts_at=utcnow() + timedelta(days=20), deadline=utcnow() + timedelta(days=15))
    session.add(event)
    session.commit()
    return event


def test_publishing_a_workshop_alerts_its_subscribers_once(app, session, pushes, parents):
    from content import publishing

    event = _draft_workshop(session)
    staff = None
    publishing._make_public(session, event.article, staff, utcnow())
    session.commit()
    by_channel = {tuple(p.subscriber_ids): p for p in pushes.pushes}
    assert set(by_channel) == {(parents[0].id,), (parents[1].id,)}  # not the tours-only subscriber
    push = by_channel[(parents[0].id,)]
    assert "新しい子ども向け体験教室" in push.text and push.reason == "workshop_alert"
    assert push.response.messages[1].cards[0].url.startswith("http://testserver.local/r/")
    assert session.query(EventAlert).one().recipients == 2
    alerts.on_article_published(session, event.article, None)  # republished later: no second alert
    assert len(pushes.pushes) == 2


def test_tours_do_not_alert_parents(session, pushes, parents):
    tour = make_event(session, kind="tour")
    assert alerts.alert_workshop(session, {}, tour, "published") is None
    assert pushes.pushes == []


def test_seats_opening_on_a_full_workshop_alerts_once(app, session, pushes, parents, workshop):
    first = apply(workshop, "A", adults=5, children=5)
    assert service.remaining_seats(session, workshop) == 0
    waitlist.cancel(session, first)
    assert [p.reason for p in pushes.pushes] == ["workshop_alert", "workshop_alert"]
    assert "空きが出ました" in pushes.pushes[0].text and "残り10席" in pushes.pushes[0].response.messages[1].cards[0].body
    second = apply(workshop, "B", adults=10)
    waitlist.cancel(session, second)
    assert len(pushes.pushes) == 2  # once per event


def test_no_alert_when_the_waitlist_takes_the_seats(session, pushes, parents, workshop):
    first = apply(workshop, "A", adults=10)
    apply(workshop, "B", adults=10)
    waitlist.cancel(session, first)
    assert [p.reason for p in pushes.pushes if p.reason == "workshop_alert"] == []


def test_no_alert_when_not_full_before(session, pushes, parents, workshop):
    first = apply(workshop, "A", adults=2)
    waitlist.cancel(session, first)
    assert pushes.pushes == []
