"""``/admin/careers``: companies' openings, the contact queue and outcomes (ward staff)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from careers import forms, queries, service
from careers.models import CONTACT_STATUSES, OPENING_KINDS, OUTCOME_KINDS, ContactRequest, Opening
from content.models import Company
from core.db import db
from kpi.metrics import jst_day
from staff import audit
from staff.auth import current_staff, staff_required

bp = Blueprint("careers_admin", __name__, url_prefix="/admin/careers", template_folder="templates")
ROLES = ("ward",)
ACTION_LABELS = {
    "careers.opening_save": "募集情報を保存", "careers.opening_close": "募集を終了",
    "careers.contact_forward": "問い合わせを企業へ連絡", "careers.contact_close": "問い合わせの対応を終了",
    "careers.outcome_record": "応募・内定・就職を記録",
}


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
    return _outcome_page(registration, contact, {"occurred_on": jst_day().isoformat(),
                                                 "company_id": str(_default_company(registration, contact) or "")})


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
    flash(f"「{outcome.kind_label}」を{who}記録しました。")
    return redirect(url_for("careers_admin.outcome_form"))
