"""Plain-text mail to web applicants who gave an e-mail address (offers, reminders, thanks).

Configured with SMTP_HOST (and optional SMTP_PORT, SMTP_USER, SMTP_PASSWORD,
SMTP_STARTTLS=0/1, MAIL_FROM) in the environment or app config. Without
SMTP_HOST no mail is sent: those notices are marked "unreachable" and the
staff console lists them so staff can call the applicant instead.
"""
from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

DEFAULT_FROM = "no-reply@monozukuri.example.jp"
TIMEOUT_SECONDS = 20


def _setting(config, name: str, default: str | None = None) -> str | None:
    value = (config or {}).get(name) or os.environ.get(name)
    return value if value not in (None, "") else default


def mail_configured(config) -> bool:
    return bool(_setting(config, "SMTP_HOST"))


def build_message(config, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = _setting(config, "MAIL_FROM", DEFAULT_FROM)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="monozukuri")
    message.set_content(body, charset="utf-8")
    return message


def send_mail(config, to: str, subject: str, body: str) -> None:
    """Send one mail; raises ``OSError``/``smtplib.SMTPException`` when it cannot."""
    host = _setting(config, "SMTP_HOST")
    if not host:
        raise smtplib.SMTPException("SMTP_HOST is not set")
    port = int(_setting(config, "SMTP_PORT", "587"))
    with smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS) as smtp:
        if str(_setting(config, "SMTP_STARTTLS", "1")).lower() in ("1", "true") and smtp.has_extn("starttls"):
            smtp.starttls()
        user = _setting(config, "SMTP_USER")
        if user:
            smtp.login(user, _setting(config, "SMTP_PASSWORD", ""))
        smtp.send_message(build_message(config, to, subject, body))
