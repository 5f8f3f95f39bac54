"""Public registration pages: event detail with the form, submission, privacy help.

The private pages of one registration (``/registrations/<token>``) live in
``events.web_private``; both attach their routes to ``bp`` here.
"""
from __future__ import annotations

import time
from dataclasses import replace

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from core import signals
from core.db import db
from events import abuse, confirmations, forms, mail, party, queries, service, signing
from events.service import PURPOSE_OF_USE, RegistrationError
from events.validation import is_email
from staff.audit import hash_ip

bp = Blueprint("events", __name__)


def _record_attribution(session, registration) -> None:
    """Where the applicant came from (the KPI domain reads the tracked-link reference)."""
    signals.action_recorded.send(registration, session=session, user_id=None)

CONFLICT_CODES = {"duplicate", "closed", "past", "not_found"}
SAME_PERSON_TITLE = "すでにお申し込みがあります"
FIELD_OF_CODE = {"participants": "adults"}  # service error code → form field


def private_page(response: Response) -> Response:
    """Pages about one person's registration: never cached, never indexed, no Referer leak."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def message_page(title: str, message: str, status: int = 200, link: tuple[str, str] | None = None) -> Response:
    html = render_template("events/message.html", title=title, message=message, link=link)
    return private_page(Response(html, status=status))


@bp.errorhandler(CSRFError)
def csrf_failed(_error):
    return message_page(
        "もう一度お試しください",
        "ページを開いてから時間がたったため、送信を受け付けられませんでした。"
        "お手数ですが、ページを開き直してからもう一度送信してください。",
        400,
    )


def _render_detail(event, form: forms.RegistrationForm, status: int = 200, problem: str | None = None) -> Response:
    session = db.session
    html = render_template(
        "events/detail.html", event=event, form=form, hints=forms.HINTS, purpose=PURPOSE_OF_USE,
        seats=service.remaining_seats(session, event), is_open=service.is_open(event), problem=problem,
        max_participants=party.max_people(event), party_rules=party.rules_text(event),
        form_started=signing.form_started(current_app.config["SECRET_KEY"]),
    )
    response = Response(html, status=status)
    response.headers["Cache-Control"] = "no-store"  # each form carries its own submission key
    return response


def _public_event_or_404(event_id: int):
    event = queries.public_event(db.session, event_id)
    if event is None:
        abort(404)
    return event


@bp.get("/events/<int:event_id>")
def detail(event_id: int):
    event = _public_event_or_404(event_id)
    return _render_detail(event, forms.RegistrationForm(event))


def _public_application(event, application: service.Application) -> service.Application:
    """The web form's application with what the abuse limits and the confirmation step need."""
    config = current_app.config
    started = signing.read_form_started(config["SECRET_KEY"], request.form.get("form_started", ""))
    confirm_first = bool(event.confirm_by_link and is_email(application.contact) and mail.mail_configured(config))
    return replace(application, limits=abuse.limits_from(config), source_hash=hash_ip(request.remote_addr),
                   fill_seconds=0.0 if started is None else max(0.0, time.time() - started),  # no stamp: a script
                   confirm_first=confirm_first)


def _same_person(existing) -> Response:
    from events.staff import STATUS_LABELS

    message = (f"同じお名前と連絡先で、すでにお申し込みがあります（受付番号{existing.id}・{STATUS_LABELS[existing.status]}）。"
               "新しいお申し込みは作っていません。内容の確認やキャンセルは、お申し込み時のメール・LINE・"
               "保存したページのリンクからできます。")
    return message_page(SAME_PERSON_TITLE, message, 409, link=(url_for("public.events"), "イベント一覧へ"))


@bp.post("/events/<int:event_id>/register")
def register(event_id: int):
    event = _public_event_or_404(event_id)
    form, application = forms.read_form(event, request.form, current_app.config["SECRET_KEY"])
    if application is None:
        return _render_detail(event, form, 422)
    try:
        registration = service.register(db.session, _public_application(event, application),
                                        before_commit=_record_attribution)
    except RegistrationError as exc:
        if exc.code == "duplicate_person" and exc.existing is not None:
            return _same_person(exc.existing)
        if exc.code == "rate_limited":
            return _render_detail(event, form, 429, problem=exc.message)
        if exc.code in CONFLICT_CODES:
            return _render_detail(event, form, 409, problem=exc.message)
        form.errors[FIELD_OF_CODE.get(exc.code, exc.code)] = exc.message
        return _render_detail(event, form, 422)
    confirmations.after_web_registration(db.session, current_app.config, registration)
    return redirect(url_for("events.registration", token=registration.token, done=1), code=303)


@bp.get("/privacy/delete")
def privacy_delete():
    return private_page(Response(render_template("events/privacy_delete.html")))


from events import web_private  # noqa: E402,F401  (adds the private pages to bp)


def register_blueprints(app) -> None:
    """Public registration pages and the staff pages (/admin/events); one call from ``web.app``.

    Registered before the public site so that ``/events/<id>`` (its former
    placeholder) is served by the registration page.
    """
    from events import admin, admin_editor  # noqa: F401  (admin_editor adds the editor to admin.bp)

    app.register_blueprint(bp)
    app.register_blueprint(admin.bp)
