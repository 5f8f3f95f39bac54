"""Staff console in real headless Chromium: login → new article → preview → publish.

Skipped only when /usr/bin/chromium is missing and REQUIRE_BROWSER is unset;
with REQUIRE_BROWSER=1 a missing browser is a failure.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from console_helpers import PASSWORD
from werkzeug.serving import make_server

from tests.conftest import make_test_app
from web.admin.accounts import create_account
from web.db import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


def _require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER is set")
    pytest.skip(f"{CHROMIUM} is not installed (set REQUIRE_BROWSER=1 to make this a failure)")


@pytest.fixture
def console_server(sqlite_template, tmp_path):
    database = tmp_path / "db.sqlite3"
    shutil.copy(sqlite_template, database)
    app = make_test_app(f"sqlite:///{database}", tmp_path / "instance")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    with app.app_context():
        create_account(db.session, "ward@example.jp", "区 職員", "ward", PASSWORD, None)
        db.session.commit()
        db.session.remove()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app.config["BASE_URL"]
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ja-JP")
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        browser.close()


def _log_in(page, base: str) -> None:
    page.goto(f"{base}/admin/articles")
    assert "/admin/login" in page.url
    page.fill("#email", "ward@example.jp")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('ログイン')")
    page.wait_for_url(f"{base}/admin/articles")


def _write_article(page) -> None:
    page.click("text=新しい記事を書く")
    page.fill("#title", "ブラウザで書いた記事")
    page.fill("#slug", "browser-written")
    page.select_option("#category", "news")
    page.fill("#tags", "テスト, ブラウザ")
    page.fill("#summary", "ブラウザから作成しました。")
    page.fill("#body_md", "## 小見出し\n\nこれは**本文**です。")
    page.click("button[value=save]")
    page.wait_for_selector("text=保存しました")


def test_login_write_preview_publish(console_server, page):
    base = console_server
    _log_in(page, base)
    _write_article(page)
    assert page.inner_text("[data-status]") == "下書き"
    with page.context.expect_page() as opened:
        page.click("button:has-text('プレビュー')")
    preview = opened.value
    preview.wait_for_load_state()
    assert preview.inner_text("h1") == "ブラウザで書いた記事"
    assert preview.inner_text(".prose h2") == "小見出し"
    preview.close()
    page.click("button[value=publish]")
    page.wait_for_selector("text=公開しました")
    assert page.inner_text("[data-status]") == "公開中"
    page.goto(f"{base}/articles/browser-written")
    assert page.inner_text("h1") == "ブラウザで書いた記事"
    assert page.inner_text(".prose strong") == "本文"
