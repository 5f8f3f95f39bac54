"""One message variant per audience segment: links say the segment, requests stay ceil(n / 500)."""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from broadcast_helpers import add_subscribers, drain, login, make_article, make_staff, multicasts, post_form
from sqlalchemy import select

from channels import links
from core.db import utcnow
from kpi import metrics as m
from kpi import rollup
from kpi.metrics import jst_day
from kpi.models import Click, DailyMetric
from notifications.models import BroadcastDelivery
from notifications.service import create_broadcast

SIZES = {"student": 501, "parent": 3, "jobseeker": 2}


def tokens_in(body) -> list[str]:
    return re.findall(r"/r/([A-Za-z0-9_.\-]+)", json.dumps(body))


def link_of(config, request) -> links.TrackedLink:
    [token, *_] = tokens_in(request["messages"])
    return links.read_token(config["SECRET_KEY"], token)


def test_each_persona_gets_its_own_variant_and_chunks(bapp, session, line_api):
    for seed, (persona, size) in enumerate(SIZES.items()):
        add_subscribers(session, size, persona=persona, seed=seed + 1)
    broadcast = create_broadcast(session, article=make_article(session), text="見学会のご案内", topics=["news"],
                                 channels=["line"], config=bapp.config)
    session.commit()
    drain(bapp, session)

    requests = multicasts(line_api, 200)
    assert len(requests) == 2 + 1 + 1  # ceil(501/500) + ceil(3/500) + ceil(2/500)
    by_segment: dict[str, set[str]] = {}
    for request in requests:
        link = link_of(bapp.config, request.json)
        assert (link.broadcast_id, link.channel) == (broadcast.id, "line")
        by_segment.setdefault(link.segment, set()).update(request.json["to"])
    assert {seg: len(users) for seg, users in by_segment.items()} == {f"persona:{p}": n for p, n in SIZES.items()}
    rows = session.scalars(select(BroadcastDelivery).where(BroadcastDelivery.broadcast_id == broadcast.id)).all()
    assert {r.segment for r in rows} == {f"persona:{p}" for p in SIZES}


def test_clicks_are_attributed_to_their_segment_without_tracking_anyone(bapp, session, line_api):
    add_subscribers(session, 4, persona="student", seed=1)
    add_subscribers(session, 2, persona="parent", seed=2)
    broadcast = create_broadcast(session, article=make_article(session), text="", topics=["news"],
                                 channels=["line"], config=bapp.config)
    session.commit()
    drain(bapp, session)
    client = bapp.test_client()
    for request in multicasts(line_api, 200):
        [token, *_] = tokens_in(request.json["messages"])
        client.get(urlsplit(f"/r/{token}").path, headers={"User-Agent": "Mozilla/5.0 (iPhone)"})
    clicks = session.scalars(select(Click)).all()
    assert sorted(c.segment for c in clicks) == ["persona:parent", "persona:student"]
    assert all(c.recipient_hash is None for c in clicks)  # a segment link names no person
    rollup.rollup_day(session, jst_day(), bapp.config["SECRET_KEY"])
    session.commit()
    per_persona = dict(session.execute(
        select(DailyMetric.persona, DailyMetric.value)
        .where(DailyMetric.metric == m.CLICKS, DailyMetric.ref_id == broadcast.id)).all())
    assert per_persona == {"student": 1, "parent": 1}


def test_the_composer_shows_the_request_count(bapp, session, line_api):
    for seed, (persona, size) in enumerate(SIZES.items()):
        add_subscribers(session, size, persona=persona, seed=seed + 1)
    client = bapp.test_client()
    login(client, make_staff(session, "ward"))
    form = {"channels": ["line"], "audience": "topics", "topics": ["news"], "text": "お知らせ", "timing": "now",
            "action": "preview"}
    html = post_form(client, "/admin/broadcasts/new", "/admin/broadcasts/new", form).get_data(as_text=True)
    assert "送信リクエスト: 4件" in html
    assert utcnow()  # nothing was queued by a preview
    assert session.scalar(select(BroadcastDelivery)) is None
