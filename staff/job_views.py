"""/admin/jobs: maintenance jobs as buttons, with their progress and results."""
from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, url_for

from core.db import db
from staff import console_jobs
from staff.auth import current_staff, staff_required
from staff.views import bp

OPERATORS = ("ward",)  # administrators pass every check


def _views() -> list[dict]:
    return [console_jobs.status_view(current_app, row) for row in console_jobs.recent(db.session)]


@bp.get("/jobs", endpoint="jobs")
@staff_required(*OPERATORS)
def job_list():
    rows = _views()
    return render_template("admin/jobs.html", kinds=console_jobs.kinds(current_app), rows=rows,
                           active=any(r["active"] for r in rows))


@bp.get("/jobs/status", endpoint="job_status")
@staff_required(*OPERATORS)
def job_status():
    """What the page's script polls while a job is queued or running (no reload)."""
    rows = [{k: v for k, v in row.items() if k != "created_at"} for row in _views()]
    return jsonify(jobs=rows, active=any(r["active"] for r in rows))


@bp.post("/jobs/<key>")
@staff_required(*OPERATORS)
def job_request(key: str):
    try:
        job = console_jobs.request_job(db.session, current_app, current_staff(), key)
    except console_jobs.JobError as exc:
        db.session.rollback()
        flash(str(exc))
        return redirect(url_for("admin.jobs"))
    db.session.commit()
    flash(f"「{console_jobs.kinds(current_app)[job.kind].label}」を受け付けました。ワーカーが順に実行します。")
    return redirect(url_for("admin.jobs"))
