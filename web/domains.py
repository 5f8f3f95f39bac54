"""The one list of domains: the app factory, the worker and the CLI all read it.

Each domain is a package with ``init_app(app)`` (blueprints, signal receivers) and,
by the file vocabulary, optional ``jobs`` (``register_jobs(scheduler, app)``) and
``cli`` (``register(subparsers)``) modules. The order is the blueprint order:
the events pages come before the public site's.
"""
from __future__ import annotations

DOMAINS: tuple[str, ...] = (
    "staff",
    "events",
    "content",
    "kpi",
    "careers",
    "search",
    "bot.line",
    "notifications",
    "bot.discord",
    "bot.x",
    "videos",
)
