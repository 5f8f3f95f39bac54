"""``/admin/kpi/assumptions``: staff edit the starting rates (仮定) of the 3-month estimate."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from core.db import db
from kpi import assumptions
from kpi.dashboard import ROLES, bp
from staff.auth import current_staff, staff_required


def _percent(stage: assumptions.Assumption, text: str) -> float:
    try:
        value = float(text.strip().rstrip("%").replace(",", ""))
    except ValueError:
        raise assumptions.AssumptionError(f"「{stage.label}」には数字を入れてください") from None
    return value if stage.is_count else value / 100


def _page(error: str | None = None, status: int = 200):
    return render_template("admin/kpi/assumptions.html", items=assumptions.current(db.session).values(),
                           error=error), status


@bp.get("/assumptions")
@staff_required(*ROLES)
def assumption_list():
    return _page()


@bp.post("/assumptions/<stage>")
@staff_required(*ROLES)
def assumption_save(stage: str):
    session = db.session
    default = assumptions.BY_STAGE.get(stage)
    if default is None:
        return _page("不明な段階です", 404)
    try:
        values = [_percent(default, request.form.get(name, "")) for name in ("rate", "low", "high")]
        saved = assumptions.save(session, current_staff(), stage, *values)
    except assumptions.AssumptionError as exc:
        session.rollback()
        return _page(str(exc), 400)
    session.commit()
    flash(f"「{saved.label}」の仮定を保存しました")
    return redirect(url_for("kpi_admin.assumption_list"))
