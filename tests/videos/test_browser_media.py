"""Done-when of the ward's media, in Chromium: a YouTube channel imported by the worker, a video
embedded in an article behind a click-to-load facade (no video-host request before the click),
an X post refused over 280, shortened, approved, posted to the X stand-in, and /posts showing both.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from standins.x_api import XApiStandin
from standins.youtube_feed import YouTubeFeedStandin

from browser_kit import launched_chromium, new_tab, serving
from content.urls import article_site_path
from core.db import db
from notifications.dispatcher import Dispatcher
from notifications.models import Broadcast
from staff.accounts import create_account
from testkit import app_on_copy
from tests.notifications.broadcast_helpers import PASSWORD, make_article
from videos import jobs

pytestmark = pytest.mark.browser
CHANNEL = "UC" + "o" * 22
VIDEO = "otaKouba001"
LONG_JAPANESE = "大田区の町工場が集まる見学会を開きます。" * 7  # 140 characters


@pytest.fixture
def platforms():
    with YouTubeFeedStandin() as youtube, XApiStandin() as x_api:
        youtube.add_video(CHANNEL, VIDEO, "町工場の一日", "旋盤の音から始まる一日。", datetime(2026, 11, 20, tzinfo=UTC))
        yield youtube, x_api


def _log_in(tab, base: str) -> None:
    tab.goto(f"{base}/admin/login")
    tab.fill("#email", "ward@example.jp")
    tab.fill("#password", PASSWORD)
    tab.click("button:has-text('ログイン')")
    tab.wait_for_load_state()


def test_youtube_and_x_from_the_console_to_the_timeline(sqlite_template, tmp_path, platforms):
    youtube, x_api = platforms
    app = app_on_copy(sqlite_template, tmp_path, YOUTUBE_FEED_BASE_URL=youtube.base_url,
                      X_USER_ACCESS_TOKEN=x_api.token, X_API_BASE_URL=x_api.base_url,
                      X_ACCOUNT_URL="https://x.com/ota_monozukuri", QUIET_HOURS="",
                      LINE_CHANNEL_ACCESS_TOKEN=None, DISCORD_BOT_TOKEN=None)
    with serving(app) as base, launched_chromium() as browser:
        with app.app_context():
            create_account(db.session, "ward@example.jp", "区 職員", "ward", PASSWORD, None)
            article = make_article(db.session, slug="video-article", title="動画で見る町工場")
            article.body_md = f"工場の様子を動画でご覧ください。\n\nhttps://www.youtube.com/watch?v={VIDEO}\n"
            db.session.commit()
            db.session.remove()
        tab = new_tab(browser)
        _log_in(tab, base)

        # Staff add the ward's channel; the worker's job imports its videos.
        tab.goto(f"{base}/admin/videos/")
        tab.fill("#video-source-id", f"https://www.youtube.com/channel/{CHANNEL}")
        tab.click("button:has-text('登録する')")
        # The form posts and redirects; wait for the notice instead of reading a page mid-navigation.
        tab.get_by_text("登録しました").first.wait_for()
        jobs.import_videos(app)

        # The article embeds the video; nothing but our server is asked before the click.
        visitor = new_tab(browser)
        hosts: list[str] = []
        visitor.on("request", lambda request: hosts.append(urlsplit(request.url).netloc))
        visitor.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
        visitor.goto(f"{base}{article_site_path('video-article')}")
        visitor.wait_for_load_state("networkidle")
        facade = visitor.locator(f"[data-video-facade][data-video-id='{VIDEO}']")
        assert facade.count() == 1 and facade.locator("img").evaluate("img => img.naturalWidth") > 0
        assert set(hosts) == {urlsplit(base).netloc}, hosts
        facade.locator("[data-video-play]").click()
        frame = visitor.locator("iframe[src^='https://www.youtube-nocookie.com/embed/']")
        frame.wait_for()
        assert VIDEO in frame.get_attribute("src")
        visitor.wait_for_timeout(300)
        assert "www.youtube-nocookie.com" in hosts  # the player is asked for only after the click

        # An X post of 140 Japanese characters + the article URL weighs 304: refused until shortened.
        tab.goto(f"{base}/admin/broadcasts/new")
        for box in tab.locator("input[name=channels]").all():
            box.set_checked(box.get_attribute("value") == "x")
        tab.select_option("#bc-article", "video-article")
        tab.fill("#bc-text", LONG_JAPANESE)
        expect(tab.locator("#bc-x-count")).to_have_text("304")  # waits for the composer script
        expect(tab.locator("[data-x-over]")).to_be_visible()
        tab.click("button[value=send]")
        assert "Xの投稿は280" in tab.locator("[role=alert]").first.text_content()
        tab.fill("#bc-text", LONG_JAPANESE[:120])
        expect(tab.locator("#bc-x-count")).to_have_text("264")
        expect(tab.locator("[data-x-over]")).to_be_hidden()
        tab.click("button[value=send]")
        tab.wait_for_load_state()
        alerts = tab.locator("[role=alert]")
        assert alerts.count() == 0, alerts.first.text_content()
        tab.wait_for_url(re.compile(r".*/admin/broadcasts/\d+$"))
        assert "承認待ち" in tab.content() and x_api.posts == {}
        tab.click("[data-approve]")
        tab.wait_for_load_state()
        with app.app_context():
            with Dispatcher(app.config) as dispatcher:
                for _ in range(3):
                    dispatcher.run_once(db.session, budget_seconds=5)
            broadcast = db.session.scalar(select(Broadcast))
            assert broadcast.status == "done"
            db.session.remove()
        [posted] = x_api.posts.values()
        assert posted["text"].startswith(LONG_JAPANESE[:120]) and "/r/" in posted["text"]

        # /posts shows both, each linking out.
        tab.goto(f"{base}/posts")
        assert tab.locator(f"[data-timeline-video='{VIDEO}']").count() == 1
        x_link = tab.locator("[data-posted-on='公式X']")
        assert x_link.count() == 1 and x_link.get_attribute("href").startswith("https://x.com/ota_monozukuri/status/")
        tab.context.close()
        visitor.context.close()
