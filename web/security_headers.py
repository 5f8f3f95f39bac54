"""Security headers on every response (pages, JSON, feeds, static files).

The policy allows scripts and styles from this site only: our templates carry
no inline ``<script>``, no ``on…=`` handlers and no ``style=`` attributes (all
live in static/js and static/css), so neither needs ``'unsafe-inline'``.
Images may come from https hosts (article heroes and broadcast previews point
at absolute URLs) and ``data:`` (QR codes). Console pages add X-Frame-Options
and ``Cache-Control: no-store`` on top (staff.console).
"""
from __future__ import annotations

from flask import Flask

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    # The click-to-load video player: only after a visitor clicks play, from the privacy-enhanced host.
    "frame-src 'self' https://www.youtube-nocookie.com",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
])
REFERRER_POLICY = "strict-origin-when-cross-origin"
# Only in production, which is served over https; a local http server must not pin browsers to https.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def _headers_for(production: bool) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": REFERRER_POLICY,
    }
    if production:
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    return headers


def headers_for_app(app: Flask) -> list[tuple[str, str]]:
    """The same headers as a list, for responses made outside Flask (core.raw_endpoints)."""
    return list(_headers_for(bool(app.config.get("PRODUCTION"))).items())


def install(app: Flask) -> None:
    headers = _headers_for(bool(app.config.get("PRODUCTION")))

    def add_security_headers(response):
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    app.after_request(add_security_headers)
