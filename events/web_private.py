"""The private link of one registration: view, QR code, cancel, answer an offer, delete, survey.

Whoever holds the link (sent only to the applicant) may act on it; a tampered
or unknown token gets a plain Japanese "invalid link" page, never data.
"""
from __future__ import annotations

from flask import Response, abort, current_app, redirect, render_template, request, url_for

from core.db import db, utcnow
from events import confirmations, privacy, qr, queries, review, signing, survey, waitlist
from events.models import SURVEY_NEXT_STEPS, SURVEY_SCORES, Registration
from events.notify import chat_user
from events.service import RegistrationError
from events.web import bp, message_page, private_page

INVALID_LINK = ("リンクが無効です", "このリンクは無効か、すでに使えなくなっています。"
                "お申し込み時にお送りしたリンクをもう一度ご確認ください。")


def _registration_or_404(token: str) -> Registration:
    registration = queries.by_token(db.session, token)
    if registration is None:
        abort(404)
    return registration


@bp.errorhandler(404)
def invalid_link(_error):
    if request.path.startswith("/registrations/"):
        return message_page(*INVALID_LINK, status=404)
    return render_template("errors/404.html"), 404


def _page(template: str, registration: Registration, status: int = 200, **extra) -> Response:
    html = render_template(
        template, registration=registration, event=registration.event, now=utcnow(),
        position=queries.waitlist_position(db.session, registration), **extra,
    )
    return private_page(Response(html, status=status))


def _back(registration: Registration, **args) -> Response:
    return redirect(url_for("events.registration", token=registration.token, **args), code=303)


@bp.get("/registrations/<token>")
def registration(token: str):
    found = _registration_or_404(token)
    return _page("events/registration.html", found, done=request.args.get("done") == "1",
                 notice=request.args.get("notice"), erased=found.personal_data_purged_at is not None,
                 mailed=confirmations.mail_on_its_way(db.session, found),
                 page_url=current_app.config["BASE_URL"] + url_for("events.registration", token=found.token))


@bp.route("/registrations/<token>/confirm", methods=["GET", "POST"])
def confirm(token: str):
    """The e-mailed link of a 先着 event with a confirmation step: the seat is taken only now."""
    found = _registration_or_404(token)
    if request.method == "GET" and found.status == "pending":
        return _page("events/registration.html", found, confirming=True)
    if found.status == "pending":
        return _act(found, review.confirm_by_link, "confirmed", "events/registration.html")
    return _back(found)


@bp.get("/registrations/<token>/qr.png")
def qr_code(token: str):
    found = _registration_or_404(token)
    if found.status != "confirmed":
        abort(404)
    config = current_app.config
    url = signing.checkin_url(config["BASE_URL"], config["SECRET_KEY"], found.id)
    return private_page(Response(qr.qr_png(url), mimetype="image/png"))


def _act(found: Registration, action, done_notice: str, template: str) -> Response:
    try:
        action(db.session, found)
    except RegistrationError as exc:
        return _page(template, found, status=409, problem=exc.message)
    return _back(found, notice=done_notice)


@bp.route("/registrations/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    found = _registration_or_404(token)
    if found.status == "cancelled":
        return _back(found)
    if utcnow() >= found.event.starts_at:
        return _page("events/cancel.html", found, status=409, problem="開催後のため、キャンセルはできません。")
    if request.method == "GET":
        return _page("events/cancel.html", found)
    return _act(found, waitlist.cancel, "cancelled", "events/cancel.html")


@bp.post("/registrations/<token>/accept")
def accept(token: str):
    found = _registration_or_404(token)
    return _act(found, waitlist.accept_offer, "accepted", "events/registration.html")


@bp.route("/registrations/<token>/release", methods=["GET", "POST"])
def release(token: str):
    found = _registration_or_404(token)
    if found.status != "offered":
        return _back(found)
    if request.method == "GET":
        return _page("events/cancel.html", found, releasing=True)
    return _act(found, waitlist.cancel, "released", "events/cancel.html")


def _erase_everything(found: Registration) -> None:
    """This person's registrations everywhere, plus their chat data when they came from a chat."""
    from notifications.subscriptions import erase_person as erase_chat_person

    session = db.session
    chat = chat_user(found.person_key)
    freed = privacy.erase_person(session, found.person_key)  # first: it reports the seats it frees
    if chat is not None:
        erase_chat_person(session, *chat)  # drafts and the subscriber with its topics
    session.commit()
    for event_id in freed:
        waitlist.offer_open_seats(session, event_id)


@bp.route("/registrations/<token>/delete", methods=["GET", "POST"])
def delete_data(token: str):
    found = _registration_or_404(token)
    if request.method == "GET" or found.personal_data_purged_at is not None:
        return _page("events/delete.html", found, erased=found.personal_data_purged_at is not None)
    _erase_everything(found)
    return message_page("データを削除しました", "お名前・連絡先など、お申し込みで伺った個人データを削除しました。"
                        "これからのお申し込みはキャンセルされ、お知らせの受信設定も削除されています。"
                        "人数などの匿名の集計だけが残ります。", link=("/", "トップページへ"))


@bp.route("/registrations/<token>/survey", methods=["GET", "POST"])
def survey_page(token: str):
    found = _registration_or_404(token)
    if utcnow() < found.event.starts_at or found.status != "confirmed":
        return message_page("アンケート", "アンケートはイベントの開催後にご回答いただけます。", 409)
    options = {"scores": SURVEY_SCORES, "next_steps": SURVEY_NEXT_STEPS}
    if survey.answered(db.session, found):
        return message_page("アンケート", "アンケートにはすでにご回答いただいています。ありがとうございました。")
    if request.method == "GET":
        return _page("events/survey.html", found, **options)
    problem = survey.save(db.session, found, request.form.get("satisfaction"), request.form.get("next_step"))
    if problem:
        return _page("events/survey.html", found, status=422, problem=problem, **options)
    return message_page("ご回答ありがとうございました", "いただいた声は、次の見学会や教室づくりに生かします。",
                        link=("/articles/employment-support", "町工場で働くための就職支援を見る"))
