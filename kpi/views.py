"""KPI endpoints: the tracked-link redirect."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect

from kpi import links

bp = Blueprint("kpi", __name__)

# Called with (link) on each valid click; the analytics store registers itself here.
CLICK_RECORDERS: list = []


@bp.get("/r/<token>")
def tracked_redirect(token: str):
    link = links.read_token(current_app.config["SECRET_KEY"], token)
    if link is None:
        abort(404)
    for record in CLICK_RECORDERS:
        record(link)
    response = redirect(links.destination(current_app.config["BASE_URL"], link), code=302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
