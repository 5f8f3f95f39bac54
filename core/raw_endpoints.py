"""Raw WSGI endpoints: hot machine-to-machine paths served without Flask's request machinery.

A platform webhook (LINE's ``POST /callback``) is called at campaign-spike rates by a
machine that needs only a status code; Flask's request context, session, URL map and
after-request hooks cost more than the work itself. A domain registers such a handler
with ``add_raw_endpoint`` in its ``init_app``; the site wraps the WSGI app once
(``web.app``) and adds the security headers every response carries.

A handler is a plain function ``handler(environ) -> RawResponse``; it must not need a
request context (no ``flask.request``, ``session``, ``url_for``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

EXTENSION_KEY = "raw_endpoints"


@dataclass(frozen=True)
class RawResponse:
    status: str
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = field(default=())


RawHandler = Callable[[dict], RawResponse]


def add_raw_endpoint(app, method: str, path: str, handler: RawHandler) -> None:
    app.extensions.setdefault(EXTENSION_KEY, {})[(method.upper(), path)] = handler


def raw_endpoints(app) -> dict[tuple[str, str], RawHandler]:
    return app.extensions.get(EXTENSION_KEY, {})


class RawEndpointDispatcher:
    """WSGI middleware: a registered (method, path) goes to its handler, the rest to Flask."""

    def __init__(self, wsgi_app, routes: dict[tuple[str, str], RawHandler],
                 common_headers: list[tuple[str, str]]):
        self.wsgi_app = wsgi_app
        self.routes = routes  # the app's own dict: endpoints added later are seen too
        self.common_headers = common_headers

    def __call__(self, environ, start_response):
        handler = self.routes.get((environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")))
        if handler is None:
            return self.wsgi_app(environ, start_response)
        response = handler(environ)
        start_response(response.status, [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(response.body))),
            *response.headers,
            *self.common_headers,
        ])
        return [response.body]
