"""In-process cache of rendered public pages.

Public pages are the same for every visitor, so a rendered page is kept per
(endpoint, URL arguments, ``?page=``) and reused while the *content
fingerprint* (one cheap query over articles and events, see
``content.service.content_fingerprint``) is unchanged.

The fingerprint itself is re-read at most once per second per process, and at
once after any commit made in this process (``content.fingerprint``): an edit
shows up immediately where it was made and within a second in the other worker
processes. Things that change with the clock alone (a
scheduled article going live, a deadline passing) are covered by a short
page lifetime.
"""
from __future__ import annotations

from functools import wraps

from flask import Response, current_app, make_response, request

from content.fingerprint import FingerprintedCache
from core.db import db

LIFETIME_SECONDS = 30
MAX_ENTRIES = 512
MAX_PAGE_ARG = 8  # longer ?page= values are 404s anyway: never worth a cache slot

class PageCache(FingerprintedCache):
    """Rendered pages: key → (body, mimetype)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, lifetime: float = LIFETIME_SECONDS):
        super().__init__(max_entries, lifetime)


CONFIG_KEYS = ("BASE_URL", "LINE_FRIEND_URL", "DISCORD_INVITE_URL")  # settings the pages show


def page_cache() -> PageCache:
    """The current app's cache (one per app, so test apps never share pages)."""
    return current_app.extensions.setdefault("page_cache", PageCache())


def _cache_key(view_args: dict) -> tuple | None:
    page = request.args.get("page", "")
    if request.method not in ("GET", "HEAD") or len(page) > MAX_PAGE_ARG:
        return None
    return (request.endpoint, tuple(sorted(view_args.items())), page)


def cached_page(view):
    """Decorator for public views whose output depends only on the URL and the content."""

    @wraps(view)
    def wrapper(**view_args):
        key = _cache_key(view_args)
        if key is None or not current_app.config.get("PAGE_CACHE", True):
            return view(**view_args)
        pages = page_cache()
        settings = tuple(current_app.config.get(name) for name in CONFIG_KEYS)
        fingerprint = settings + pages.fingerprint.get(db.session)
        kept = pages.get(key, fingerprint)
        if kept is not None:
            body, mimetype = kept
            return Response(body, mimetype=mimetype)
        response = make_response(view(**view_args))
        if response.status_code == 200 and not response.direct_passthrough:
            pages.put(key, fingerprint, (response.get_data(), response.mimetype))
        return response

    return wrapper
