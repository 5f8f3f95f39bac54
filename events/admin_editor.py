"""The console's event editor (/admin/events/new, /admin/events/<id>/edit): ward staff edit, contractors read.

Also the staff review of held registrations (those that looked scripted) and of
who could not be told (the phone list lives on the event page).
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from core.db import db
from events import editor, review
from events.admin import ROLES, _event_or_404, _registration_or_404, bp
from events.editor_form import EventForm, form_of, read_event_form
from events.models import EVENT_KINDS, EVENT_STATUSES, SELECTIONS
from events.service import RegistrationError
from staff.auth import current_staff, staff_required

READERS = (*ROLES, "contractor")


def _render(event, form: EventForm, status: int = 200):
    session = db.session
    html = render_template(
        "admin/events/edit.html", event=event, form=form, kinds=EVENT_KINDS, selections=SELECTIONS,
        statuses=EVENT_STATUSES, companies=editor.companies(session),
        articles=editor.attachable_articles(session, event) if event else [],
        read_only=current_staff().role not in ROLES,
    )
    return html, status


def _company_ids() -> set[int]:
    return {c.id for c in editor.companies(db.session)}


@bp.route("/new", methods=["GET", "POST"])
@staff_required(*ROLES)
def new_event():
    if request.method == "GET":
        return _render(None, form_of(None))
    form, fields = read_event_form(request.form, _company_ids())
    if fields is None:
        return _render(None, form, 422)
    event = editor.create_event(db.session, current_staff(), fields)
    flash("イベントを作成しました。紹介記事を作って公開すると、申し込みの受付が始まります。")
    return redirect(url_for("events_admin.edit_event", event_id=event.id), code=303)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@staff_required(*READERS)
def edit_event(event_id: int):
    event = _event_or_404(event_id)
    if request.method == "GET":
        return _render(event, form_of(event))
    if current_staff().role not in ROLES:
        abort(403)
    form, fields = read_event_form(request.form, _company_ids())
    if fields is None:
        return _render(event, form, 422)
    event, told = editor.update_event(db.session, current_staff(), event.id, fields, current_app.config)
    flash("保存しました。" + (f"日時・会場の変更を{told}件のお申し込みにお知らせしました。" if told else ""))
    return redirect(url_for("events_admin.edit_event", event_id=event.id), code=303)


@bp.post("/<int:event_id>/cancel-event")
@staff_required(*ROLES)
def cancel_event(event_id: int):
    event = _event_or_404(event_id)
    told = editor.cancel_event(db.session, current_staff(), event.id, current_app.config)
    flash("すでに中止になっています。" if told is None else f"イベントを中止し、{told}件のお申し込みにお知らせしました。")
    return redirect(url_for("events_admin.edit_event", event_id=event_id), code=303)


@bp.post("/<int:event_id>/article")
@staff_required(*ROLES)
def article(event_id: int):
    event = _event_or_404(event_id)
    staff, choice = current_staff(), request.form.get("article", "")
    if choice == "new":
        made = editor.create_article(db.session, staff, event)
        flash(f"紹介記事「{made.title}」を下書きで作りました。")
    elif choice.isdigit() and editor.attach_article(db.session, staff, event, int(choice)):
        flash("紹介記事をつなげました。")
    else:
        flash("記事を選んでください。")
    return redirect(url_for("events_admin.edit_event", event_id=event_id), code=303)


@bp.post("/<int:event_id>/publish")
@staff_required(*ROLES)
def publish(event_id: int):
    event = _event_or_404(event_id)
    if event.article is None:
        flash("先に紹介記事を作るか、つなげてください。")
    else:
        editor.publish_and_announce(db.session, current_staff(), event)
        flash("紹介記事を公開し、お知らせを登録者に送りました。")
    return redirect(url_for("events_admin.edit_event", event_id=event_id), code=303)


@bp.post("/<int:event_id>/registrations/<int:registration_id>/admit")
@staff_required(*ROLES)
def admit(event_id: int, registration_id: int):
    registration = _registration_or_404(event_id, registration_id)
    try:
        review.admit(db.session, current_staff(), registration)
    except RegistrationError as exc:
        flash(exc.message)
    else:
        flash(f"受付番号{registration.id}を受け付けました。")
    return redirect(url_for("events_admin.event_detail", event_id=event_id), code=303)


