"""The web registration form in headless Chromium, used with the keyboard only.

Skipped only when /usr/bin/chromium is missing and REQUIRE_BROWSER is unset;
with REQUIRE_BROWSER=1 a missing browser is a failure.
"""
from __future__ import annotations

import os
import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from events.models import Event, Registration
from tests.conftest import make_test_app
from web.db import db, utcnow

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
def live_site(sqlite_template, tmp_path):
    """A workshop open for registration, served by werkzeug in a thread."""
    database = tmp_path / "db.sqlite3"
    shutil.copy(sqlite_template, database)
    app = make_test_app(f"sqlite:///{database}", tmp_path / "instance")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    with app.app_context():
        event = Event(kind="workshop", title="キーボードで申し込む教室", capacity=10, place="大田区産業プラザPiO",
                      starts_at=utcnow() + timedelta(days=10), deadline=utcnow() + timedelta(days=5))
        db.session.add(event)
        db.session.commit()
        event_id = event.id
        db.session.remove()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"{app.config['BASE_URL']}/events/{event_id}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        browser.close()


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def tab_to(page, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        if focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def replace_text(page, text: str) -> None:
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_register_with_the_keyboard_only(live_site, page):
    app, url = live_site
    page.goto(url)
    tab_to(page, "field-adults")
    replace_text(page, "1")
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-children"
    replace_text(page, "2")
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-name"
    page.keyboard.type("大田 花子")
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-contact"
    page.keyboard.type("hanako-at-example")  # a mistake, to be corrected
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-consent"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    page.wait_for_selector("#error-summary")
    assert focused_id(page) == "error-summary"  # screen readers hear the problems first
    assert page.get_attribute("#field-contact", "aria-invalid") == "true"
    assert "error-contact" in page.get_attribute("#field-contact", "aria-describedby")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the summary's link to the field
    assert focused_id(page) == "field-contact"
    replace_text(page, "hanako@example.jp")
    assert page.is_checked("#field-consent")  # kept from the first attempt
    page.keyboard.press("Enter")

    page.wait_for_selector("text=お申し込みを受け付けました")
    assert page.is_visible("img[alt^='受付用QRコード']")
    with app.app_context():
        (registration,) = db.session.query(Registration).all()
        assert (registration.adults, registration.children, registration.contact) == (1, 2, "hanako@example.jp")
        db.session.remove()
