"""How the events domain reacts to other domains' signals (connected in ``events.init_app``).

The web app, the worker and the bots all create the app, so all of them send offers,
alerts and erase registrations alike.
"""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from core import signals
from events import alerts, privacy
from events.models import Registration

log = logging.getLogger(__name__)


def tell_offer(session: Session, registration: Registration) -> None:
    """Tell the person about their offered seat on their channel (never breaks the caller)."""
    from events import notify, reminders

    try:
        session.refresh(registration)
        if registration.status == "offered":
            reminders.send_offer(session, notify.app_config(), registration)
    except Exception:  # the worker's offer round retries anything not logged as sent
        log.exception("offer notice for registration %s failed", registration.id)
        session.rollback()


def _on_seat_offered(registration, *, session: Session) -> None:
    tell_offer(session, registration)


def _on_seats_opened(event, *, session: Session) -> None:
    alerts.on_seats_opened(session, event)


def _on_subscriber_erased(user_id: str, *, session: Session, channel: str) -> None:
    privacy.erase_chat_user(session, channel, user_id)


def _on_article_published(article, *, session: Session, staff) -> None:
    alerts.on_article_published(session, article, staff)


def connect() -> None:
    signals.seat_offered.connect(_on_seat_offered)
    signals.seats_opened.connect(_on_seats_opened)
    signals.subscriber_erased.connect(_on_subscriber_erased)
    signals.article_published.connect(_on_article_published)
