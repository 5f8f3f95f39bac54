"""Jinja filters shared by every template (the wording itself lives in ``core.timefmt``)."""
from __future__ import annotations

from core.pagination import links_html
from core.timefmt import date_ja, datetime_ja, jst


def register(app) -> None:
    from web import url_memo

    app.jinja_env.filters.update(jst=jst, date_ja=date_ja, datetime_ja=datetime_ja)
    app.jinja_env.globals["pagination_links"] = links_html
    url_memo.install(app)
