"""YouTube feed import: conditional GET, new videos only, stored thumbnails, pages and /posts."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from standins.youtube_feed import JPEG, YouTubeFeedStandin

from core.db import db
from testkit import make_test_app
from tests.notifications.broadcast_helpers import login, make_staff, page, post_form
from videos import jobs, service
from videos.models import Video, VideoSource

CHANNEL = "UC" + "a" * 22


@pytest.fixture
def youtube():
    with YouTubeFeedStandin() as standin:
        standin.add_video(CHANNEL, "abcdefghijk", "町工場の一日", "旋盤の音から始まる一日。", datetime(2026, 11, 1, tzinfo=UTC))
        yield standin


@pytest.fixture
def app(database_url, tmp_path, youtube):
    app = make_test_app(database_url, tmp_path / "instance", YOUTUBE_FEED_BASE_URL=youtube.base_url)
    with app.app_context():
        yield app
    db.session.remove()


def test_staff_add_a_channel_and_the_worker_imports_new_videos_once(app, youtube):
    client = app.test_client()
    login(client, make_staff(db.session, "ward"))
    bad = post_form(client, "/admin/videos/", "/admin/videos/sources", {"kind": "channel", "external_id": "nope"})
    assert bad.status_code == 400 and "チャンネルIDは「UC」で始まる24文字です" in bad.get_data(as_text=True)
    post_form(client, "/admin/videos/", "/admin/videos/sources",
              {"kind": "channel", "external_id": f"https://www.youtube.com/channel/{CHANNEL}"})
    assert db.session.scalar(select(VideoSource)).external_id == CHANNEL

    jobs.import_videos(app)
    video = db.session.scalar(select(Video))
    assert video.title == "町工場の一日" and video.thumbnail == JPEG and "旋盤" in video.description

    jobs.import_videos(app)  # unchanged feed: a conditional GET answered 304
    feed_calls = youtube.calls_to("/feeds/videos.xml")
    assert feed_calls[-1].header("If-None-Match") == youtube.etag(CHANNEL) and feed_calls[-1].status == 304

    youtube.add_video(CHANNEL, "bcdefghijkl", "新製品の紹介", "", datetime(2026, 11, 5, tzinfo=UTC))
    jobs.import_videos(app)
    db.session.expire_all()
    assert db.session.scalars(select(Video.video_id).order_by(Video.published_at)).all() == ["abcdefghijk", "bcdefghijkl"]

    listing = app.test_client().get("/videos").get_data(as_text=True)
    assert "町工場の一日" in listing and "/videos/abcdefghijk/thumbnail" in listing
    assert "i.ytimg.com" not in listing and "youtube-nocookie" not in listing
    thumb = app.test_client().get("/videos/abcdefghijk/thumbnail")
    assert thumb.data == JPEG and thumb.mimetype == "image/jpeg"
    timeline = app.test_client().get("/posts").get_data(as_text=True)
    assert 'data-timeline-video="bcdefghijkl"' in timeline and "YouTubeで見る" in timeline
    assert "新製品の紹介" in page(client, "/admin/videos/")


def test_an_unknown_channel_is_reported_to_staff(app, youtube):
    source = service.add_source(db.session, "channel", "UC" + "b" * 22)
    assert service.import_source(db.session, app.config, source) == 0
    assert "見つかりません" in source.last_error
