"""Our X counter against X's own conformance cases (twitter-text-validate.yml)."""
from __future__ import annotations

import pytest
from x_specs import conformance

from bot.x.counter import Rules, count, fits, weighted_length

SECTIONS = {
    # X's v2 rules (no emoji parsing) and the current v3 rules (emoji sequences weigh 2).
    "WeightedTweetsCounterTest": Rules(emoji_parsing=False),
    "WeightedTweetsWithDiscountedEmojiCounterTest": Rules(),
    "UnicodeDirectionalMarkerCounterTest": Rules(),
}


def as_expected(text: str, rules: Rules) -> dict:
    got = count(text, rules)
    return {"weightedLength": got.weighted_length, "valid": got.valid, "permillage": got.permillage,
            "displayRangeStart": 0, "displayRangeEnd": got.display_range_end,
            "validRangeStart": 0, "validRangeEnd": got.valid_range_end}


@pytest.mark.parametrize("section", list(SECTIONS))
def test_every_conformance_case_of_the_section(section):
    cases = conformance(section)
    assert cases, f"{section} has no cases"
    wrong = {case["description"]: (as_expected(case["text"], SECTIONS[section]), case["expected"])
             for case in cases if as_expected(case["text"], SECTIONS[section]) != case["expected"]}
    assert not wrong


def test_the_emoji_cases_are_among_them():
    descriptions = " ".join(c["description"] for c in conformance("WeightedTweetsWithDiscountedEmojiCounterTest"))
    assert "family emoji" in descriptions and "skin tone" in descriptions and "Unicode 10.0" in descriptions


def test_japanese_weighs_two_and_any_url_twenty_three():
    assert weighted_length("大田区") == 6
    assert weighted_length("工場見学 https://example.jp/articles/2027/very-long-slug-of-an-article?utm=x") == 8 + 1 + 23
    assert weighted_length("https://example.jp/a詳しく") == 23 + 6  # X ends the link at Japanese text
    assert fits("あ" * 140) and not fits("あ" * 141)
    assert not fits("")
