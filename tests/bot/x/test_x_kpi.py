"""X in the KPIs: clicks on the tracked link of an X post feed the funnel; reach is the impressions
X reports (GET /2/tweets … public_metrics) or 「不明」, never a denominator while unknown."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from bot.x.insight import post_id_of
from bot.x.models import XProblem
from core.db import db
from kpi import funnel_stages, jobs, rollup
from kpi.metrics import jst_day
from kpi.models import PostStat
from kpi.queries import Scope
from kpi.report.audience import channel_comparison
from kpi.report.overview import funnel_by_channel
from kpi.tables import Pct
from tests.bot.x.x_helpers import approved_broadcast, drain, x_row
from tests.kpi.kpi_helpers import BROWSER_UA
from tests.notifications.broadcast_helpers import make_article

TRACKED = re.compile(r"https?://\S+?/r/\S+")


def _post_and_click(app, ward, x_api) -> tuple[str, str]:
    """An approved X post about an article, and one person following its tracked link."""
    article = make_article(db.session)
    broadcast = approved_broadcast(ward, "町工場の新製品を紹介しています", slug=article.slug)
    drain(app)
    [(post_id, post)] = x_api.posts.items()
    assert x_row(broadcast.id).external_ref == post_id
    link = TRACKED.search(post["text"]).group(0)
    clicked = app.test_client().get(urlsplit(link).path, headers={"User-Agent": BROWSER_UA})
    assert clicked.status_code == 302
    assert clicked.headers["Location"].split("?")[0].endswith(f"/articles/{article.slug}")
    assert "utm_source=x" in clicked.headers["Location"]
    return post_id, article.slug


def _roll_up(app) -> Scope:
    rollup.rollup_day(db.session, jst_day(), app.config["SECRET_KEY"])
    db.session.commit()
    return Scope(jst_day(), jst_day())


def _x_row(table) -> list:
    [row] = [row for row in table.rows if row[0] == "公式X"]
    return row


def _rates_are_true_ratios(row: list) -> None:
    assert all(0 <= cell <= 1 for cell in row if isinstance(cell, Pct)), row


def test_a_click_on_an_x_post_counts_for_x_and_unknown_reach_is_no_denominator(app, ward, x_api):
    _post_and_click(app, ward, x_api)
    scope = _roll_up(app)

    row = _x_row(funnel_by_channel(db.session, scope))
    delivered, clicks, click_rate = row[1], row[2], row[-2]
    assert clicks == 1
    assert delivered is None and click_rate is None  # no impressions fetched: 「不明」, no rate
    _rates_are_true_ratios(row)
    comparison = _x_row(channel_comparison(db.session, scope))
    assert comparison[1] == "不明" and comparison[2] == 1 and comparison[3] is None
    # 興味 is capped by a known reach (kpi.stage_rollup): without impressions X adds no interest there.
    stages = funnel_stages.breakdown(db.session, scope, "channel").get("x", {"reach": 0, "interest": 0})
    assert stages["interest"] == 0 and not funnel_stages.reach_known("channel", "x", stages["reach"])


def test_impressions_from_x_become_the_reach_of_the_post(app, ward, x_api):
    post_id, _slug = _post_and_click(app, ward, x_api)
    x_api.set_impressions(post_id, 40)

    assert jobs.insight_job(app) == 1  # the worker's daily statistics job
    [lookup] = x_api.calls_to("/2/tweets", "GET")
    assert lookup.query == {"ids": [post_id], "tweet.fields": ["public_metrics"]} and lookup.status == 200
    db.session.expire_all()
    [stat] = db.session.scalars(select(PostStat)).all()
    assert (stat.channel, stat.post_id, stat.impressions) == ("x", post_id, 40)

    x_api.set_impressions(post_id, 55)  # a later fetch replaces the count
    jobs.insight_job(app)
    scope = _roll_up(app)
    row = _x_row(funnel_by_channel(db.session, scope))
    assert (row[1], row[2]) == (55, 1)
    assert row[-2] == Pct(1 / 55)
    _rates_are_true_ratios(row)
    stages = funnel_stages.breakdown(db.session, scope, "channel")["x"]
    assert stages["reach"] == 55 and stages["interest"] == 1
    assert funnel_stages.reach_known("channel", "x", stages["reach"])


def test_refused_reads_leave_reach_unknown_and_posting_on(app, ward, x_api):
    _post_and_click(app, ward, x_api)
    x_api.refuse_reads()
    assert jobs.insight_job(app) == 0
    assert [c.status for c in x_api.calls_to("/2/tweets", "GET")] == [403]
    assert db.session.scalar(select(PostStat)) is None
    assert db.session.scalar(select(XProblem)) is None  # reads refused ≠ the posting token refused
    row = _x_row(funnel_by_channel(db.session, _roll_up(app)))
    assert row[1] is None and row[2] == 1 and row[-2] is None


@pytest.mark.parametrize(("ref", "expected"), [
    ("1900000000000000001", "1900000000000000001"),
    ("https://x.com/ota_monozukuri/status/1234567890", "1234567890"),
    ("https://x.com/ota_monozukuri", None),
    (None, None),
])
def test_post_ids_from_api_posts_and_pasted_addresses(ref, expected):
    assert post_id_of(ref) == expected
