"""Staff pages for events (/admin/events): registrations, waitlist, attendance, CSV, check-in.

For ward staff (区職員) and administrators (管理者) only: these pages show
applicants' names and contacts.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from core.db import db, utcnow
from events import queries, service, signing, staff
from events.forms import HINTS, RegistrationForm
from events.models import NOTICE_KINDS, Registration, ReminderLog
from events.results import PHONE_LIST_KINDS
from events.service import RegistrationError
from staff.auth import current_staff, staff_required

bp = Blueprint("events_admin", __name__, url_prefix="/admin/events")
ROLES = ("ward", "admin")


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # personal data: never kept by browsers or proxies
    return response


def _event_or_404(event_id: int):
    event = queries.get_event(db.session, event_id)
    if event is None:
        abort(404)
    return event


def _registration_or_404(event_id: int, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id) if 0 < registration_id < 2**31 else None
    if registration is None or registration.event_id != event_id:
        abort(404)
    return registration


@bp.get("/")
@staff_required(*ROLES, "contractor")  # contractors read the events (numbers only) and their editor
def event_list():
    session = db.session
    upcoming, past = queries.staff_events(session, True), queries.staff_events(session, False)
    everything = upcoming + past
    return render_template(
        "admin/events/list.html", upcoming=upcoming, past=past, can_manage=current_staff().role in ROLES,
        counts=queries.event_counts(session, [e.id for e in everything]),
        remaining=queries.remaining_by_event(session, everything),
    )


def _unreachable(event_id: int) -> list[ReminderLog]:
    """The phone list: offers, lottery results, changes and cancellations nobody could be told about."""
    kinds = ReminderLog.kind.in_(PHONE_LIST_KINDS) | ReminderLog.kind.like("change-%")
    query = (select(ReminderLog).join(ReminderLog.registration)
             .where(Registration.event_id == event_id, kinds,
                    ReminderLog.outcome.in_(("unreachable", "mail_failed")))
             .order_by(ReminderLog.created_at.desc()))
    return list(db.session.scalars(query))


def _render_event(event, form: RegistrationForm | None = None, status: int = 200, problem: str | None = None):
    session = db.session
    html = render_template(
        "admin/events/event.html", event=event, registrations=queries.event_registrations(session, event.id),
        counts=queries.event_counts(session, [event.id])[event.id], remaining=service.remaining_seats(session, event),
        form=form or RegistrationForm(event), hints=HINTS, labels=staff.STATUS_LABELS,
        channels=staff.CHANNEL_LABELS, unreachable=_unreachable(event.id), notice_kinds=NOTICE_KINDS,
        started=utcnow() >= event.starts_at, problem=problem,
    )
    return html, status


@bp.get("/<int:event_id>")
@staff_required(*ROLES)
def event_detail(event_id: int):
    return _render_event(_event_or_404(event_id))


@bp.post("/<int:event_id>/add")
@staff_required(*ROLES)
def add(event_id: int):
    event = _event_or_404(event_id)
    form, registration = staff.add_by_staff(db.session, current_staff(), event, request.form,
                                            current_app.config["SECRET_KEY"])
    if registration is None:
        return _render_event(event, form, 422)
    flash(f"受付番号{registration.id}で追加しました（{staff.STATUS_LABELS[registration.status]}）。")
    return redirect(url_for("events_admin.event_detail", event_id=event.id), code=303)


@bp.post("/<int:event_id>/registrations/<int:registration_id>/cancel")
@staff_required(*ROLES)
def cancel(event_id: int, registration_id: int):
    registration = _registration_or_404(event_id, registration_id)
    try:
        offered = staff.cancel_by_staff(db.session, current_staff(), registration)
    except RegistrationError as exc:
        return _render_event(registration.event, status=409, problem=exc.message)
    extra = f"キャンセル待ちの{len(offered)}件に空席をご案内しました。" if offered else ""
    flash(f"受付番号{registration.id}をキャンセルしました。{extra}")
    return redirect(url_for("events_admin.event_detail", event_id=event_id), code=303)


@bp.post("/<int:event_id>/registrations/<int:registration_id>/checkin")
@staff_required(*ROLES)
def mark_attended(event_id: int, registration_id: int):
    registration = _registration_or_404(event_id, registration_id)
    try:
        staff.check_in(db.session, current_staff(), registration)
    except RegistrationError as exc:
        return _render_event(registration.event, status=409, problem=exc.message)
    flash(f"受付番号{registration.id}を来場済みにしました。")
    return redirect(url_for("events_admin.event_detail", event_id=event_id), code=303)


@bp.get("/<int:event_id>/registrations.csv")
@staff_required(*ROLES)
def export(event_id: int):
    event = _event_or_404(event_id)
    body = staff.export_csv(db.session, current_staff(), event)
    filename = f"event-{event.id}-registrations-{utcnow():%Y%m%d}.csv"
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- door check-in -------------------------------------------------------------------


def _scanned(code: str) -> Registration | None:
    registration_id = signing.read_checkin_code(current_app.config["SECRET_KEY"], code)
    return db.session.get(Registration, registration_id) if registration_id else None


def _render_checkin(code: str = "", registration=None, result=None, problem=None, status: int = 200):
    return render_template("admin/events/checkin.html", code=code, registration=registration,
                           result=result, problem=problem, labels=staff.STATUS_LABELS), status


INVALID_CODE = "QRコードを読み取れませんでした。受付用のQRコードか、そのURLかをご確認ください。"


@bp.get("/checkin")
@staff_required(*ROLES)
def checkin_form():
    code = request.args.get("code", "").strip()
    if not code:
        return _render_checkin()
    found = _scanned(code)  # a pasted URL or code; typed by hand or read by a USB scanner
    if found is None:
        return _render_checkin(code[:300], problem=INVALID_CODE, status=404)
    canonical = signing.checkin_code(current_app.config["SECRET_KEY"], found.id)
    return redirect(url_for("events_admin.checkin_code", code=canonical), code=303)


@bp.route("/checkin/<path:code>", methods=["GET", "POST"])
@staff_required(*ROLES)
def checkin_code(code: str):
    registration = _scanned(code)
    if registration is None:
        return _render_checkin(code, problem=INVALID_CODE, status=404)
    if request.method == "GET":
        return _render_checkin(code, registration)
    try:
        result = staff.check_in(db.session, current_staff(), registration)
    except RegistrationError as exc:
        return _render_checkin(code, registration, problem=exc.message, status=409)
    return _render_checkin(code, registration, result=result)
