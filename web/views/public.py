"""Public web archive: top page, concept page, events; plus /healthz."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from sqlalchemy import text

from content import service, top_page
from content.page_cache import cached_page
from core import formatting
from core.db import db
from core.http_caching import public_page, versioned_assets
from web import site

bp = Blueprint("public", __name__)
bp.after_request(public_page)
bp.after_app_request(versioned_assets)

# Globals rather than a context processor: macros imported without context see them too.
bp.record_once(lambda state: state.app.jinja_env.globals.update(site.template_context()))
bp.record_once(lambda state: formatting.register(state.app))

TOP_PER_CATEGORY = 3


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # the point of this endpoint is to report, not to raise
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/")
@cached_page
def top():
    session = db.session
    latest = service.latest_per_category(session, site.NAV_CATEGORIES, TOP_PER_CATEGORY)
    events = service.upcoming_events(session, limit=4, public_only=True)
    settings = top_page.live(session)  # hero text, featured articles, order: edited in the console
    return render_template(
        "public/top.html",
        latest=latest,
        events=events,
        seats=service.remaining_seats(session, events),
        top=settings,
        featured=top_page.featured_articles(session, settings["featured"]),
    )


@bp.get("/about")
@cached_page
def about():
    from content.views.archive import render_article

    return render_article("about")


@bp.get("/privacy")
@cached_page
def privacy():
    config = current_app.config
    return render_template("public/privacy.html", registration_days=config["REGISTRATION_RETENTION_DAYS"],
                           kpi_days=config["KPI_RAW_RETENTION_DAYS"])


@bp.get("/contact")
@cached_page
def contact():
    return render_template("public/contact.html")


def _events_page():
    from events.listing import EVENT_FILTERS, filter_events

    session = db.session
    kind, stage = request.args.get("kind", ""), request.args.get("stage", "")
    items = filter_events(service.upcoming_events(session, limit=100, public_only=True), kind, stage)
    return render_template(
        "public/events.html", events=items, seats=service.remaining_seats(session, items),
        filters=EVENT_FILTERS, kind=kind, stage=stage,
    )


_cached_events_page = cached_page(_events_page)


@bp.get("/events")
def events():
    if request.args.get("kind") or request.args.get("stage"):
        return _events_page()  # filtered lists stay out of the page cache (keyed by path and page only)
    return _cached_events_page()

