"""Japanese full-text search (Whoosh): engine, index upkeep, web page and JSON API. See README.md."""
from __future__ import annotations


def init_app(app) -> None:
    from core.signals import worker_starting
    from search import sync, views, warmup

    sync.install()  # the index follows the database through session events
    app.register_blueprint(views.bp)  # /search page and /api/search
    worker_starting.connect(warmup.warm_for_worker)  # the bot's first search answers at full speed
