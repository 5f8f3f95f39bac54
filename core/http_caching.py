"""HTTP caching for public pages: short shared cache + ETag revalidation.

Public pages show the same HTML to everyone, so a minute of caching is
harmless and a conditional request costs only the render, not the bytes.
"""
from __future__ import annotations

from flask import Response, request

PUBLIC_MAX_AGE = 60
IMMUTABLE = "public, max-age=31536000, immutable"


def public_page(response: Response) -> Response:
    """``after_request`` hook for blueprints serving anonymous HTML/XML."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if response.direct_passthrough or response.cache_control.max_age is not None:
        return response  # files, or a view that chose its own caching
    response.cache_control.public = True
    response.cache_control.max_age = PUBLIC_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


def versioned_assets(response: Response) -> Response:
    """App-wide hook: static files asked for with ``?v=<content hash>`` never change."""
    if request.endpoint == "static" and request.args.get("v") and response.status_code in (200, 304):
        response.headers["Cache-Control"] = IMMUTABLE
    return response
