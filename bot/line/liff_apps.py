"""Our LIFF apps (forms that open inside LINE) and ``monozukuri line liff deploy``.

Each app is a page of this site (``/liff/<form>``) registered with LINE through
the LIFF server API. Deploying is safe to re-run, like the rich-menu deploy: an
app recorded here (or found on LINE by its description) is updated in place
when its endpoint or settings changed and left alone otherwise; a missing one
is created. LINE only opens https endpoints, so an http BASE_URL is refused.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from sqlalchemy.orm import Session

from bot.line.client import REQUEST_TIMEOUT, configuration
from bot.line.models import LiffApp
from core.db import utcnow

if TYPE_CHECKING:  # the SDK is loaded by a deploy, not by the web pages that import this module
    from linebot.v3 import liff

LIFF_URL_BASE = "https://liff.line.me/"  # what LINE opens as a LIFF app (its own host, not ours)
SCOPES = ["openid", "profile", "chat_message.write"]  # openid: the ID token our server verifies


@dataclass(frozen=True)
class LiffDefinition:
    key: str  # "settings" | "register"
    path: str  # our endpoint page
    description: str  # the app name LINE shows (must not contain "LINE")
    view: str = "tall"


APPS: tuple[LiffDefinition, ...] = (
    LiffDefinition("settings", "/liff/settings", "新しいものづくり 受信設定"),
    LiffDefinition("register", "/liff/register", "新しいものづくり イベント申し込み", view="full"),
)
BY_KEY = {app.key: app for app in APPS}


class LiffDeployError(RuntimeError):
    """The apps cannot be deployed as configured (the message says what to change)."""


@dataclass
class LiffDeployReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)


def endpoint_url(config: Mapping, app: LiffDefinition) -> str:
    base = str(config.get("BASE_URL") or "").rstrip("/")
    if urlsplit(base).scheme != "https":
        raise LiffDeployError(
            f"LIFF apps need an https endpoint, but BASE_URL is {base or '(unset)'!r}: "
            "set BASE_URL to the site's https address and deploy again")
    return base + app.path


def request_body(config: Mapping, app: LiffDefinition) -> dict:
    return {"view": {"type": app.view, "url": endpoint_url(config, app)}, "description": app.description,
            "permanentLinkPattern": "concat", "scope": list(SCOPES), "botPrompt": "aggressive",
            "features": {"qrCode": False}}


def content_hash(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@contextmanager
def liff_api(config: Mapping) -> Iterator[liff.Liff]:
    from linebot.v3 import liff

    settings = configuration(config, str(config["LINE_API_BASE_URL"]).rstrip("/"))
    with liff.ApiClient(liff.Configuration(host=settings.host, access_token=settings.access_token)) as client:
        yield liff.Liff(client)


def _apps_on_line(api: liff.Liff) -> dict[str, liff.LiffApp]:
    from linebot.v3 import liff

    try:
        found = api.get_all_liff_apps(_request_timeout=REQUEST_TIMEOUT).apps or []
    except liff.ApiException as exc:
        if exc.status == 404:  # "There is no LIFF app on the channel."
            return {}
        raise
    return {app.liff_id: app for app in found if app.liff_id}


def _find_on_line(on_line: dict[str, liff.LiffApp], stored: LiffApp | None, app: LiffDefinition) -> str | None:
    if stored is not None and stored.liff_id in on_line:
        return stored.liff_id
    return next((liff_id for liff_id, found in on_line.items() if found.description == app.description), None)


def _ensure(session: Session, api: liff.Liff, config: Mapping, app: LiffDefinition,
            on_line: dict[str, liff.LiffApp], report: LiffDeployReport) -> None:
    from linebot.v3 import liff

    body = request_body(config, app)
    digest = content_hash(body)
    stored = session.get(LiffApp, app.key)
    liff_id = _find_on_line(on_line, stored, app)
    if liff_id is None:
        liff_id = api.add_liff_app(liff.AddLiffAppRequest.from_dict(body), _request_timeout=REQUEST_TIMEOUT).liff_id
        report.created.append(app.key)
    elif stored is None or stored.liff_id != liff_id or stored.content_hash != digest \
            or on_line[liff_id].view.url != body["view"]["url"]:
        api.update_liff_app(liff_id, liff.UpdateLiffAppRequest.from_dict(body), _request_timeout=REQUEST_TIMEOUT)
        report.updated.append(app.key)
    else:
        report.unchanged.append(app.key)
    _record(session, app, liff_id, body, digest)
    report.ids[app.key] = liff_id


def _record(session: Session, app: LiffDefinition, liff_id: str, body: dict, digest: str) -> None:
    row = session.get(LiffApp, app.key) or LiffApp(key=app.key)
    row.liff_id, row.endpoint_url, row.content_hash, row.deployed_at = liff_id, body["view"]["url"], digest, utcnow()
    session.add(row)
    session.commit()  # each app recorded as soon as LINE has it: a crash later never orphans it


def deploy(session: Session, config: Mapping) -> LiffDeployReport:
    for app in APPS:
        endpoint_url(config, app)  # refuse http before touching LINE
    report = LiffDeployReport()
    with liff_api(config) as api:
        on_line = _apps_on_line(api)
        for app in APPS:
            _ensure(session, api, config, app, on_line, report)
    return report


def deployed_ids(session: Session) -> dict[str, str]:
    return {row.key: row.liff_id for row in session.query(LiffApp).all()}


def liff_url(session: Session, key: str, params: Mapping[str, object] | None = None) -> str | None:
    """``https://liff.line.me/<id>?…`` for a deployed app (None before the first deploy)."""
    row = session.get(LiffApp, key)
    if row is None:
        return None
    query = urlencode({k: v for k, v in (params or {}).items() if v is not None})
    return LIFF_URL_BASE + row.liff_id + (f"?{query}" if query else "")
