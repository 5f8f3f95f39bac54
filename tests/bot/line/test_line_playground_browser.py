"""The playground in real headless Chromium: type 新着, see a carousel.

Skipped only when /usr/bin/chromium is missing and REQUIRE_BROWSER is unset;
with REQUIRE_BROWSER=1 a missing browser is a failure.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from testkit import make_test_app
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


@pytest.fixture(scope="module")
def live_server(demo_sqlite_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("playground-browser")
    database = folder / "db.sqlite3"
    shutil.copy(demo_sqlite_template, database)
    app = make_test_app(f"sqlite:///{database}", folder / "instance")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app.config["BASE_URL"]
    server.shutdown()
    thread.join(timeout=10)
    db.session.remove()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], errors


def test_typing_shinchaku_shows_a_carousel(page, live_server):
    page.goto(f"{live_server}/playground")
    page.wait_for_selector(".pg-row--bot .pg-bubble")  # the welcome, sent as a follow
    assert page.locator(".pg-quick button", has_text="保護者").count() == 1
    page.fill("[data-pg-input]", "新着")
    page.click(".pg-send")
    page.wait_for_selector(".pg-carousel .pg-card")
    cards = page.locator(".pg-carousel .pg-card")
    assert 1 <= cards.count() <= 12
    first = cards.first
    assert first.locator(".pg-card-title").inner_text().strip()
    assert first.locator(".pg-chip").count() == 1
    link = first.locator("a.pg-btn--primary").get_attribute("href")
    assert link.startswith(f"{live_server}/r/")
    assert page.locator(".pg-row--user .pg-bubble", has_text="新着").count() == 1


def test_persona_quick_reply_works_as_a_button(page, live_server):
    page.goto(f"{live_server}/playground")
    page.wait_for_selector(".pg-quick button")
    page.click(".pg-quick button:has-text('保護者')")
    page.wait_for_selector(".pg-row--bot .pg-bubble:has-text('保護者')")
    assert page.locator(".pg-row--user .pg-bubble", has_text="保護者").count() == 1
