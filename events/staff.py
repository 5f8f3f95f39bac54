"""What staff do with registrations: add by hand, cancel, check in at the door, export.

Every change is audited in the same transaction as the change itself.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.db import utcnow
from core.timefmt import datetime_ja
from events import queries, service, waitlist
from events.forms import RegistrationForm, read_form
from events.models import Event, Registration
from events.service import RegistrationError
from staff import audit

STATUS_LABELS = {"confirmed": "参加確定", "waitlisted": "キャンセル待ち", "offered": "空席案内中", "cancelled": "キャンセル",
                 "applied": "抽選待ち", "held": "確認のため保留", "pending": "本人の確定待ち"}
CHANNEL_LABELS = {"line": "LINE", "discord": "Discord", "web": "ウェブ", "staff": "職員入力"}


def _audit(staff, action: str, details: dict | None = None):
    def write(session: Session, registration: Registration) -> None:
        audit.record(session, staff, action, "registration", registration.id,
                     {"event_id": registration.event_id, "status": registration.status, **(details or {})})
    return write


def add_by_staff(session: Session, staff, event: Event, data: Mapping[str, str],
                 secret_key: str) -> tuple[RegistrationForm, Registration | None]:
    """A phoned-in application (the applicant consented on the phone); the same checks as the web form."""
    form, application = read_form(event, {**data, "consent": "yes" if data.get("consent") else ""}, secret_key)
    if application is None:
        return form, None
    application = replace(application, channel="staff")
    try:
        registration = service.register(session, application, by_staff=True,
                                        before_commit=_audit(staff, "event.registration_add"))
    except RegistrationError as exc:
        form.errors["adults" if exc.code == "participants" else exc.code] = exc.message
        return form, None
    return form, registration


def cancel_by_staff(session: Session, staff, registration: Registration) -> list[Registration]:
    if registration.event.starts_at <= utcnow():
        raise RegistrationError("past", "開催後のお申し込みはキャンセルできません。")
    return waitlist.cancel(session, registration, before_commit=_audit(staff, "event.registration_cancel"))


@dataclass(frozen=True)
class CheckIn:
    registration: Registration
    newly: bool  # False: it was checked in before (shown with the earlier time)


def check_in(session: Session, staff, registration: Registration, now: datetime | None = None) -> CheckIn:
    """Mark attendance (idempotent, safe when two staff scan the same code); commits."""
    if registration.status != "confirmed":
        label = STATUS_LABELS.get(registration.status, registration.status)
        raise RegistrationError("not_confirmed", f"このお申し込みは参加確定ではありません（{label}）。")
    marked = session.execute(
        update(Registration).where(Registration.id == registration.id, Registration.attended_at.is_(None))
        .values(attended_at=now or utcnow())
    )
    if marked.rowcount == 1:
        audit.record(session, staff, "event.checkin", "registration", registration.id,
                     {"event_id": registration.event_id, "participants": registration.participants})
    session.commit()
    session.refresh(registration)
    return CheckIn(registration, newly=marked.rowcount == 1)


CSV_HEADER = ["受付番号", "状態", "大人", "子ども", "合計", "お名前", "連絡先", "申込経路",
              "申込日時", "受付（来場）日時", "キャンセル日時"]


def _safe_cell(value: object) -> str:
    """Text Excel will not run as a formula (a name typed as "=HYPERLINK(...)")."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _row(registration: Registration) -> list[str]:
    return [_safe_cell(v) for v in (
        registration.id, STATUS_LABELS.get(registration.status, registration.status), registration.adults,
        registration.children, registration.participants, registration.name or "（削除済み）",
        registration.contact or "（削除済み）", CHANNEL_LABELS.get(registration.channel, registration.channel),
        datetime_ja(registration.created_at), datetime_ja(registration.attended_at),
        datetime_ja(registration.cancelled_at),
    )]


def export_csv(session: Session, staff, event: Event) -> bytes:
    """UTF-8 with BOM and CRLF, so Excel opens the Japanese text correctly; audited; commits."""
    registrations = queries.event_registrations(session, event.id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(_row(r) for r in registrations)
    audit.record(session, staff, "event.export", "event", event.id, {"rows": len(registrations)})
    session.commit()
    return buffer.getvalue().encode("utf-8-sig")


ACTION_LABELS = {
    "event.registration_add": "イベント申込の追加", "event.registration_cancel": "イベント申込のキャンセル",
    "event.checkin": "イベント受付", "event.export": "申込者CSV出力", "event.create": "イベント作成",
    "event.edit": "イベント編集", "event.cancel": "イベント中止", "event.attach_article": "イベント記事の関連付け",
    "event.lottery_draw": "抽選", "event.registration_admit": "保留中の申込の受付",
}
