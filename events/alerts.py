"""Parents' workshop alerts: a new workshop is published; seats opened on a full one.

Sent to active subscribers of the ``workshops`` topic, once per event and kind
(``EventAlert``). When the broadcast rules already announce the article to its
topics (which include ``workshops`` for a workshop), no second push is sent.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.timefmt import datetime_ja
from events import notify, service
from events.alert_stages import STAGE_HELP, fits_stages, stage_choices
from events.models import AlertPreference, Event, EventAlert
from messages.limits import MAX_CARD_TITLE, carousel
from messages.replies import BotResponse, Card, Text
from messages.text import shorten

log = logging.getLogger(__name__)

TOPIC = "workshops"
TEXTS = {
    "published": "新しい子ども向け体験教室のお申し込みが始まりました。",
    "seats_opened": "満席だった子ども向け体験教室に空きが出ました。お申し込みはお早めに。",
}


def _card(config: Mapping, event: Event, channel: str, seats: int) -> Card:
    body = f"日時：{datetime_ja(event.starts_at)}\n"
    body += (f"会場：{event.place}\n" if event.place else "") + f"残り{seats}席"
    url = notify.tracked(config, f"/events/{event.id}", channel=channel, campaign="workshop-alert")
    return Card(title=shorten(event.title, MAX_CARD_TITLE), url=url, label=event.kind_label,
                body=shorten(body, 120), button_label="詳しく見る・申し込む")


def _preferences(session: Session, subscriber_ids: list[int]) -> dict[int, list[str]]:
    query = select(AlertPreference).where(AlertPreference.subscriber_id.in_(subscriber_ids))
    return {p.subscriber_id: list(p.stages or []) for p in session.scalars(query)}


def _recipients_by_channel(session: Session, event: Event) -> dict[str, list[int]]:
    from notifications.subscriptions import active_subscribers_for_topics

    rows = list(session.execute(active_subscribers_for_topics(session, [TOPIC])))
    stages = _preferences(session, [row[0] for row in rows])
    grouped: dict[str, list[int]] = {}
    for subscriber_id, channel, _external in rows:
        if fits_stages(event, stages.get(subscriber_id, [])):
            grouped.setdefault(channel, []).append(subscriber_id)
    return grouped


def _claim(session: Session, event: Event, kind: str) -> EventAlert | None:
    if session.scalar(select(EventAlert.id).where(EventAlert.event_id == event.id, EventAlert.kind == kind)):
        return None
    alert = EventAlert(event_id=event.id, kind=kind)
    session.add(alert)
    return alert


def _push(session: Session, config: Mapping, event: Event, kind: str, alert: EventAlert) -> None:
    seats = service.remaining_seats(session, event)
    for channel, subscriber_ids in _recipients_by_channel(session, event).items():
        if channel not in notify.chat_channels():
            continue
        header = f"{TEXTS[kind]}\n「{event.title}」"
        response = BotResponse([Text(header), carousel([_card(config, event, channel, seats)], header),
                                Text(STAGE_HELP)], stage_choices(config))
        if notify.push(session, config, subscriber_ids, response, reason="workshop_alert"):
            alert.recipients += len(subscriber_ids)


def alert_workshop(session: Session, config: Mapping, event: Event, kind: str) -> EventAlert | None:
    """Queue the alert in the caller's transaction (no commit); None if not applicable or done before."""
    if event.kind != "workshop" or not service.is_open(event):
        return None
    alert = _claim(session, event, kind)
    if alert is None:
        return None
    if kind == "published" and event.article is not None and notify.article_auto_announced(session, event.article):
        log.info("workshop %s is announced by the broadcast rules; no separate alert", event.id)
        session.flush()
        return alert
    _push(session, config, event, kind, alert)
    session.flush()
    return alert


def on_article_published(session: Session, article, staff) -> None:
    """``content.publishing.ARTICLE_PUBLISHED_HOOKS`` entry (runs in the publishing transaction)."""
    event = getattr(article, "event", None)
    if event is None:
        return
    try:
        alert_workshop(session, notify.app_config(), event, "published")
    except Exception:  # an alert problem must not stop the article from going public
        log.exception("new-workshop alert for event %s failed", event.id)


def on_seats_opened(session: Session, event: Event) -> None:
    """``service.SEATS_OPENED_HOOKS`` entry: runs after the cancellation committed."""
    try:
        if alert_workshop(session, notify.app_config(), event, "seats_opened") is not None:
            session.commit()
    except IntegrityError:  # another process alerted at the same moment
        session.rollback()
    except Exception:  # an alert must never undo or break the cancellation the user asked for
        log.exception("seats-opened alert for event %s failed", event.id)
        session.rollback()
