"""Writing careers data: openings, contact requests, forwarding and outcomes.

Like every service here: functions take the caller's session and never commit.
Errors are ``CareersError`` with a Japanese message for the person or staff.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from careers.models import (
    CONTACT_KINDS,
    OPENING_KINDS,
    OUTCOME_KINDS,
    ContactRequest,
    Opening,
    Outcome,
    OutcomeConsent,
)
from content.models import Company
from core.db import utcnow
from core.timefmt import JST
from events.models import Registration
from events.validation import FieldError, clean_contact, clean_name
from kpi import attribution, sources

# What staff confirm with the person before outcomes are recorded with their name (kept with each consent).
OUTCOME_CONSENT_TEXT = ("応募・内定・就職の結果を、お名前と結びつけて大田区が記録することに同意します。"
                        "同意しない場合も、名前を残さず人数だけを数えます。同意はいつでも取り消せます。")
SHARE_CONSENT_TEXT = ("入力したお名前・連絡先・ご用件を、大田区の担当者が相手の企業に伝えることに同意します。"
                      "企業はこの件のご連絡にだけ使います。")
MESSAGE_MAX, TITLE_MAX, DESCRIPTION_MAX = 1000, 200, 4000


class CareersError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


# -- openings (staff) -------------------------------------------------------------------

def save_opening(session: Session, company: Company, kind: str, title: str, description: str,
                 opening: Opening | None = None) -> Opening:
    if kind not in OPENING_KINDS:
        raise CareersError("kind", "種類を選んでください。")
    title, description = title.strip(), description.strip()
    if not title:
        raise CareersError("title", "名前（例：旋盤オペレーター見習い）を入力してください。")
    if len(title) > TITLE_MAX or len(description) > DESCRIPTION_MAX:
        raise CareersError("title", f"名前は{TITLE_MAX}字、内容は{DESCRIPTION_MAX}字までです。")
    opening = opening or Opening(company_id=company.id)
    opening.kind, opening.title, opening.description = kind, title, description
    session.add(opening)
    session.flush()
    return opening


# -- contact requests (the public) ------------------------------------------------------

@dataclass(frozen=True)
class ContactForm:
    kind: str
    name: str
    contact: str
    message: str
    consent: bool
    opening_id: int | None = None
    submission_key: str | None = None


def submit_contact(session: Session, company: Company, form: ContactForm, *, channel: str = "web",
                   persona: str | None = None, touches: attribution.Touches | None = None,
                   now: datetime | None = None) -> ContactRequest:
    """Queue a request for ward staff; a replayed submission returns the request it made."""
    if form.submission_key:
        earlier = session.scalar(select(ContactRequest).where(ContactRequest.submission_key == form.submission_key))
        if earlier is not None:
            return earlier
    if form.kind not in CONTACT_KINDS:
        raise CareersError("kind", "ご用件を選んでください。")
    if not form.consent:
        raise CareersError("consent", "企業にお名前と連絡先を伝えることへの同意が必要です。")
    try:
        name, contact = clean_name(form.name), clean_contact(form.contact)
    except FieldError as exc:
        raise CareersError(exc.field, exc.message) from exc
    message = form.message.strip()
    if len(message) > MESSAGE_MAX:
        raise CareersError("message", f"ご用件は{MESSAGE_MAX}字までで入力してください。")
    request = ContactRequest(
        company_id=company.id, opening_id=form.opening_id, kind=form.kind, channel=channel,
        persona=persona or attribution.persona_of_segment(touches.last.segment if touches else None) or None,
        name=name, contact=contact, message=message, share_consent_text=SHARE_CONSENT_TEXT,
        share_consented_at=now or utcnow(), submission_key=form.submission_key,
    )
    attribution.stamp(request, touches)
    session.add(request)
    session.flush()
    return request


def mark_forwarded(session: Session, request: ContactRequest, staff_id: int | None) -> None:
    request.status, request.forwarded_at, request.forwarded_by_id = "forwarded", utcnow(), staff_id


def close_request(request: ContactRequest) -> None:
    request.status = "closed"


# -- outcomes (staff) ---------------------------------------------------------------------

@dataclass(frozen=True)
class OutcomeForm:
    kind: str
    occurred_on: date
    company_id: int | None
    consented: bool
    submission_key: str | None = None


def _copy_touches(target, source) -> None:
    for prefix in ("first_touch_", "last_touch_"):
        for field in ("channel", "broadcast_id", "article_id", "segment"):
            setattr(target, prefix + field, getattr(source, prefix + field))


def record_outcome(session: Session, form: OutcomeForm, *, registration: Registration | None = None,
                   contact: ContactRequest | None = None, staff_id: int | None = None) -> Outcome:
    """One outcome for the person of a registration or a contact (or for nobody in particular).

    A replayed form (same ``submission_key``, e.g. a double click) returns the outcome it recorded.
    """
    if form.submission_key:
        earlier = session.scalar(select(Outcome).where(Outcome.submission_key == form.submission_key))
        if earlier is not None:
            return earlier
    if form.kind not in OUTCOME_KINDS:
        raise CareersError("kind", "応募・内定・就職のどれかを選んでください。")
    # Outcomes are dated in Japan: from 0:00 to 9:00 JST the UTC date is still yesterday.
    if form.occurred_on > utcnow().astimezone(JST).date() or form.occurred_on.year < 2000:
        raise CareersError("occurred_on", "日付を確認してください（未来の日付は記録できません）。")
    if form.company_id is not None and session.get(Company, form.company_id) is None:
        raise CareersError("company_id", "企業が見つかりません。")
    source = registration or contact
    outcome = Outcome(kind=form.kind, occurred_on=form.occurred_on, company_id=form.company_id,
                      consented=form.consented, recorded_by_id=staff_id, submission_key=form.submission_key)
    if source is not None:
        _copy_touches(outcome, source)
        outcome.channel = source.channel
        outcome.persona = contact.persona if contact is not None else _registration_persona(session, registration)
        if form.consented:  # only with consent may the outcome point back at the person
            outcome.registration_id = registration.id if registration is not None else None
            outcome.contact_id = contact.id if contact is not None else None
            outcome.person_label = source.name
    session.add(outcome)
    session.flush()
    return outcome


def _registration_persona(session: Session, registration: Registration) -> str | None:
    channel, _, person = registration.person_key.partition(":")
    return attribution.persona_of_segment(registration.last_touch_segment) or sources.persona_of(session, channel, person)


# -- one click per person from the attendee list (staff) -----------------------------------

def consent_in_force(session: Session, registration_id: int) -> OutcomeConsent | None:
    return session.scalar(select(OutcomeConsent).where(OutcomeConsent.registration_id == registration_id,
                                                       OutcomeConsent.withdrawn_at.is_(None)))


def give_consent(session: Session, registration: Registration, staff_id: int | None) -> OutcomeConsent:
    """Staff confirmed the person agrees to OUTCOME_CONSENT_TEXT; a second confirmation changes nothing."""
    found = consent_in_force(session, registration.id)
    if found is not None:
        return found
    consent = OutcomeConsent(registration_id=registration.id, wording=OUTCOME_CONSENT_TEXT, given_by_id=staff_id)
    session.add(consent)
    session.flush()
    return consent


def withdraw_consent(session: Session, registration: Registration, staff_id: int | None) -> int:
    """Close the consent and make the person's outcomes anonymous (they keep counting); returns how many."""
    consent = consent_in_force(session, registration.id)
    if consent is not None:
        consent.withdrawn_at, consent.withdrawn_by_id = utcnow(), staff_id
    linked = list(session.scalars(select(Outcome).where(Outcome.registration_id == registration.id)))
    for outcome in linked:
        outcome.registration_id, outcome.person_label, outcome.consented = None, None, False
    session.flush()
    return len(linked)


def record_for_attendee(session: Session, registration: Registration, kind: str, today: date, *,
                        staff_id: int | None = None, submission_key: str | None = None) -> Outcome:
    """The attendee list's one click: today, the event's company, with the person's name only if they consented."""
    if submission_key:
        earlier = session.scalar(select(Outcome).where(Outcome.submission_key == submission_key))
        if earlier is not None:
            return earlier
    if registration.status != "confirmed":
        raise CareersError("kind", "参加が確定している方だけ記録できます（キャンセル・キャンセル待ちの方は記録できません）。")
    consented = consent_in_force(session, registration.id) is not None
    if consented and _already_recorded(session, registration.id, kind):
        raise CareersError("kind", f"この方の「{OUTCOME_KINDS.get(kind, kind)}」はもう記録してあります。"
                                   "訂正するときは、記録を取り消してから記録し直してください。")
    event = registration.event
    form = OutcomeForm(kind=kind, occurred_on=today, company_id=event.company_id if event is not None else None,
                       consented=consented, submission_key=submission_key)
    return record_outcome(session, form, registration=registration, staff_id=staff_id)


def _already_recorded(session: Session, registration_id: int, kind: str) -> bool:
    return session.scalar(select(Outcome.id).where(Outcome.registration_id == registration_id,
                                                   Outcome.kind == kind).limit(1)) is not None


def undo_outcome(session: Session, outcome: Outcome) -> None:
    """Take back a record made by mistake (the undo of the one click, or a correction later)."""
    session.delete(outcome)
    session.flush()
