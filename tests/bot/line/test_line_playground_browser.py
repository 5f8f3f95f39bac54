"""The playground in real headless Chromium: type 新着, see a carousel.

Without /usr/bin/chromium these skip, or fail under REQUIRE_BROWSER=1 (see browser_kit).
"""
from __future__ import annotations

import pytest

from browser_kit import PHONE, launched_chromium, new_tab, serving
from core.db import db
from testkit import app_on_copy

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(demo_snapshots, tmp_path_factory):
    app = app_on_copy(demo_snapshots.get("sqlite").database, tmp_path_factory.mktemp("playground-browser"))
    with serving(app) as base:
        yield base
    db.session.remove()


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    page = new_tab(browser, viewport=PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    page.context.close()
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
