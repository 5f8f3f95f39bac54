"""Public company pages: ``/companies/<slug>`` and its contact form."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from careers import forms, queries, service
from careers.models import CONTACT_KINDS
from core.db import db
from kpi import attribution

bp = Blueprint("careers", __name__, template_folder="templates")


def _company_or_404(slug: str):
    company = queries.company_by_slug(db.session, slug)
    if company is None:
        abort(404)
    return company


@bp.get("/companies")
def company_list():
    session = db.session
    return render_template("careers/companies.html", companies=queries.all_companies(session),
                           counts=queries.opening_counts(session))


@bp.get("/companies/<slug>")
def company(slug: str):
    session = db.session
    found = _company_or_404(slug)
    return render_template(
        "careers/company.html", company=found, articles=queries.company_articles(session, found.id),
        tours=queries.company_tours(session, found.id), openings=queries.openings(session, found.id),
        kinds=CONTACT_KINDS,
    )


def _contact_page(company, kind: str, values: dict, errors: dict, status: int = 200) -> Response:
    html = render_template(
        "careers/contact.html", company=company, kind=kind, kind_label=CONTACT_KINDS[kind], values=values,
        errors=errors, consent_text=service.SHARE_CONSENT_TEXT,
        openings=queries.openings(db.session, company.id), submission_key=forms.new_submission_key(),
    )
    response = Response(html, status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/companies/<slug>/contact/<kind>")
def contact(slug: str, kind: str):
    found = _company_or_404(slug)
    if kind not in CONTACT_KINDS:
        abort(404)
    return _contact_page(found, kind, {"opening_id": request.args.get("opening", "")}, {})


@bp.post("/companies/<slug>/contact/<kind>")
def send_contact(slug: str, kind: str):
    session = db.session
    found = _company_or_404(slug)
    if kind not in CONTACT_KINDS:
        abort(404)
    form = forms.contact_form(request.form, kind)
    try:
        service.submit_contact(session, found, form, channel="web", touches=attribution.request_touches())
        session.commit()
    except service.CareersError as exc:
        session.rollback()
        return _contact_page(found, kind, request.form.to_dict(), {exc.field: exc.message}, 422)
    html = render_template("careers/contact_done.html", company=found, kind_label=CONTACT_KINDS[kind])
    return Response(html, headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})
