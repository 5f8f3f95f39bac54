"""Both LIFF forms in headless Chromium at 390 px, with a fake LIFF SDK object (no network).

The fake ``liff`` asks the LINE stand-in (through the test process) for an ID token
carrying the page's nonce, as the real SDK hands the page a token LINE issued.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.line.models import LiffApp
from browser_kit import PHONE, launched_chromium, new_tab, screenshot_path, serving
from core.db import db
from events.models import Event, Registration
from events.service import Application, register
from notifications import subscriptions
from tests.bot.line.liff_helpers import liff_config
from tests.bot.line.line_helpers import USER

pytestmark = pytest.mark.browser

FAKE_LIFF = """
window.liff = {
  init: function () { return Promise.resolve(); },
  isInClient: function () { return %(in_client)s; },
  getIDToken: function () {
    var nonce = document.querySelector("[data-nonce]").getAttribute("data-nonce");
    return window.mintIdToken(nonce);
  },
  closeWindow: function () { window.liffClosed = true; }
};
"""


@pytest.fixture
def live(open_demo_app, line):
    with open_demo_app(**liff_config(line)) as app, serving(app) as base:
        db.session.add_all([LiffApp(key="settings", liff_id="2000000001-settings", endpoint_url="-", content_hash="-"),
                            LiffApp(key="register", liff_id="2000000001-register", endpoint_url="-", content_hash="-")])
        db.session.commit()
        yield app, base


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def _tab(browser, line, in_client: bool = True):
    tab = new_tab(browser, viewport=PHONE)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    sdk_loads: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    tab.route("https://liff-sdk.test/**", lambda route: (sdk_loads.append(route.request.url), route.fulfill(
        status=200, body="window.fakeSdkLoaded = true;", content_type="text/javascript")))
    tab.expose_function("mintIdToken", lambda nonce: line.issue_id_token(USER, nonce, name="山田 太郎"))
    tab.add_init_script(FAKE_LIFF % {"in_client": "true" if in_client else "false"})
    return tab, errors


def test_settings_form_changes_three_topics_in_one_submit(browser, live, line, session):
    app, base = live
    friend = subscriptions.get_or_create_subscriber(session, "line", USER)
    subscriptions.set_persona(session, friend, "student")
    session.commit()
    tab, errors = _tab(browser, line)
    tab.goto(f"{base}/liff/settings")
    tab.wait_for_selector("[data-liff-form]:not([hidden])")
    assert tab.evaluate("window.fakeSdkLoaded") is True  # the page's CSP lets the LIFF SDK in
    assert tab.is_checked("input[name=persona][value=student]")
    assert tab.is_checked("input[name=topics][value=local]") and not tab.is_checked("input[name=topics][value=news]")
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    tab.uncheck("input[name=topics][value=local]")
    tab.check("input[name=topics][value=news]")
    tab.check("input[name=topics][value=admin]")
    tab.screenshot(path=str(screenshot_path("liff-settings-390.png")), full_page=True)
    tab.click("button[type=submit]")
    tab.wait_for_selector("[data-liff-done]:not([hidden])")
    assert "保存しました" in tab.inner_text("[data-liff-done]")
    tab.context.close()
    session.expire_all()
    assert subscriptions.find_subscriber(session, "line", USER).topics == {"features", "series", "tours", "news", "admin"}
    assert errors == []


def test_parent_sees_the_school_stage_question(browser, live, line, session):
    tab, errors = _tab(browser, line)
    tab.goto(f"{live[1]}/liff/settings")
    tab.wait_for_selector("[data-liff-form]:not([hidden])")
    assert not tab.is_visible("#field-child_stage")
    tab.check("input[name=persona][value=parent]")
    tab.select_option("#field-child_stage", "elementary_low")
    tab.click("button[type=submit]")
    tab.wait_for_selector("[data-liff-done]:not([hidden])")
    tab.context.close()
    session.expire_all()
    assert subscriptions.find_subscriber(session, "line", USER).child_stage == "elementary_low"
    assert errors == []


def test_registration_form_is_prefilled_and_registers(browser, live, line, session):
    tour = session.scalar(select(Event).where(Event.kind == "tour"))
    other = session.scalar(select(Event).where(Event.kind == "event"))
    register(session, Application(event_id=other.id, channel="line", person_id=USER, adults=1, name="大田 花子",
                                  contact="hanako@example.jp", consent=True))
    tab, errors = _tab(browser, line)
    tab.goto(f"{live[1]}/liff/register?event={tour.id}")
    tab.wait_for_selector("[data-liff-form]:not([hidden])")
    assert tab.input_value("#field-name") == "大田 花子"
    assert tab.input_value("#field-contact") == "hanako@example.jp"
    tab.screenshot(path=str(screenshot_path("liff-register-390.png")), full_page=True)
    tab.click("button[type=submit]")  # without consent: refused with the service's message
    tab.wait_for_selector("[data-error-for=consent]:not([hidden])")
    tab.check("#field-consent")
    tab.click("button[type=submit]")
    tab.wait_for_selector("[data-liff-done]:not([hidden])")
    assert "受け付けました" in tab.inner_text("[data-liff-done]")
    tab.context.close()
    session.expire_all()
    saved = session.scalar(select(Registration).where(Registration.event_id == tour.id))
    assert saved.person_key == f"line:{USER}" and saved.name == "大田 花子"
    assert errors == []


def test_outside_line_the_registration_page_offers_the_web_form(browser, live, line, session):
    tour = session.scalar(select(Event).where(Event.kind == "tour"))
    tab, errors = _tab(browser, line, in_client=False)
    tab.goto(f"{live[1]}/liff/register?event={tour.id}")
    tab.wait_for_selector("[data-liff-fallback]:not([hidden])")
    assert not tab.is_visible("[data-liff-form]")
    assert tab.get_attribute("[data-liff-web-form]", "href") == f"/events/{tour.id}"
    assert "本人確認ができなかった" in tab.inner_text("[data-liff-fallback]")
    tab.context.close()
    assert errors == []
