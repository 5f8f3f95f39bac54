"""Send one notice about one registration, at most once, on the applicant's own channel.

LINE/Discord applicants get a push through the broadcast outbox; web and
staff-entered applicants with an e-mail address get a mail (sent by the
worker from ``reminder_logs``); everyone else is "unreachable" and listed for
staff to call. The ``ReminderLog`` row is written in the same transaction as
the push, and its unique (registration, kind) makes a second send impossible.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import utcnow
from events import mail, notify
from events.models import Registration, ReminderLog
from events.notice_texts import Notice
from events.validation import is_email

log = logging.getLogger(__name__)

PUSH_REASONS = {"offer": "event_offer", "day_before": "event_reminder", "two_hours": "event_reminder",
                "thank_you": "event_thanks", "lottery_won": "event_lottery", "lottery_wait": "event_lottery",
                "cancelled": "event_cancelled", "change": "event_change", "registered": "event_registered",
                "confirm_link": "event_registered"}
URGENT_KINDS = ("offer", "cancelled", "change")  # time-critical: not held back by the quiet hours
MAIL_BATCH = 50


def already_sent(session: Session, registration_id: int, kind: str) -> bool:
    return session.scalar(
        select(ReminderLog.id).where(ReminderLog.registration_id == registration_id, ReminderLog.kind == kind)
    ) is not None


def _deliver(session: Session, config: Mapping, registration: Registration, kind: str, notice: Notice) -> ReminderLog:
    chat = notify.chat_user(registration.person_key)
    entry = ReminderLog(registration_id=registration.id, kind=kind, channel=registration.channel,
                        subject=notice.subject[:200], outcome="unreachable")
    if chat is not None:
        subscriber = notify.subscriber_id(session, *chat)
        urgent = kind.split("-")[0] in URGENT_KINDS  # an offer or a cancellation must not wait for morning
        reason = PUSH_REASONS.get(kind.split("-")[0], "event_notice")
        if subscriber and notify.push(session, config, [subscriber], notice.response, reason=reason, urgent=urgent):
            entry.outcome, entry.sent_at = "queued", utcnow()
    elif is_email(registration.contact) and mail.mail_configured(config):
        entry.outcome, entry.body = "mail_pending", notice.mail_body
    session.add(entry)
    return entry


def send_notice(session: Session, config: Mapping, registration: Registration, kind: str,
                build) -> ReminderLog | None:
    """Build (``build(registration) -> Notice``) and send; commits; None if it was sent before."""
    if already_sent(session, registration.id, kind):
        return None
    try:
        entry = _deliver(session, config, registration, kind, build(registration))
        session.commit()
    except IntegrityError:  # another worker sent it at the same moment
        session.rollback()
        return None
    if entry.outcome == "unreachable":
        log.info("registration %s: %s notice has no channel; staff should call", registration.id, kind)
    return entry


def _claim_mail(session: Session, entry_id: int) -> ReminderLog | None:
    """Take one pending mail (mark it sending) so two workers never mail it twice."""
    taken = session.execute(
        update(ReminderLog).where(ReminderLog.id == entry_id, ReminderLog.outcome == "mail_pending")
        .values(outcome="mail_sending")
    )
    session.commit()
    return session.get(ReminderLog, entry_id) if taken.rowcount == 1 else None


def send_pending_mail(session: Session, config: Mapping) -> int:
    """Worker job: send queued mails; at most once each (a failure is recorded, not retried)."""
    ids = list(session.scalars(
        select(ReminderLog.id).where(ReminderLog.outcome == "mail_pending").order_by(ReminderLog.id).limit(MAIL_BATCH)
    ))
    sent = 0
    for entry_id in ids:
        entry = _claim_mail(session, entry_id)
        if entry is None:
            continue
        registration = entry.registration
        if not is_email(registration.contact):  # erased or purged since it was queued
            entry.outcome, entry.body = "unreachable", None
            session.commit()
            continue
        try:
            mail.send_mail(config, registration.contact or "", entry.subject, entry.body or "")
            entry.outcome, sent = "mailed", sent + 1
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("mail for registration %s (%s) failed: %s", registration.id, entry.kind, exc)
            entry.outcome = "mail_failed"
        entry.sent_at, entry.body = utcnow(), None  # the text held personal data; it is not needed any more
        session.commit()
    return sent
