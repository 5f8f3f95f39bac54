"""Accessibility basics (JIS X 8341-3 AA / WCAG 2.2 AA) checked on the served HTML and CSS."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from archive_helpers import parse

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
PAGES = ["/", "/about", "/events", "/category/feature", "/category/series", "/series/people",
         "/tag/宇宙", "/articles/space-industry-ota", "/articles/local-kaleidoscope-workshop",
         "/articles/scholarship-repayment-support", "/no-such-page"]


def _all_pages(client, session) -> list[str]:
    from content import service

    slugs = [a.slug for a in service.latest_articles(session, limit=100) if a.slug != "about"]
    return PAGES + [f"/articles/{slug}" for slug in slugs]


def test_headings_are_in_order_with_one_h1(demo_client, session):
    for path in _all_pages(demo_client, session):
        levels = [level for level, _ in parse(demo_client.get(path)).headings]
        assert levels.count(1) == 1 and levels[0] == 1, (path, levels)
        for before, after in zip(levels, levels[1:]):
            assert after <= before + 1, (path, levels)


@pytest.mark.parametrize("path", PAGES)
def test_language_landmarks_skip_link_and_alt_text(demo_client, path):
    response = demo_client.get(path)
    html = response.get_data(as_text=True)
    page = parse(response)
    assert page.has("html", lang="ja")
    assert page.has("main", id="main")
    assert page.has("header", **{"class": "site-header"}) and page.has("footer", **{"class": "site-footer"})
    assert page.has("nav", **{"aria-label": "メインメニュー"})
    assert page.has("form", role="search", action="/search", method="get")
    skip = page.links[0]
    assert skip.get("href") == "#main" and "skip-link" in skip.get("class", "")
    assert "本文へスキップ" in html
    for image in page.images:
        assert "alt" in image, (path, image)
    assert page.has("label", **{"for": "site-search"})


def test_content_images_have_meaningful_alt(demo_client):
    page = parse(demo_client.get("/articles/space-industry-ota"))
    hero = [image for image in page.images if image.get("fetchpriority") == "high"]
    assert hero and len(hero[0]["alt"]) > 10


def test_no_external_requests_in_pages(demo_client):
    """Works offline: every stylesheet, script, image and font is served by us."""
    for path in ("/", "/articles/space-industry-ota"):
        page = parse(demo_client.get(path))
        for tag, attrs in page.tags:
            for name in ("src", "srcset"):
                value = attrs.get(name, "")
                assert not re.search(r"(^|\s|,)(https?:)?//", value), (path, tag, value)
            if tag == "link" and attrs.get("rel") in ("stylesheet", "preload", "icon", "preconnect"):
                assert attrs["href"].startswith("/"), attrs
            if tag == "script":
                assert attrs.get("src", "/").startswith("/"), attrs
    css = (STATIC / "css" / "site.css").read_text() + (STATIC / "css" / "tokens.css").read_text()
    assert "@import" not in css and "url(http" not in css and "@font-face" not in css


# --- colour contrast of the design tokens -------------------------------------

# (text colour, background colour) pairs the stylesheet uses for text.
TEXT_PAIRS = [
    ("--c-ink", "--c-paper"), ("--c-ink", "--c-surface"), ("--c-ink-soft", "--c-paper"),
    ("--c-ink-soft", "--c-surface"), ("--c-link", "--c-paper"), ("--c-link", "--c-surface"),
    ("--c-on-primary", "--c-primary"), ("--c-ink", "--c-sun"), ("--c-ink", "--c-tint-sun"),
    ("--c-ink", "--c-tint-mint"), ("--c-ink", "--c-tint-violet"), ("--c-ink", "--c-tint-sky"),
    ("--c-ink-soft", "--c-tint-violet"), ("--c-ink-soft", "--c-tint-mint"), ("--c-link", "--c-tint-violet"),
    ("--c-link", "--c-tint-sun"), ("--c-surface", "--c-ink"), ("--c-sun", "--c-ink"),
    ("--c-on-primary", "--c-cat-feature"), ("--c-on-primary", "--c-cat-series"),
    ("--c-on-primary", "--c-cat-news"), ("--c-on-primary", "--c-cat-local"),
    ("--c-on-primary", "--c-cat-admin"), ("--c-on-primary", "--c-cat-about"),
    ("--c-on-primary", "--c-line-app"), ("--c-on-primary", "--c-discord"),
    ("--c-warn", "--c-surface"), ("--c-warn", "--c-tint-mint"), ("--c-ink", "--c-tomato"),
]
# Non-text UI parts (focus ring, borders of inputs) need 3:1 against what is next to them.
UI_PAIRS = [("--c-focus", "--c-paper"), ("--c-focus", "--c-surface"), ("--c-ink", "--c-paper")]


def _tokens() -> dict[str, str]:
    text = (STATIC / "css" / "tokens.css").read_text()
    return dict(re.findall(r"(--c-[a-z0-9-]+):\s*(#[0-9a-fA-F]{6})\s*;", text))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("foreground,background", TEXT_PAIRS)
def test_text_colour_pairs_reach_4_5_to_1(foreground, background):
    tokens = _tokens()
    ratio = contrast(tokens[foreground], tokens[background])
    assert ratio >= 4.5, f"{foreground} on {background}: {ratio:.2f}"


@pytest.mark.parametrize("foreground,background", UI_PAIRS)
def test_ui_colour_pairs_reach_3_to_1(foreground, background):
    tokens = _tokens()
    assert contrast(tokens[foreground], tokens[background]) >= 3.0


def test_stylesheet_uses_only_token_colours():
    """Colours live in tokens.css; site.css refers to them (no stray hex values)."""
    site_css = (STATIC / "css" / "site.css").read_text()
    assert not re.findall(r"#[0-9a-fA-F]{3,6}\b", site_css)
    used = set(re.findall(r"var\((--c-[a-z0-9-]+)", site_css))
    assert used <= set(_tokens()), used - set(_tokens())


def test_focus_is_visible_in_the_stylesheet():
    site_css = (STATIC / "css" / "site.css").read_text()
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*3px solid var\(--c-focus\)", site_css)
    assert ".skip-link:focus" in site_css
