"""``url_for`` in templates, memoised: a page builds the same few dozen site paths every time.

Building a URL walks Werkzeug's rule table (~20 µs); a page of ours asks for ~40 of
them (navigation, footer, cards). Within one app the result depends only on the
endpoint, its values and the request's script root, so each app keeps a bounded LRU.
Anything else — no request, external URLs, ``_anchor`` and other ``_`` options,
unhashable values — goes straight to Flask.
"""
from __future__ import annotations

from functools import lru_cache

from flask import has_request_context, request
from flask import url_for as flask_url_for

CACHE_SIZE = 8192


def install(app) -> None:
    @lru_cache(maxsize=CACHE_SIZE)
    def cached(script_root: str, endpoint: str, values: tuple) -> str:
        return flask_url_for(endpoint, **dict(values))

    def url_for(endpoint: str, **values) -> str:
        if not has_request_context() or any(key.startswith("_") for key in values):
            return flask_url_for(endpoint, **values)
        key = tuple(sorted(values.items()))
        try:
            return cached(request.script_root, endpoint, key)
        except TypeError:  # an unhashable value (a list): not memoisable
            return flask_url_for(endpoint, **values)

    app.jinja_env.globals["url_for"] = url_for
