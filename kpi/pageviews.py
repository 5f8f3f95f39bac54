"""Server-side page views for public HTML pages: no cookies, no raw IP, no full user agent.

``init_app`` registers an app-level ``after_request`` hook that decides
whether a response is a countable view and hands a small record to the
in-process buffer (kpi.pagebuffer), which writes batches off the request path:
the page itself runs no extra query. A failure is logged, never shown.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Request, Response, current_app, request

from channels import registry
from core.db import db, utcnow
from kpi.metrics import jst_day
from kpi.pagebuffer import PageViewBuffer

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
SKIPPED_PREFIXES = ("/admin", "/api", "/static", "/media", "/healthz", "/r/", "/friend/", "/ogp",
                    "/webhook", "/line/", "/discord/", "/playground", "/_")
BOT_MEDIUM = "bot"
MAX_PATH = 300


@lru_cache(maxsize=1)
def crawler_pattern() -> re.Pattern:
    lines = (DATA_DIR / "crawlers.txt").read_text(encoding="utf-8").splitlines()
    fragments = [line.strip().lower() for line in lines if line.strip() and not line.startswith("#")]
    return re.compile("|".join(re.escape(f) for f in fragments))


def is_crawler(user_agent: str) -> bool:
    return not user_agent or crawler_pattern().search(user_agent.lower()) is not None


def opted_out(req: Request) -> bool:
    """Do-Not-Track or Global Privacy Control: the view counts, the visitor does not."""
    return req.headers.get("DNT") == "1" or req.headers.get("Sec-GPC") == "1"


def is_prefetch(req: Request) -> bool:
    purpose = (req.headers.get("Sec-Purpose") or req.headers.get("Purpose") or "").lower()
    return "prefetch" in purpose or "prerender" in purpose


# 304: public pages revalidate with ETags, so a returning visitor's reload is a 304;
# it is still a page on their screen and counts (a 404, a redirect or an error does not).
COUNTED_STATUSES = (200, 304)


def should_count(req: Request, response: Response) -> bool:
    if req.method != "GET" or response.status_code not in COUNTED_STATUSES or response.mimetype != "text/html":
        return False
    if req.path.startswith(SKIPPED_PREFIXES) or is_prefetch(req):
        return False
    return not is_crawler(req.headers.get("User-Agent", ""))


def referrer_domain(referrer: str | None, own_host: str) -> str:
    """Only the host of an external referrer; internal navigation and junk give ""."""
    if not referrer:
        return ""
    try:
        host = (urlsplit(referrer).hostname or "").lower()
    except ValueError:
        return ""
    own = own_host.split(":")[0].lower()
    return "" if host in ("", own) else host.removeprefix("www.")[:100]


def _utm(req: Request, name: str) -> str:
    return (req.args.get(name) or "").strip()[:50]


def entry_channel(utm_source: str, utm_medium: str) -> str:
    """A visit that came through a tracked link (utm_medium=bot) belongs to that link's channel
    (LINE, Discord, 公式X...: any channel of the registry)."""
    source = utm_source.lower()
    if utm_medium.lower() == BOT_MEDIUM and source != "web" and source in registry.names():
        return source
    return "web"


def page_view_values(req: Request) -> dict:
    """The row for one view; ``visitor`` (host, IP, agent) only feeds the salted hash, in memory."""
    moment = utcnow()
    source, medium = _utm(req, "utm_source"), _utm(req, "utm_medium")
    visitor = None if opted_out(req) else (req.host, req.remote_addr or "", req.headers.get("User-Agent", ""))
    return {
        "created_at": moment, "day": jst_day(moment), "path": req.path[:MAX_PATH],
        "channel": entry_channel(source, medium), "referrer_domain": referrer_domain(req.referrer, req.host),
        "utm_source": source, "utm_medium": medium, "utm_campaign": _utm(req, "utm_campaign"), "visitor": visitor,
    }


EXTENSION = "kpi_page_views"


def record_page_view(response: Response) -> Response:
    if not should_count(request, response):
        return response
    try:
        current_app.extensions[EXTENSION].add(page_view_values(request))
    except Exception:  # analytics must never break a page
        log.exception("page view not recorded")
    return response


def flush(app: Flask) -> int:
    """Write the app's pending page views now (tests, tools)."""
    return app.extensions[EXTENSION].flush()


def init_app(app: Flask) -> None:
    # No writer thread under TESTING: tests flush explicitly, so views never land in another test's database.
    app.extensions[EXTENSION] = PageViewBuffer(lambda: db.engine, background=not app.testing)
    app.after_request(record_page_view)
