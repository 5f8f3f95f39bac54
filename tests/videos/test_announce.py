"""A new video is announced to LINE and Discord like an article: one card linking (tracked) to our page.

Ward staff start from the video's row in the console (「LINE・Discordでお知らせ」), which opens the
broadcast composer with the video attached; the same outbox and channel plugins send it.
"""
from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from standins.youtube_feed import JPEG

from core.db import db
from notifications import routing
from notifications.models import Broadcast
from testkit import make_test_app
from tests.kpi.kpi_helpers import BROWSER_UA
from tests.notifications.broadcast_helpers import (
    DISCORD_CHANNEL,
    add_subscribers,
    drain,
    login,
    make_article,
    make_staff,
    multicasts,
    page,
    post_form,
    standin_config,
)
from tests.standins.discord_api import DiscordStandin
from tests.standins.line_api import LineStandin
from videos.models import Video

BASE = "https://monozukuri.example.jp"  # LINE shows photos from https addresses only
VIDEO_ID = "abcdefghijk"
NEW = "/admin/broadcasts/new"


@pytest.fixture
def line_api():
    with LineStandin(quota_limit=None) as standin:
        yield standin


@pytest.fixture
def discord_api():
    with DiscordStandin() as standin:
        standin.add_channel(DISCORD_CHANNEL, name="お知らせ")
        yield standin


@pytest.fixture
def app(database_url, tmp_path, line_api, discord_api):
    app = make_test_app(database_url, tmp_path / "instance", BASE_URL=BASE, **standin_config(line_api, discord_api))
    with app.app_context():
        session = db.session
        session.add(Video(video_id=VIDEO_ID, title="町工場の一日", description="旋盤の音から始まる一日。\n職人の手元を追いました。",
                          published_at=datetime(2026, 11, 1, tzinfo=UTC), thumbnail=JPEG, thumbnail_type="image/jpeg"))
        routing.save_route(session, "*", DISCORD_CHANNEL)
        session.commit()
        add_subscribers(session, 3)
        yield app
    db.session.remove()


@pytest.fixture
def ward(app):
    client = app.test_client()
    login(client, make_staff(db.session, "ward"))
    return client


def _composer_link(ward) -> str:
    listing = page(ward, "/admin/videos/")
    found = re.search(r'<a href="([^"]+)" data-announce-video>LINE・Discordでお知らせ</a>', listing)
    assert found, "the video row has no announce button"
    return html.unescape(found.group(1))


def _uris(node) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "uri"] + [u for v in node.values() for u in _uris(v)]
    if isinstance(node, list):
        return [u for v in node for u in _uris(v)]
    return []


def _form(action: str, **extra) -> dict:
    return {"channels": ["line", "discord"], "audience": "everyone", "text": "", "timing": "now",
            "action": action, "article": "", "card": f"video:{VIDEO_ID}", **extra}


def test_staff_announce_a_video_to_line_and_discord_with_one_tracked_card(app, ward, line_api, discord_api):
    link = _composer_link(ward)
    composer = page(ward, link)
    assert "添付する動画:" in composer and "町工場の一日" in composer
    assert re.search(r'value="line" checked', composer) and re.search(r'value="discord" checked', composer)
    assert not re.search(r'value="web" checked', composer)  # the video is on /posts already

    preview = post_form(ward, link, NEW, _form("preview"))
    assert preview.status_code == 200 and "町工場の一日" in preview.get_data(as_text=True)
    assert db.session.scalar(select(Broadcast)) is None  # a preview writes nothing

    sent = post_form(ward, link, NEW, _form("send"))
    assert sent.status_code == 302
    broadcast = db.session.scalar(select(Broadcast))
    assert broadcast.title == "町工場の一日" and broadcast.article_id is None
    drain(app, db.session)

    (call,) = multicasts(line_api)
    assert line_api.validation_errors == []
    (message,) = call.json["messages"]  # one message: the card, no separate text
    assert message["type"] == "flex" and "町工場の一日" in message["altText"]
    (bubble,) = message["contents"]["contents"]  # one bubble (in a carousel, as for articles)
    assert bubble["type"] == "bubble"
    assert bubble["hero"]["url"] == f"{BASE}/videos/{VIDEO_ID}/thumbnail"
    uris = set(_uris(bubble))
    assert len(uris) == 1
    (tracked,) = uris
    assert tracked.startswith(f"{BASE}/r/")

    (posted,) = discord_api.messages_in(DISCORD_CHANNEL)
    assert discord_api.validation_errors == []
    (embed,) = posted["embeds"]
    assert embed["title"] == "町工場の一日" and embed["image"]["url"] == f"{BASE}/videos/{VIDEO_ID}/thumbnail"
    assert posted["components"][0]["components"][0]["url"].startswith(f"{BASE}/r/")

    visitor = app.test_client()
    opened = visitor.get(urlsplit(tracked).path, headers={"User-Agent": BROWSER_UA})
    assert opened.status_code == 302
    target = urlsplit(opened.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{BASE}/videos/{VIDEO_ID}"
    assert "utm_source=line" in target.query and f"utm_campaign=broadcast-{broadcast.id}" in target.query
    assert "町工場の一日" in visitor.get(f"/videos/{VIDEO_ID}").get_data(as_text=True)

    report = page(ward, f"/admin/broadcasts/{broadcast.id}")
    assert "町工場の一日" in report and "動画を見る" in report


def test_an_unknown_video_is_a_clear_message(app, ward):
    missing = ward.get(f"{NEW}?card=video:zzzzzzzzzzz")
    assert missing.status_code == 404
    assert "添付するページが見つかりません" in missing.get_data(as_text=True)
    refused = post_form(ward, NEW, NEW, _form("send", card="video:zzzzzzzzzzz"))
    assert refused.status_code == 400 and "添付するページが見つかりません" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Broadcast)) is None


def test_a_video_and_an_article_cannot_both_be_attached(app, ward):
    article = make_article(db.session)
    refused = post_form(ward, NEW, NEW, _form("send", article=article.slug))
    assert refused.status_code == 400
    assert "記事と動画は同時に添付できません" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Broadcast)) is None
