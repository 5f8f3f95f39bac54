"""Reading ``?page=`` from a request.

Policy (tested): no parameter or an empty one means page 1; anything else
that is not a plain positive number in range (``0``, ``-1``, ``abc``,
``999999``, a 10,000-character value) is the 404 page. One URL per page keeps
canonical links and the sitemap honest, and a 404 explains itself to visitors.
"""
from __future__ import annotations

import re

from flask import abort, request
from markupsafe import Markup, escape

_PAGE_RE = re.compile(r"[1-9][0-9]{0,5}")


def requested_page() -> int:
    raw = request.args.get("page", "")
    if raw == "":
        return 1
    if not _PAGE_RE.fullmatch(raw):
        abort(404)
    return int(raw)


def links_html(number: int, pages: int, path: str) -> Markup:
    """The page links under a listing (partials/macros.html ``pagination``): none for a single page."""
    if pages <= 1:
        return Markup("")
    path = escape(path)
    parts = ['\n<nav class="pagination" aria-label="ページ送り">\n  <ul>']
    if number > 1:
        query = f"?page={number - 1}" if number - 1 > 1 else ""
        parts.append(f'\n    <li><a href="{path}{query}" rel="prev">前へ<span class="visually-hidden">のページ</span></a></li>')
    for each in range(1, pages + 1):
        query = f"?page={each}" if each > 1 else ""
        current = ' aria-current="page"' if each == number else ""
        parts.append(f'\n    <li><a href="{path}{query}"{current}><span class="visually-hidden">ページ</span>{each}</a></li>')
    if number < pages:
        parts.append(f'\n    <li><a href="{path}?page={number + 1}" rel="next">次へ<span class="visually-hidden">のページ</span></a></li>')
    parts.append("\n  </ul>\n</nav>")
    return Markup("".join(parts))
