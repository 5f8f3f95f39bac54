"""Connect the events domain to the hooks of other domains (idempotent, once per process).

Called when the app is created (``events.web`` blueprint), so the web app, the
worker and the bots all send offers, alerts and erase registrations alike.
"""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from events import alerts, privacy, service
from events.models import Registration

log = logging.getLogger(__name__)


def tell_offer(session: Session, registration: Registration) -> None:
    """``service.OFFER_HOOKS`` entry: tell the person on their channel (never breaks the caller)."""
    from events import notify, reminders

    try:
        session.refresh(registration)
        if registration.status == "offered":
            reminders.send_offer(session, notify.app_config(), registration)
    except Exception:  # the worker's offer round retries anything not logged as sent
        log.exception("offer notice for registration %s failed", registration.id)
        session.rollback()


def _add_once(hooks: list, hook) -> None:
    if hook not in hooks:
        hooks.append(hook)


def install() -> None:
    from bot.core.privacy import DATA_ERASERS
    from content.publishing import ARTICLE_PUBLISHED_HOOKS
    from events.staff import ACTION_LABELS
    from web.admin import audit

    audit.ACTION_LABELS.update(ACTION_LABELS)  # the audit log page names our actions in Japanese

    _add_once(service.OFFER_HOOKS, tell_offer)
    _add_once(service.SEATS_OPENED_HOOKS, alerts.on_seats_opened)
    _add_once(DATA_ERASERS, privacy.erase_chat_user)
    _add_once(ARTICLE_PUBLISHED_HOOKS, alerts.on_article_published)
