"""Shared pieces of the headless-Chromium tests (``from browser_kit import ...``).

Browser tests skip (with a reason) only when /usr/bin/chromium is missing and
REQUIRE_BROWSER is unset; with REQUIRE_BROWSER=1 a missing browser is a failure.
The browser is the system Chromium: playwright never downloads one.
"""
from __future__ import annotations

import asyncio
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from testkit import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
# Quiet, offline, CI-safe: no sandbox (containers), no GPU, no background traffic.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DEFAULT_TIMEOUT_MS = 15_000
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER is set")
    pytest.skip(f"{CHROMIUM} is not installed (set REQUIRE_BROWSER=1 to make this a failure)")


@contextmanager
def launched_chromium():
    """The system Chromium, headless (skips or fails first if it is missing).

    One Chromium per test process, started by the first test that needs it and shared by
    the others (starting Playwright's driver and a browser costs about two seconds;
    tests/conftest.py closes it when the session ends). Tests share nothing in it: each
    works in its own contexts (``new_tab``: cookies, storage, cache and connections are per
    context), and every context opened inside the ``with`` block is closed on leaving it.
    """
    require_browser()
    browser = _enter_shared_chromium()
    before = set(browser.contexts)
    try:
        yield browser
    finally:
        try:
            for context in browser.contexts:
                if context not in before:
                    context.close()
        finally:
            _leave_shared_chromium()


# Playwright's sync API runs its event loop in a greenlet and, between two calls, marks
# that loop as the thread's running one (playwright/_impl/_greenlets.py, wait_for_future);
# its calls need the mark. Outside every ``launched_chromium`` block no loop may look
# running, as when each block started and stopped its own Playwright: other tests run
# asyncio loops of their own (asyncio.run refuses to start inside a running loop).
_shared: dict = {"depth": 0}  # "manager", "playwright": the driver; "browser": the shared Chromium


def _enter_shared_chromium():
    if _shared["depth"] == 0 and "playwright" in _shared:
        asyncio._set_running_loop(_shared["playwright"]._loop)
    _shared["depth"] += 1
    try:
        browser = _shared.get("browser")
        if browser is None or not browser.is_connected():
            if "playwright" not in _shared:
                from playwright.sync_api import sync_playwright

                _shared["manager"] = sync_playwright()
                _shared["playwright"] = _shared["manager"].start()
            browser = _shared["playwright"].chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            _shared["browser"] = browser
        return browser
    except BaseException:
        _leave_shared_chromium()
        raise


def _leave_shared_chromium() -> None:
    _shared["depth"] -= 1
    if _shared["depth"] == 0:
        asyncio._set_running_loop(None)


def close_shared_chromium() -> None:
    """Close the shared Chromium and stop Playwright's driver (the end of the test session)."""
    if "playwright" not in _shared:
        return
    asyncio._set_running_loop(_shared["playwright"]._loop)
    try:
        browser = _shared.pop("browser", None)
        if browser is not None and browser.is_connected():
            browser.close()
    finally:
        del _shared["playwright"]
        _shared.pop("manager").__exit__(None, None, None)
        asyncio._set_running_loop(None)


def new_tab(browser, **context_options):
    """A page in a fresh Japanese-locale context; close it with ``tab.context.close()``."""
    context = browser.new_context(locale="ja-JP", **context_options)
    tab = context.new_page()
    tab.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return tab


def wait_until(page, expression: str, arg=None, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Poll ``expression`` (or a function of ``arg``) until it is truthy.

    Our pages send a Content-Security-Policy without 'unsafe-eval', and
    Playwright's ``wait_for_function`` polls its predicate with ``eval`` inside
    the page, which that policy forbids; ``page.evaluate`` runs through the
    DevTools protocol instead and is not affected.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while not _evaluate_between_navigations(page, expression, arg):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout_ms} ms: {expression}")
        time.sleep(0.05)


def _evaluate_between_navigations(page, expression: str, arg):
    """Evaluate once; a page caught mid-navigation counts as "not yet".

    After a click the old document can be gone before the new one has its
    elements (``querySelector`` answers null) or the execution context can be
    destroyed under the call; both are moments to poll again, not failures.
    A predicate that is wrong on a settled page still times out.
    """
    from playwright.sync_api import Error as PlaywrightError

    try:
        return page.evaluate(expression, arg) if arg is not None else page.evaluate(expression)
    except PlaywrightError as error:
        if any(sign in str(error) for sign in _MID_NAVIGATION_SIGNS):
            return False
        raise


_MID_NAVIGATION_SIGNS = (
    "Cannot read properties of null",
    "Execution context was destroyed",
    "navigation",
)


@contextmanager
def serving(app):
    """Serve ``app`` with werkzeug on a free local port in a thread; yields the base URL.

    ``BASE_URL`` is set to that address before anything else runs, so data seeded
    inside the ``with`` block links to the live server.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app.config["BASE_URL"]
    finally:
        server.shutdown()
        thread.join(timeout=10)


def screenshot_path(name: str) -> Path:
    """Where a screenshot goes: test-artifacts/ at the project root (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
