"""Console page /admin/line: the LINE forms (LIFF) and one button to (re)deploy them.

Administrators only: deploying changes what every LINE friend opens. The button does
what ``monozukuri line liff deploy`` does and is safe to press again.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from sqlalchemy import select

from bot.line.liff_apps import APPS, LIFF_URL_BASE, LiffDeployError, deploy
from bot.line.models import LiffApp
from core.db import db
from staff import audit
from staff.auth import current_staff, staff_required

log = logging.getLogger(__name__)

bp = Blueprint("line_admin", __name__, url_prefix="/admin/line")
ACTION_LABELS = {"line.liff_deploy": "LINEフォーム（LIFF）の反映"}
FORM_LABELS = {"settings": "受信設定フォーム", "register": "イベント申し込みフォーム"}


def _status(config) -> str | None:
    """Why the button cannot work yet, in plain Japanese (None = ready)."""
    if not (config.get("LINE_CHANNEL_SECRET") and config.get("LINE_CHANNEL_ACCESS_TOKEN")):
        return "LINEの接続設定がまだありません。システム担当者に連絡してください。"
    if not str(config.get("BASE_URL") or "").startswith("https://"):
        return "サイトの公開アドレスが https ではないため、LINEのフォームを登録できません。システム担当者に連絡してください。"
    return None


@bp.get("/")
@staff_required("admin")
def index():
    deployed = {row.key: row for row in db.session.scalars(select(LiffApp))}
    rows = [{"label": FORM_LABELS.get(app.key, app.description), "deployed": deployed.get(app.key),
             "url": LIFF_URL_BASE + deployed[app.key].liff_id if app.key in deployed else None} for app in APPS]
    return render_template("admin/line/index.html", rows=rows, problem=_status(current_app.config),
                           login_ready=bool(current_app.config.get("LINE_LOGIN_CHANNEL_ID")))


@bp.post("/liff-deploy")
@staff_required("admin")
def liff_deploy():
    problem = _status(current_app.config)
    if problem is None:
        try:
            report = deploy(db.session, current_app.config)
        except LiffDeployError as exc:
            problem = str(exc)
        except Exception:  # LINE refused or could not be reached: staff get a plain note, the log the details
            log.exception("LIFF deploy from the console failed")
            db.session.rollback()
            problem = "LINEへの反映に失敗しました。しばらくしてからもう一度押してください。続く場合はシステム担当者に連絡してください。"
    if problem is not None:
        flash(problem, "error")
        return redirect(url_for("line_admin.index"))
    audit.record(db.session, current_staff(), "line.liff_deploy", "liff", None,
                 {"created": report.created, "updated": report.updated})
    db.session.commit()
    flash(f"LINEのフォームを反映しました（新規 {len(report.created)}件・更新 {len(report.updated)}件・変更なし {len(report.unchanged)}件）。")
    return redirect(url_for("line_admin.index"))


def register(app) -> None:
    app.register_blueprint(bp)
    audit.add_action_labels(app, ACTION_LABELS)
