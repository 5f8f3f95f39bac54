"""The attendee list in headless Chromium: one click records 就職, and the dashboard counts it.

Without /usr/bin/chromium these skip, or fail under REQUIRE_BROWSER=1 (see browser_kit).
"""
from __future__ import annotations

import pytest
from careers_helpers import PASSWORD, attend, make_company, make_tour

from browser_kit import launched_chromium, new_tab, screenshot_path, serving
from careers.models import Outcome
from core.db import db
from kpi import jobs
from kpi.metrics import jst_day
from staff.accounts import create_account
from testkit import app_on_copy

pytestmark = pytest.mark.browser


@pytest.fixture
def live(sqlite_template, tmp_path):
    """A tour of 光和精機 with two confirmed people, served by werkzeug in a thread."""
    app = app_on_copy(sqlite_template, tmp_path)
    with serving(app) as base:
        with app.app_context():
            create_account(db.session, "ward@example.jp", "区 職員", "ward", PASSWORD, None)
            tour = make_tour(db.session, make_company(db.session))
            ids = (tour.id, attend(tour, "taro", "大田 太郎").id, attend(tour, "hana", "蒲田 花子").id)
            db.session.commit()
            db.session.remove()
        yield app, base, ids


@pytest.fixture
def tab():
    with launched_chromium() as browser:
        yield new_tab(browser, viewport={"width": 1280, "height": 900})


def stage_cells(tab) -> dict[str, str]:
    """段階 → 件数・人数 from the dashboard's behaviour-change funnel table."""
    cells = tab.eval_on_selector_all(
        "#t-stages tbody tr", "rows => rows.map(r => [r.querySelector('th').innerText, r.cells[2].innerText])")
    return dict(cells)


def test_one_click_records_hired_and_the_dashboard_counts_it(live, tab):
    app, base, (event_id, taro_id, hana_id) = live
    tab.goto(f"{base}/admin/events/{event_id}")
    tab.fill("#email", "ward@example.jp")
    tab.fill("#password", PASSWORD)
    tab.click("button:has-text('ログイン')")
    tab.wait_for_url(f"{base}/admin/events/{event_id}")

    row = tab.locator(f"#reg-{taro_id}")
    assert row.locator("[data-consent]").inner_text() == "なし"
    row.get_by_role("button", name=f"受付番号{taro_id}の方の同意を得た").click()
    tab.wait_for_selector(f"#reg-{taro_id} [data-consent='yes']")

    tab.locator(f"#reg-{taro_id}").get_by_role("button", name=f"受付番号{taro_id}の方の就職を記録").click()  # one click
    tab.wait_for_selector(f"#reg-{taro_id} [data-outcome='hired']")
    assert "大田 太郎さんの「就職」を記録しました" in tab.inner_text(".flash")
    assert tab.url.endswith(f"#reg-{taro_id}")
    tab.screenshot(path=str(screenshot_path("careers-attendee-outcome.png")), full_page=True)
    with app.app_context():
        [outcome] = db.session.query(Outcome).all()
        assert (outcome.kind, outcome.registration_id, outcome.occurred_on) == ("hired", taro_id, jst_day())
        db.session.remove()

    jobs.rollup_job(app)  # the worker's hourly roll-up
    tab.goto(f"{base}/admin/kpi/")
    assert stage_cells(tab)["就業"] == "1"
    company_row = tab.locator("#t-stages_company tbody tr", has_text="光和精機")
    assert company_row.locator("td").nth(4).inner_text() == "1"  # 就業 column of the company


def test_the_undo_right_after_an_anonymous_click(live, tab):
    app, base, (event_id, taro_id, hana_id) = live
    tab.goto(f"{base}/admin/events/{event_id}")
    tab.fill("#email", "ward@example.jp")
    tab.fill("#password", PASSWORD)
    tab.click("button:has-text('ログイン')")
    tab.wait_for_url(f"{base}/admin/events/{event_id}")
    tab.locator(f"#reg-{hana_id}").get_by_role("button", name=f"受付番号{hana_id}の方の応募を記録").click()
    tab.wait_for_selector(f"#reg-{hana_id} .outcome-undo")
    assert "名前を残さず記録しました" in tab.inner_text(".flash")
    tab.locator(f"#reg-{hana_id} .outcome-undo button").click()
    tab.wait_for_selector("text=「応募」の記録を取り消しました。")
    assert tab.locator(f"#reg-{hana_id} .outcome-undo").count() == 0
    with app.app_context():
        assert db.session.query(Outcome).count() == 0
        db.session.remove()
