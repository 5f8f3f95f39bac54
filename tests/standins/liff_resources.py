"""LIFF server API (liff.yml: GET/POST/PUT/DELETE /liff/v1/apps) for the LINE stand-in.

Requests are validated against liff.yml by the stand-in's pipeline first; these handlers
add what LINE documents beyond the schema: the endpoint URL must be https without a
fragment, the app name must not contain "LINE", at most 30 apps per channel, and
GET answers 404 when the channel has no app.
"""
from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from .http_standin import Reply

HANDLERS: dict = {}
MAX_APPS = 30
NOT_FOUND = {"message": "Not found"}
_FORBIDDEN_NAME = re.compile(r"line", re.IGNORECASE)


def handler(op_id: str):
    def register(fn):
        HANDLERS[op_id] = fn
        return fn
    return register


def _bad(message: str) -> Reply:
    return Reply(400, {"message": message})


def _check(body: dict) -> Reply | None:
    url = (body.get("view") or {}).get("url")
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.netloc:
            return _bad("The URL scheme must be https.")
        if parts.fragment or "#" in url:
            return _bad("URL fragments can't be specified.")
    if _FORBIDDEN_NAME.search(body.get("description") or ""):
        return _bad("The LIFF app name can't include \"LINE\" or similar strings.")
    return None


def _app(liff_id: str, body: dict) -> dict:
    app = {"liffId": liff_id, "view": dict(body["view"]), "permanentLinkPattern": "concat"}
    for key in ("description", "features", "scope", "botPrompt"):
        if key in body:
            app[key] = body[key]
    return app


@handler("addLIFFApp")
def add_app(standin, ctx) -> Reply:
    problem = _check(ctx.body)
    if problem is not None:
        return problem
    if len(standin.liff_apps) >= MAX_APPS:
        return _bad("The maximum number of LIFF apps that can be added to the channel has been reached.")
    liff_id = f"{standin.login_channel_id}-{secrets.token_hex(4)}"
    standin.liff_apps[liff_id] = _app(liff_id, ctx.body)
    return Reply(200, {"liffId": liff_id})


@handler("getAllLIFFApps")
def all_apps(standin, ctx) -> Reply:
    if not standin.liff_apps:
        return Reply(404, NOT_FOUND)
    return Reply(200, {"apps": [dict(app) for app in standin.liff_apps.values()]})


@handler("updateLIFFApp")
def update_app(standin, ctx) -> Reply:
    app = standin.liff_apps.get(ctx.params["liffId"])
    if app is None:
        return Reply(404, NOT_FOUND)
    problem = _check(ctx.body)
    if problem is not None:
        return problem
    view = {**app["view"], **(ctx.body.get("view") or {})}
    app.update({k: v for k, v in ctx.body.items() if k != "view"}, view=view)
    return Reply(200, None)


@handler("deleteLIFFApp")
def delete_app(standin, ctx) -> Reply:
    if standin.liff_apps.pop(ctx.params["liffId"], None) is None:
        return Reply(404, NOT_FOUND)
    return Reply(200, None)
