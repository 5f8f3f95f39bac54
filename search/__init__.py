"""Japanese full-text search (Whoosh): engine, index upkeep, web page and JSON API. See README.md."""
from __future__ import annotations


def init_app(app) -> None:
    from search import sync, views

    sync.install()  # the index follows the database through session events
    app.register_blueprint(views.bp)  # /search page and /api/search
