"""``/admin/careers``: companies' openings, the contact queue and outcomes (ward staff).

Outcomes are also recorded in one click per person from an event's attendee list
(``/admin/events/<id>``): ``attendee_panel`` is a template global that the events
page calls, so the events domain needs no import of careers.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import session as browser_session
from markupsafe import Markup

from careers import forms, queries, service
from careers.models import CONTACT_STATUSES, OPENING_KINDS, OUTCOME_KINDS, ContactRequest, Opening, Outcome
from content.models import Company
from core.db import db
from events.models import Registration
from kpi.metrics import jst_day
from staff import audit
from staff.auth import current_staff, staff_required
from staff.navigation import may_open

bp = Blueprint("careers_admin", __name__, url_prefix="/admin/careers", template_folder="templates")
ROLES = ("ward",)
ACTION_LABELS = {
    "careers.opening_save": "募集情報を保存", "careers.opening_close": "募集を終了",
    "careers.contact_forward": "問い合わせを企業へ連絡", "careers.contact_close": "問い合わせの対応を終了",
    "careers.outcome_record": "応募・内定・就職を記録", "careers.outcome_undo": "応募・内定・就職の記録を取り消し",
    "careers.consent_give": "記録への本人の同意を登録", "careers.consent_withdraw": "記録への本人の同意を取り消し",
}
LAST_ANONYMOUS = "career_last_outcome"  # session key: the anonymous record the attendee list may still undo
UNDO_SECONDS = 30 * 60


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@staff_required(*ROLES)
def index():
    session = db.session
    return render_template("admin/careers/index.html", companies=queries.all_companies(session),
                           counts=queries.opening_counts(session),
                           waiting=len(queries.contact_queue(session, "new")))


def _company_or_404(company_id: int) -> Company:
    company = db.session.get(Company, company_id)
    if company is None:
        abort(404)
    return company


def _openings_page(company: Company, values: dict, error: tuple[str, str] | None = None, status: int = 200):
    page = render_template("admin/careers/openings.html", company=company, kinds=OPENING_KINDS, values=values,
                           error=error, openings=queries.openings(db.session, company.id, active_only=False))
    return page, status


@bp.get("/companies/<int:company_id>")
@staff_required(*ROLES)
def openings(company_id: int):
    return _openings_page(_company_or_404(company_id), {"kind": "position"})


@bp.post("/companies/<int:company_id>")
@staff_required(*ROLES)
def add_opening(company_id: int):
    session = db.session
    company = _company_or_404(company_id)
    values = forms.opening_fields(request.form)
    try:
        opening = service.save_opening(session, company, **values)
    except service.CareersError as exc:
        session.rollback()
        return _openings_page(company, values, (exc.field, exc.message), 400)
    audit.record(session, current_staff(), "careers.opening_save", "career_opening", opening.id,
                 {"company": company.name, "title": opening.title})
    session.commit()
    flash(f"「{opening.title}」を会社のページに載せました。")
    return redirect(url_for("careers_admin.openings", company_id=company.id))


@bp.post("/openings/<int:opening_id>/close")
@staff_required(*ROLES)
def close_opening(opening_id: int):
    session = db.session
    opening = session.get(Opening, opening_id)
    if opening is None:
        abort(404)
    opening.active = False
    audit.record(session, current_staff(), "careers.opening_close", "career_opening", opening.id)
    session.commit()
    flash(f"「{opening.title}」の募集を終了しました（会社のページから外れます）。")
    return redirect(url_for("careers_admin.openings", company_id=opening.company_id))


@bp.get("/contacts")
@staff_required(*ROLES)
def contacts():
    status = request.args.get("status", "new")
    chosen = status if status in CONTACT_STATUSES else None
    return render_template("admin/careers/contacts.html", requests=queries.contact_queue(db.session, chosen),
                           statuses=CONTACT_STATUSES, chosen=chosen)


def _contact_or_404(contact_id: int) -> ContactRequest:
    found = db.session.get(ContactRequest, contact_id)
    if found is None:
        abort(404)
    return found


@bp.post("/contacts/<int:contact_id>/<action>")
@staff_required(*ROLES)
def contact_action(contact_id: int, action: str):
    session = db.session
    found = _contact_or_404(contact_id)
    if action == "forwarded":
        service.mark_forwarded(session, found, current_staff().id)
        message = "企業へ連絡済みにしました。"
    elif action == "closed":
        service.close_request(found)
        message = "対応を終了しました。"
    else:
        abort(404)
    audit.record(session, current_staff(), {"forwarded": "careers.contact_forward"}.get(action, "careers.contact_close"),
                 "career_contact", found.id, {"company": found.company.name if found.company else ""})
    session.commit()
    flash(message)
    return redirect(url_for("careers_admin.contacts"))


def _outcome_source():
    """The registration or contact request the outcome is about (from ?registration= / ?contact=)."""
    session = db.session
    registration_id, contact_id = request.values.get("registration", ""), request.values.get("contact", "")
    if registration_id.isdigit():
        found = queries.registration(session, int(registration_id))
        return (found, None) if found else abort(404)
    if contact_id.isdigit():
        return None, _contact_or_404(int(contact_id))
    return None, None


def _default_company(registration, contact) -> int | None:
    if contact is not None:
        return contact.company_id
    if registration is not None and registration.event is not None:
        return registration.event.company_id
    return None


def _outcome_page(registration, contact, values: dict, error: str | None = None, status: int = 200):
    page = render_template("admin/careers/outcome.html", registration=registration, contact=contact,
                           values=values, error=error, kinds=OUTCOME_KINDS,
                           companies=queries.all_companies(db.session), outcomes=queries.recent_outcomes(db.session))
    return page, status


@bp.get("/outcomes")
@staff_required(*ROLES)
def outcome_form():
    registration, contact = _outcome_source()
    consented = registration is not None and service.consent_in_force(db.session, registration.id) is not None
    return _outcome_page(registration, contact, {"occurred_on": jst_day().isoformat(),
                                                 "company_id": str(_default_company(registration, contact) or ""),
                                                 "consented": "1" if consented else ""})


@bp.post("/outcomes")
@staff_required(*ROLES)
def record_outcome():
    session = db.session
    registration, contact = _outcome_source()
    values = request.form.to_dict()
    try:
        form = forms.outcome_form(request.form, jst_day())
        outcome = service.record_outcome(session, form, registration=registration, contact=contact,
                                         staff_id=current_staff().id)
    except (forms.FormProblem, service.CareersError) as exc:
        session.rollback()
        return _outcome_page(registration, contact, values, exc.message, 400)
    audit.record(session, current_staff(), "careers.outcome_record", "career_outcome", outcome.id,
                 {"kind": outcome.kind, "consented": outcome.consented})
    session.commit()
    who = "本人の同意ありで" if outcome.consented else "匿名で"
    flash(f"「{outcome.kind_label}」を{who}記録しました。{DASHBOARD_DELAY}")
    return redirect(url_for("careers_admin.outcome_form"))


# -- one click per person from an event's attendee list ------------------------------------

DASHBOARD_DELAY = "KPIダッシュボードには1時間以内に反映されます。"


def _day_ja(day: date) -> str:
    return f"{day.month}月{day.day}日"


@dataclass
class AttendeePanel:
    """What the attendee list shows per person: consent, the 応募・内定・就職 buttons, what is recorded."""

    consented: set[int]
    recorded: dict[int, list[Outcome]]
    undo: tuple[int, int, str] | None  # (outcome id, registration id, kind label) of a fresh anonymous record
    back: str

    def row(self, registration: Registration) -> Markup:
        if registration.status != "confirmed":
            return Markup("")
        undo = self.undo if self.undo and self.undo[1] == registration.id else None
        return Markup(render_template(
            "admin/careers/_attendee.html", r=registration, consented=registration.id in self.consented,
            recorded=self.recorded.get(registration.id, []), undo=undo, kinds=OUTCOME_KINDS, back=self.back,
            submission_key=forms.new_submission_key(), consent_text=service.OUTCOME_CONSENT_TEXT,
            day_ja=_day_ja,
        ))


def _fresh_anonymous_record() -> tuple[int, int, str] | None:
    remembered = browser_session.get(LAST_ANONYMOUS)
    if not isinstance(remembered, dict) or time.time() - float(remembered.get("at", 0)) > UNDO_SECONDS:
        return None
    outcome = db.session.get(Outcome, int(remembered.get("outcome", 0)))
    if outcome is None or outcome.consented:
        return None
    return outcome.id, int(remembered.get("registration", 0)), outcome.kind_label


def attendee_panel(registrations) -> AttendeePanel | None:
    """Template global for the events page; None for staff who may not record outcomes."""
    if not may_open(current_staff(), "careers_admin.record_for_attendee"):
        return None
    ids = [r.id for r in registrations if r.status == "confirmed"]
    return AttendeePanel(queries.consented_registrations(db.session, ids),
                         queries.outcomes_by_registration(db.session, ids), _fresh_anonymous_record(), request.path)


def _back_to(registration_id: int | None = None) -> str:
    """Where the attendee list's buttons return: the console page they were on (never another site)."""
    target = request.form.get("next", "")
    parts = urlsplit(target)
    safe = not parts.scheme and not parts.netloc and parts.path.startswith("/admin/") and "\\" not in target
    path = parts.path if safe else url_for("careers_admin.outcome_form")
    return path + (f"#reg-{registration_id}" if registration_id else "")


def _registration_or_404(registration_id: int) -> Registration:
    found = queries.registration(db.session, registration_id) if 0 < registration_id < 2**31 else None
    if found is None:
        abort(404)
    return found


@bp.post("/attendees/<int:registration_id>/outcome")
@staff_required(*ROLES)
def record_for_attendee(registration_id: int):
    session = db.session
    registration = _registration_or_404(registration_id)
    back = _back_to(registration.id)
    key = forms.submission_key(request.form)
    if key and queries.outcome_by_key(session, key) is not None:
        flash("この記録はもう受け付けています（2回押されました）。")
        return redirect(back, code=303)
    try:
        outcome = service.record_for_attendee(session, registration, request.form.get("kind", ""), jst_day(),
                                              staff_id=current_staff().id, submission_key=key)
    except service.CareersError as exc:
        session.rollback()
        flash(exc.message)
        return redirect(back, code=303)
    audit.record(session, current_staff(), "careers.outcome_record", "career_outcome", outcome.id,
                 {"kind": outcome.kind, "consented": outcome.consented, "from": "attendee_list"})
    session.commit()
    where = "・".join(p for p in (outcome.company.name if outcome.company else "", _day_ja(outcome.occurred_on)) if p)
    if outcome.consented:
        browser_session.pop(LAST_ANONYMOUS, None)
        who = f"{registration.name}さん" if registration.name else f"受付番号{registration.id}の方"
        flash(f"{who}の「{outcome.kind_label}」を記録しました（{where}）。{DASHBOARD_DELAY}")
    else:
        browser_session[LAST_ANONYMOUS] = {"outcome": outcome.id, "registration": registration.id, "at": time.time()}
        flash(f"受付番号{registration.id}の方の「{outcome.kind_label}」を、名前を残さず記録しました（{where}）。"
              f"{DASHBOARD_DELAY}")
    return redirect(back, code=303)


@bp.post("/attendees/<int:registration_id>/consent")
@staff_required(*ROLES)
def attendee_consent(registration_id: int):
    session = db.session
    registration = _registration_or_404(registration_id)
    action = request.form.get("action", "")
    if action == "give":
        consent = service.give_consent(session, registration, current_staff().id)
        audit.record(session, current_staff(), "careers.consent_give", "registration", registration.id,
                     {"consent_id": consent.id})
        message = f"受付番号{registration.id}の方の同意を記録しました。これからの記録はお名前つきになります。"
    elif action == "withdraw":
        anonymised = service.withdraw_consent(session, registration, current_staff().id)
        audit.record(session, current_staff(), "careers.consent_withdraw", "registration", registration.id,
                     {"anonymised": anonymised})
        message = (f"受付番号{registration.id}の方の同意を取り消しました。"
                   f"記録済みの{anonymised}件は名前を外し、人数としてだけ数えます。")
    else:
        abort(404)
    session.commit()
    flash(message)
    return redirect(_back_to(registration.id), code=303)


@bp.post("/outcomes/<int:outcome_id>/undo")
@staff_required(*ROLES)
def undo_outcome(outcome_id: int):
    session = db.session
    outcome = session.get(Outcome, outcome_id) if 0 < outcome_id < 2**31 else None
    registration_id = request.form.get("registration", "")
    back = _back_to(int(registration_id) if registration_id.isdigit() else None)
    if outcome is None:
        flash("この記録はもう取り消されています。")
        return redirect(back, code=303)
    details = {"kind": outcome.kind, "occurred_on": outcome.occurred_on.isoformat(), "consented": outcome.consented}
    label = outcome.kind_label
    service.undo_outcome(session, outcome)
    audit.record(session, current_staff(), "careers.outcome_undo", "career_outcome", outcome_id, details)
    session.commit()
    browser_session.pop(LAST_ANONYMOUS, None)
    flash(f"「{label}」の記録を取り消しました。")
    return redirect(back, code=303)
