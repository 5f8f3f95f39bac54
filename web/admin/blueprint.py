"""The console blueprint with every view module attached."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Imported for their side effect of adding routes to ``bp`` (after bp exists).
from web.admin import views_accounts, views_articles, views_auth  # noqa: E402,F401
