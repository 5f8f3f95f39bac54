"""Staff console in real headless Chromium: login → new article → preview → publish.

Without /usr/bin/chromium these skip, or fail under REQUIRE_BROWSER=1 (see browser_kit).
"""
from __future__ import annotations

import pytest
from console_helpers import PASSWORD

from browser_kit import launched_chromium, new_tab, serving
from core.db import db
from staff.accounts import create_account
from testkit import app_on_copy

pytestmark = pytest.mark.browser


@pytest.fixture
def console_server(sqlite_template, tmp_path):
    app = app_on_copy(sqlite_template, tmp_path)
    with serving(app) as base:
        with app.app_context():
            create_account(db.session, "ward@example.jp", "区 職員", "ward", PASSWORD, None)
            db.session.commit()
            db.session.remove()
        yield base


@pytest.fixture
def page():
    with launched_chromium() as browser:
        yield new_tab(browser)


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
    page.wait_for_url("**/announce")  # publish → announce: staff choose whether to send
    page.click("button[value=skip]")
    page.wait_for_selector("text=お知らせは送信しません")
    assert page.inner_text("[data-status]") == "公開中"
    page.goto(f"{base}/articles/browser-written")
    assert page.inner_text("h1") == "ブラウザで書いた記事"
    assert page.inner_text(".prose strong") == "本文"
