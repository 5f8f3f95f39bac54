"""What a web applicant is told after the form: an e-mail when SMTP is set, otherwise nothing.

Chat applicants get their confirmation in the chat itself. A web applicant with an
e-mail address gets a mail (sent by the worker) when SMTP is configured; the page
says plainly when no message will come and offers the personal link and QR code.
A ``pending`` registration (先着 with a confirmation link) gets the link to confirm.
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import mail, notices
from events.models import Registration, ReminderLog
from events.notice_texts import Notice, _link, _mail, facts, registration_path
from events.validation import is_email
from messages.replies import BotResponse, Text

STATUS_SENTENCES = {
    "confirmed": "参加が確定しました。", "waitlisted": "満席のため、キャンセル待ちで受け付けました。",
    "applied": "抽選にお申し込みいただきました。締め切り後に抽選し、結果をお知らせします。",
    "held": "確認のため、受付を保留しています。職員が確認してからご連絡します。",
}
MAIL_KINDS = ("registered", "confirm_link")


def _registered_notice(config: Mapping, registration: Registration) -> Notice:
    body = (f"「{registration.event.title}」のお申し込みを受け付けました。"
            f"{STATUS_SENTENCES.get(registration.status, '')}\n\n{facts(registration)}")
    link = _link(config, registration, registration_path(registration), "event-registered")
    return Notice("【受付のお知らせ】" + registration.event.title, BotResponse([Text(body)]),
                  _mail(registration.name, body, link))


def _confirm_notice(config: Mapping, registration: Registration) -> Notice:
    link = _link(config, registration, registration_path(registration) + "/confirm", "event-confirm")
    body = (f"「{registration.event.title}」のお申し込みを確定するため、次のリンクを開いて「確定する」を押してください。"
            f"確定するまで、お席は確保されていません。\n{link}\n\n{facts(registration)}")
    return Notice("【申し込みの確定をお願いします】" + registration.event.title, BotResponse([Text(body)]),
                  _mail(registration.name, body, link))


def after_web_registration(session: Session, config: Mapping, registration: Registration) -> None:
    """Queue the confirmation mail (or the confirmation link) when it can be sent at all."""
    if registration.channel != "web" or not is_email(registration.contact) or not mail.mail_configured(config):
        return
    if registration.status == "pending":
        notices.send_notice(session, config, registration, "confirm_link", lambda r: _confirm_notice(config, r))
    else:
        notices.send_notice(session, config, registration, "registered", lambda r: _registered_notice(config, r))


def mail_on_its_way(session: Session, registration: Registration) -> bool:
    """True when a confirmation mail to this registrant is queued or sent."""
    outcome = session.scalar(select(ReminderLog.outcome).where(
        ReminderLog.registration_id == registration.id, ReminderLog.kind.in_(MAIL_KINDS)))
    return outcome in ("mail_pending", "mail_sending", "mailed")
