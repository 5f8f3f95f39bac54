"""KPI endpoints on the public site: the tracked-link redirect and the add-friend links."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request

from channels import links
from core import signals
from core.db import db
from kpi import attribution, inflow, pageviews, service

bp = Blueprint("kpi", __name__, template_folder="templates")


@bp.get("/r/<token>")
def tracked_redirect(token: str):
    link = links.read_token(current_app.config["SECRET_KEY"], token)
    if link is None:
        abort(404)
    signals.link_clicked.send(link)
    response = redirect(links.destination(current_app.config["BASE_URL"], link), code=302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return attribution.remember(response, link)


@bp.get("/friend/<key>")
def friend_link(key: str):
    """Add-friend link of one flyer/visit/page: count the open, then go to LINE (or Discord)."""
    session = db.session
    source = inflow.find_source(session, key)
    if source is None:
        abort(404)
    target = inflow.target_url(current_app.config, source)
    if target is None:
        page = render_template("kpi/friend_unavailable.html", target_label=inflow.TARGET_LABELS[source.target])
        return page, 503, {"Cache-Control": "no-store"}
    if not pageviews.is_crawler(request.headers.get("User-Agent", "")):
        service.record_friend_link_open(session, source.key, source.target)
        session.commit()
    response = redirect(target, code=302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def init_app(app) -> None:
    """Everything KPI on the web side: public endpoints, /admin/kpi, the page-view hook."""
    from kpi import dashboard
    from kpi import pageviews as page_view_hook

    app.register_blueprint(bp)
    app.register_blueprint(dashboard.bp)
    page_view_hook.init_app(app)
