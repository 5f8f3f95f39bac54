"""Public web archive (top, categories, articles, feeds)."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from web.db import db

bp = Blueprint("public", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # the point of this endpoint is to report, not to raise
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
