"""The composer's live X counter (web/static/js/x-counter.js) in Chromium, on X's conformance cases."""
from __future__ import annotations

import pytest
from x_specs import conformance

from browser_kit import launched_chromium, new_tab
from testkit import PROJECT_ROOT

pytestmark = pytest.mark.browser
SCRIPT = PROJECT_ROOT / "web" / "static" / "js" / "x-counter.js"
CASES = ("Regular Tweet with url", "160 CJK char", "Count a mix of single byte", "140 family emoji",
         "Unicode 10.0 emoji", "skin tone modifiers", "Handle a 64 character domain",
         "Allow > 140 CJK characters", "Do not allow > 140 CJK characters", "'Á' is normalized")


def test_the_browser_counts_like_x():
    cases = [c for c in conformance("WeightedTweetsWithDiscountedEmojiCounterTest")
             if any(c["description"].startswith(prefix) or prefix in c["description"] for prefix in CASES)]
    assert len(cases) >= 8
    with launched_chromium() as browser:
        tab = new_tab(browser)
        tab.set_content("<!doctype html><meta charset=utf-8><title>x</title>")
        tab.add_script_tag(path=str(SCRIPT))
        got = tab.evaluate("texts => texts.map(t => window.xWeightedLength(t))", [c["text"] for c in cases])
        tab.context.close()
    assert got == [c["expected"]["weightedLength"] for c in cases]
