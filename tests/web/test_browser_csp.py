"""The main public and console pages work under the Content-Security-Policy in real Chromium.

Any script, style or handler the policy blocks is reported by the browser as a
``securitypolicyviolation`` event and a console error; both are collected here.
Without /usr/bin/chromium these skip, or fail under REQUIRE_BROWSER=1 (see browser_kit).
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from browser_kit import launched_chromium, new_tab, serving, wait_until
from core.db import db, utcnow
from events.models import Event
from staff.accounts import create_account
from testkit import app_on_copy

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""
PUBLIC_PAGES = ["/", "/about", "/events", "/search?q=旋盤", "/posts", "/playground"]
CONSOLE_PAGES = ["/admin/", "/admin/articles", "/admin/articles/new", "/admin/events/", "/admin/broadcasts",
                 "/admin/kpi/", "/admin/discord/", "/admin/accounts", "/admin/audit"]


@pytest.fixture(scope="module")
def live_site(sqlite_template, tmp_path_factory):
    from content.demo import import_demo_content

    app = app_on_copy(sqlite_template, tmp_path_factory.mktemp("csp"))
    with serving(app) as base:
        with app.app_context():
            import_demo_content(app)
            create_account(db.session, "admin@example.jp", "管理 者", "admin", PASSWORD, None)
            # An event open for registration: its page carries the form script.
            event = Event(kind="workshop", title="CSPを確かめる教室", capacity=10, place="大田区産業プラザPiO",
                          starts_at=utcnow() + timedelta(days=10), deadline=utcnow() + timedelta(days=5))
            db.session.add(event)
            db.session.commit()
            app.config["CSP_TEST_EVENT_URL"] = f"{base}/events/{event.id}"
            db.session.remove()
        yield base, app.config["CSP_TEST_EVENT_URL"]


@pytest.fixture(scope="module")
def tab():
    with launched_chromium() as browser:
        page = new_tab(browser)
        page.add_init_script(COLLECT_VIOLATIONS)
        messages = []
        page.on("console", lambda msg: messages.append(msg.text))
        page.csp_console_messages = messages
        yield page
        page.context.close()


def _visit(tab, url: str) -> list[str]:
    tab.csp_console_messages.clear()
    response = tab.goto(url)
    assert response.status == 200, url
    tab.wait_for_load_state("load")
    violations = tab.evaluate("window.__cspViolations")
    console = [m for m in tab.csp_console_messages if "Content Security Policy" in m]
    return [f"{url}: {v}" for v in violations + console]


def _first_link(tab, base: str, pattern: str) -> str:
    tab.goto(base + "/")
    hrefs = tab.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    match = next(h for h in hrefs if re.match(pattern, h.replace(base, "")))
    return match if match.startswith("http") else base + match


def test_public_pages_report_no_csp_violation(tab, live_site):
    base, event_url = live_site
    urls = [base + path for path in PUBLIC_PAGES] + [_first_link(tab, base, r"^/articles/"), event_url]
    violations = [v for url in urls for v in _visit(tab, url)]
    assert violations == []


def test_the_registration_form_script_runs(tab, live_site):
    """The once-only submit guard (static/js/once-form.js) is loaded and active."""
    _, event_url = live_site
    tab.goto(event_url)
    wait_until(tab, "document.querySelector('form[data-once]') !== null")
    tab.eval_on_selector("form[data-once]", "f => f.addEventListener('submit', e => e.preventDefault())")
    tab.eval_on_selector("form[data-once]", "f => f.requestSubmit()")
    assert tab.get_attribute("form[data-once]", "aria-busy") == "true"


def test_the_playground_still_talks_under_the_policy(tab, live_site):
    base, _ = live_site
    tab.goto(base + "/playground")
    tab.fill("textarea, input[type=text]", "新着")
    tab.keyboard.press("Enter")
    tab.wait_for_selector(".pg-card", timeout=15_000)
    assert tab.evaluate("window.__cspViolations") == []


def test_console_pages_report_no_csp_violation(tab, live_site):
    live_site, _ = live_site
    tab.goto(live_site + "/admin/login")
    tab.fill("#email", "admin@example.jp")
    tab.fill("#password", PASSWORD)
    tab.click("button:has-text('ログイン')")
    tab.wait_for_url(live_site + "/admin/")
    violations = [v for path in CONSOLE_PAGES for v in _visit(tab, live_site + path)]
    assert violations == []
