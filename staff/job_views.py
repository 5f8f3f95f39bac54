"""/admin/jobs: maintenance jobs as buttons, with their progress and results."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for

from core.db import db
from staff import console_jobs
from staff.auth import current_staff, staff_required
from staff.views import bp

OPERATORS = ("ward",)  # administrators pass every check


@bp.get("/jobs", endpoint="jobs")
@staff_required(*OPERATORS)
def job_list():
    rows = console_jobs.recent(db.session)
    return render_template("admin/jobs.html", kinds=console_jobs.kinds(current_app), rows=rows,
                           status_labels=console_jobs.STATUS_LABELS,
                           active=any(r.status in ("queued", "running") for r in rows))


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
