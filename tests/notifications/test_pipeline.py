"""End to end through the stand-ins: chunking, retry keys, aggregation units, Discord, web."""
from __future__ import annotations

import math
import uuid

from broadcast_helpers import DISCORD_CHANNEL, add_subscribers, deliveries, drain, make_article, multicasts

from notifications import routing
from notifications.service import create_broadcast, delivery_report


def test_line_broadcast_is_chunked_and_tagged(bapp, session, line_api):
    users = add_subscribers(session, 1234, topics=("news",))
    broadcast = create_broadcast(session, text="新しいお知らせです", topics=["news"], channels=["line"])
    session.commit()

    drain(bapp, session)

    calls = multicasts(line_api)
    assert len(calls) == math.ceil(1234 / 500) == 3
    assert sorted(len(c.json["to"]) for c in calls) == [234, 500, 500]
    assert all(line_api.delivered_to(u) == 1 for u in users)
    keys = [c.header("X-Line-Retry-Key") for c in calls]
    assert len(set(keys)) == 3 and all(uuid.UUID(k) for k in keys)
    stored = {d.retry_key for d in deliveries(session, broadcast.id, "line")}
    assert stored == set(keys)
    assert all(c.json["customAggregationUnits"] == [f"mz_broadcast_{broadcast.id}"] for c in calls)
    assert line_api.aggregation_units == [f"mz_broadcast_{broadcast.id}"]
    assert line_api.validation_errors == []
    session.refresh(broadcast)
    assert broadcast.status == "done" and broadcast.recipient_count == 1234
    report = delivery_report(session, broadcast)
    assert report.channel("line").count("sent") == 1234
    assert report.channel("line").count("failed") == 0


def test_article_card_goes_to_line_discord_and_web(bapp, session, line_api, discord_api):
    routing.save_route(session, "news", DISCORD_CHANNEL, "1400000000000000001")
    add_subscribers(session, 3, topics=("news",))
    article = make_article(session)
    broadcast = create_broadcast(session, article=article, text="ぜひ読んでください", topics=["news"])
    session.commit()
    assert broadcast.channels == ["line", "discord", "web"]

    drain(bapp, session)

    (call,) = multicasts(line_api)
    text_message, flex = call.json["messages"]
    assert text_message == {"type": "text", "text": "ぜひ読んでください"}
    assert flex["type"] == "flex" and article.title in flex["altText"]
    bubble_json = str(flex["contents"])
    assert "/r/" in bubble_json  # tracked link, one per broadcast
    (posted,) = discord_api.messages_in(DISCORD_CHANNEL)
    assert posted["embeds"][0]["title"] == article.title
    assert posted["content"].startswith("<@&1400000000000000001>")
    assert posted["components"][0]["components"][0]["url"].startswith("http://testserver.local/r/")
    assert discord_api.validation_errors == []
    report = delivery_report(session, broadcast)
    assert report.channel("discord").count("sent") == 1
    assert report.channel("web").count("sent") == 1


def test_blocked_subscribers_are_never_targeted(bapp, session, line_api):
    active = add_subscribers(session, 10, topics=("news",), seed=1)
    blocked = add_subscribers(session, 10, topics=("news",), status="blocked", seed=2)
    other_topic = add_subscribers(session, 5, topics=("tours",), seed=3)
    create_broadcast(session, text="お知らせ", topics=["news"], channels=["line"])
    create_broadcast(session, text="全員へ", channels=["line"])
    session.commit()

    drain(bapp, session)

    assert all(line_api.delivered_to(u) == 2 for u in active)
    assert all(line_api.delivered_to(u) == 0 for u in blocked)
    assert all(line_api.delivered_to(u) == 1 for u in other_topic)


def test_personas_narrow_the_audience(bapp, session, line_api):
    students = add_subscribers(session, 4, persona="student", seed=1)
    parents = add_subscribers(session, 4, persona="parent", seed=2)
    create_broadcast(session, text="保護者の方へ", personas=["parent"], channels=["line"])
    session.commit()

    drain(bapp, session)

    assert all(line_api.delivered_to(u) == 1 for u in parents)
    assert all(line_api.delivered_to(u) == 0 for u in students)


def test_audience_snapshot_is_taken_at_send_time(bapp, session, line_api):
    early = add_subscribers(session, 3, seed=1)
    create_broadcast(session, text="お知らせ", topics=["news"], channels=["line"])
    session.commit()
    late = add_subscribers(session, 2, seed=2)  # followed after queueing, before sending

    drain(bapp, session)

    assert all(line_api.delivered_to(u) == 1 for u in early + late)
