"""Reading ``?page=`` from a request.

Policy (tested): no parameter or an empty one means page 1; anything else
that is not a plain positive number in range (``0``, ``-1``, ``abc``,
``999999``, a 10,000-character value) is the 404 page. One URL per page keeps
canonical links and the sitemap honest, and a 404 explains itself to visitors.
"""
from __future__ import annotations

import re

from flask import abort, request

_PAGE_RE = re.compile(r"[1-9][0-9]{0,5}")


def requested_page() -> int:
    raw = request.args.get("page", "")
    if raw == "":
        return 1
    if not _PAGE_RE.fullmatch(raw):
        abort(404)
    return int(raw)
