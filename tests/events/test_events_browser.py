"""The web registration form in headless Chromium, used with the keyboard only.

Without /usr/bin/chromium these skip, or fail under REQUIRE_BROWSER=1 (see browser_kit).
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from browser_kit import PHONE, launched_chromium, new_tab, serving
from core.db import db, utcnow
from events.models import Event, Registration
from testkit import app_on_copy

pytestmark = pytest.mark.browser


@pytest.fixture
def live_site(sqlite_template, tmp_path):
    """A workshop open for registration, served by werkzeug in a thread."""
    app = app_on_copy(sqlite_template, tmp_path)
    app.config["EVENT_MIN_FILL_SECONDS"] = 0  # a scripted keyboard is faster than a person (see test_events_rules)
    with serving(app) as base:
        with app.app_context():
            event = Event(kind="workshop", title="キーボードで申し込む教室", capacity=10, place="大田区産業プラザPiO",
                          starts_at=utcnow() + timedelta(days=10), deadline=utcnow() + timedelta(days=5))
            db.session.add(event)
            db.session.commit()
            event_id = event.id
            db.session.remove()
        yield app, f"{base}/events/{event_id}"


@pytest.fixture
def page():
    with launched_chromium() as browser:
        yield new_tab(browser, viewport=PHONE)


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
