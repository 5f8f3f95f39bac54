"""``/admin/kpi``: the dashboard, CSV exports and add-friend sources (ward staff and 管理者)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from core.db import db
from kpi import charts, filters, funnel_stages, inflow, projection, queries, report, rollup, tables
from kpi.metrics import CHANNEL_LABELS, jst_day
from kpi.models import LineUnitStat
from staff import audit
from staff.auth import current_staff, staff_required

bp = Blueprint("kpi_admin", __name__, url_prefix="/admin/kpi")
ROLES = ("ward",)  # 区職員; 管理者 always passes staff_required
READERS = ("ward", "contractor")  # the contractor sees KPIs read-only (the ward's page plan)

SECTIONS = (
    ("行動変容ファネル（認知→就業）", ("stages", "stages_outlook", "stages_channel", "stages_persona", "stages_article",
                              "stages_series", "stages_company")),
    ("ファネル", ("funnel", "funnel_channel", "funnel_persona", "funnel_week", "funnel_article")),
    ("友だち・フォロワー", ("followers", "inflow")),
    ("チャネル比較と配信", ("channels", "broadcasts", "line_insight")),
    ("記事と検索", ("top_articles", "searches", "zero_searches", "referrers", "campaigns")),
    ("イベント", ("events",)),
    ("Discordとコマンド", ("discord", "commands")),
)


bp.add_app_template_filter(tables.cell_text, "kpi_cell")
bp.add_app_template_filter(lambda day: f"{day.year}年{day.month}月{day.day}日", "kpi_day")


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
    return response


@bp.get("/")
@staff_required(*READERS)
def dashboard():
    session = db.session
    chosen = filters.parse(request.args, jst_day())
    built = report.build_all(session, chosen.scope)
    query_args = chosen.query_args()

    def data_table(table: tables.Table, level: int = 3):
        return tables.to_html(table, url_for("kpi_admin.export_csv", key=table.key, **query_args), level)

    context = {
        "filters": chosen, "tables": built, "sections": SECTIONS, "data_table": data_table,
        "charts": charts.build(session, chosen.scope, built),
        "channel_labels": {**CHANNEL_LABELS, **filters.channel_choices()}, "channel_keys": ["", *filters.channel_choices()],
        "method": projection.METHOD_JA, "scenario": funnel_stages.SCENARIO_JA,
        "has_demo": queries.has_demo_rows(session, chosen.scope),
        "rolled_up_at": rollup.rolled_up_at(session),
        "insight_day": session.scalar(select(func.max(LineUnitStat.fetched_day))),
    }
    return render_template("admin/kpi/dashboard.html", **context), 400 if chosen.errors else 200


@bp.get("/export/<key>.csv")
@staff_required(*READERS)
def export_csv(key: str):
    if key not in report.BUILDERS:
        abort(404)
    session = db.session
    chosen = filters.parse(request.args, jst_day())
    if chosen.errors:
        return Response("\n".join(chosen.errors), status=400, mimetype="text/plain")
    table = report.build(session, chosen.scope, key)
    audit.record(session, current_staff(), "export.kpi_csv", "kpi_table", key,
                 {**chosen.query_args(), "rows": len(table.rows)})
    session.commit()
    name = f"kpi-{key}-{chosen.scope.start:%Y%m%d}-{chosen.scope.end:%Y%m%d}.csv"
    return Response(tables.to_csv(table), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Content-Type": "text/csv; charset=utf-8"})


def _sources_page(form: dict, error: str | None = None, status: int = 200):
    items = [(s, inflow.friend_url(current_app.config, s.key)) for s in inflow.all_sources(db.session)]
    configured = {target: bool(current_app.config.get(name)) for target, name in inflow.TARGETS.items()}
    page = render_template("admin/kpi/sources.html", items=items, targets=inflow.TARGET_LABELS,
                           configured=configured, form=form, error=error)
    return page, status


@bp.get("/sources")
@staff_required(*ROLES)
def sources():
    return _sources_page({})


@bp.post("/sources")
@staff_required(*ROLES)
def add_source():
    session = db.session
    form = {k: request.form.get(k, "") for k in ("key", "label", "target")}
    try:
        row = inflow.add_source(session, form["key"], form["label"], form["target"] or "line")
    except inflow.InflowError as exc:
        session.rollback()
        return _sources_page(form, exc.message, 400)
    audit.record(session, current_staff(), "kpi.source_add", "inflow_source", row.key, {"label": row.label})
    session.commit()
    flash(f"流入元「{row.label}」を追加しました。QRコードをダウンロードして使えます。")
    return redirect(url_for("kpi_admin.sources"))


@bp.post("/sources/<key>/deactivate")
@staff_required(*ROLES)
def deactivate_source(key: str):
    session = db.session
    if not inflow.deactivate_source(session, key):
        abort(404)
    audit.record(session, current_staff(), "kpi.source_deactivate", "inflow_source", key)
    session.commit()
    flash("流入元を停止しました（リンク・QRは404になります）。")
    return redirect(url_for("kpi_admin.sources"))


@bp.get("/sources/<key>/qr.png")
@staff_required(*ROLES)
def source_qr(key: str):
    source = inflow.find_source(db.session, key)
    if source is None:
        abort(404)
    png = inflow.qr_png(inflow.friend_url(current_app.config, source.key))
    return Response(png, mimetype="image/png", headers={
        "Content-Disposition": f'inline; filename="friend-{source.key}.png"'})
