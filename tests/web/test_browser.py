"""The public site in real headless Chromium, against a real (threaded) server.

Without /usr/bin/chromium these skip, or fail under REQUIRE_BROWSER=1 (see browser_kit).
"""
from __future__ import annotations

import pytest

from browser_kit import PHONE, launched_chromium, new_tab, screenshot_path, serving, wait_until
from core.db import db
from testkit import app_on_copy

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(sqlite_template, tmp_path_factory):
    """The demo site on a free port, served by werkzeug in a thread."""
    from content.demo import import_demo_content

    app = app_on_copy(sqlite_template, tmp_path_factory.mktemp("browser"))
    with serving(app) as base:
        with app.app_context():
            import_demo_content(app)
            db.session.remove()
        yield base


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def phone(browser):
    page = new_tab(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield page
    page.context.close()


def _no_horizontal_scroll(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url}: scrollWidth {width} > innerWidth {inner}"


def _load_lazy_images(page) -> None:
    page.evaluate("""async () => {
        // Lazy images far from the viewport may never be asked for on a slow run: ask for all.
        document.querySelectorAll('img[loading=lazy]').forEach(img => { img.loading = 'eager'; });
        for (let y = 0; y < document.body.scrollHeight; y += 600) {
            window.scrollTo(0, y);
            await new Promise(r => setTimeout(r, 30));
        }
        window.scrollTo(0, 0);
    }""")
    wait_until(page, "[...document.images].every(img => img.complete)")


def test_top_page_renders_demo_content(phone, live_server):
    phone.goto(live_server + "/")
    assert phone.locator("h1").inner_text().replace("\n", "") == "町工場で、未来をつくろう。"
    assert phone.locator("section[aria-labelledby=sec-feature] .card").count() >= 3
    assert phone.locator(".event-card").count() >= 2
    assert phone.locator("text=LINEで友だち追加").first.is_visible()
    broken = phone.evaluate("[...document.images].filter(i => i.complete && i.naturalWidth === 0).length")
    assert broken == 0


def test_visitor_goes_top_category_article_related(phone, live_server):
    phone.goto(live_server + "/")
    phone.locator(".nav-categories > summary").click()
    phone.locator(".nav-categories").get_by_role("link", name="特集記事").click()
    phone.wait_for_url("**/category/feature")
    assert phone.locator("h1").inner_text() == "特集記事"

    first = phone.locator(".card-title a").first
    title = first.inner_text()
    first.click()
    phone.wait_for_url("**/articles/**")
    assert phone.locator("h1").inner_text() == title
    assert phone.locator(".prose h2").count() >= 2

    related = phone.locator("section[aria-labelledby=related-heading] .card-title a").first
    related_title = related.inner_text()
    related.click()
    wait_until(phone, "t => document.querySelector('h1').innerText === t", arg=related_title)
    assert phone.locator("h1").inner_text() == related_title != title


@pytest.mark.parametrize("path", ["/", "/category/feature", "/category/series", "/articles/space-industry-ota",
                                  "/articles/local-kouwa-seiki-tour", "/events"])
def test_phone_viewport_has_no_horizontal_scroll(phone, live_server, path):
    phone.goto(live_server + path)
    _load_lazy_images(phone)
    _no_horizontal_scroll(phone)
    phone.locator(".nav-categories > summary").click()  # the open menu must not overflow either
    _no_horizontal_scroll(phone)


def test_screenshots_of_top_and_article(phone, live_server):
    for name, path in (("top", "/"), ("article", "/articles/local-kouwa-seiki-tour")):
        phone.goto(live_server + path)
        _load_lazy_images(phone)
        target = screenshot_path(f"{name}-390x844.png")
        phone.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 50_000


def test_skip_link_appears_on_focus_and_jumps_to_main(phone, live_server):
    phone.goto(live_server + "/articles/space-industry-ota")
    skip = phone.locator(".skip-link")
    assert skip.bounding_box()["y"] + skip.bounding_box()["height"] <= 0  # hidden above the page
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.className") == "skip-link"
    wait_until(phone, "document.querySelector('.skip-link').getBoundingClientRect().top >= 0")
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 20
    outline = phone.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    phone.keyboard.press("Enter")
    wait_until(phone, "document.activeElement && document.activeElement.id === 'main'")


def test_focus_ring_is_visible_on_links(phone, live_server):
    phone.goto(live_server + "/")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")  # the logo link
    style = phone.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                           " return [s.outlineStyle, s.outlineWidth]; })()")
    assert style[0] == "solid" and float(style[1].rstrip("px")) >= 2
