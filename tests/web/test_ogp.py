"""OGP/X card meta on every page and the generated 1200×630 card images."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from archive_helpers import parse
from PIL import Image
from sqlalchemy import select

from content import ogp
from content.models import Article
from core import fonts
from core.textwrap_ja import NO_LINE_END, NO_LINE_START, wrap_text

PAGES = ["/", "/about", "/events", "/category/feature", "/series/company", "/tag/宇宙",
         "/articles/space-industry-ota", "/articles/local-kouwa-seiki-tour", "/no-such-page"]
REQUIRED = ["og:title", "og:description", "og:url", "og:image", "og:type", "og:site_name",
            "twitter:card", "twitter:title", "twitter:image", "description"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_ogp_and_x_card_meta(demo_client, path):
    page = parse(demo_client.get(path))
    for name in REQUIRED:
        assert page.meta.get(name), (path, name)
    assert page.meta["og:image"].startswith("http://testserver.local/")
    assert page.meta["twitter:card"] == "summary_large_image"
    assert page.meta["og:url"].startswith("http://testserver.local/")


def test_article_meta_describes_the_article(demo_client, session):
    article = session.scalar(select(Article).where(Article.slug == "space-industry-ota"))
    page = parse(demo_client.get("/articles/space-industry-ota"))
    assert page.meta["og:title"] == article.title
    assert page.meta["og:description"] == article.summary
    assert page.meta["og:type"] == "article"
    assert page.meta["og:url"] == "http://testserver.local/articles/space-industry-ota"
    assert page.meta["og:image"].startswith("http://testserver.local/ogp/space-industry-ota.png?v=")


def _png(response) -> Image.Image:
    assert response.status_code == 200 and response.mimetype == "image/png"
    return Image.open(io.BytesIO(response.data))


def test_article_card_is_a_1200x630_png(demo_client):
    image = _png(demo_client.get("/ogp/space-industry-ota.png"))
    assert image.format == "PNG" and image.size == (1200, 630)
    site = _png(demo_client.get("/ogp.png"))
    assert site.size == (1200, 630)


def test_card_is_cached_and_redrawn_when_the_title_changes(demo_app, session):
    client = demo_app.test_client()
    folder = Path(demo_app.instance_path) / "ogp"
    first = client.get("/ogp/space-industry-ota.png").data
    files = list(folder.rglob("*.png"))
    assert client.get("/ogp/space-industry-ota.png").data == first
    assert list(folder.rglob("*.png")) == files  # served from the cache, not drawn again
    article = session.scalar(select(Article).where(Article.slug == "space-industry-ota"))
    old_url = parse(client.get("/articles/space-industry-ota")).meta["og:image"]
    article.title = "まったく別のタイトルに変わりました"
    session.commit()
    second = client.get("/ogp/space-industry-ota.png").data
    assert second != first
    assert len(list((folder / f"article-{article.id}").glob("*.png"))) == 1  # the stale card is gone
    assert parse(client.get("/articles/space-industry-ota")).meta["og:image"] != old_url


def test_unpublished_article_has_no_card(demo_client):
    assert demo_client.get("/ogp/no-such-article.png").status_code == 404


# --- fonts: no tofu ----------------------------------------------------------


def test_a_japanese_font_is_found_on_this_machine():
    choice = fonts.japanese_font()
    assert choice.japanese, "install fonts-noto-cjk (see README)"
    assert Path(choice.path).is_file()


def test_japanese_glyphs_are_real_and_distinct():
    font = fonts.japanese_font().load(64)
    machi, kou, ba = (fonts.glyph_bitmap(font, ch) for ch in "町工場")
    missing = fonts.glyph_bitmap(font, fonts.MISSING_CODEPOINT)
    assert machi and kou and ba
    assert len({machi, kou, ba}) == 3
    assert missing not in (machi, kou, ba)
    assert fonts.glyph_bitmap(font, "あ") != fonts.glyph_bitmap(font, "ア")


def test_tofu_font_is_detected():
    from PIL import ImageFont

    assert not fonts.draws_japanese(ImageFont.load_default(48))
    assert fonts.draws_japanese(fonts.japanese_font().load(48))


def test_env_font_path_wins_and_bad_one_is_skipped(monkeypatch, tmp_path):
    real = fonts.japanese_font()
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    try:
        fonts.japanese_font.cache_clear()
        monkeypatch.setenv("JP_FONT_PATH", str(bogus))
        assert fonts.japanese_font().path == real.path  # a broken file is not used
        fonts.japanese_font.cache_clear()
        monkeypatch.setenv("JP_FONT_PATH", real.path)
        assert fonts.japanese_font().path == real.path
    finally:
        fonts.japanese_font.cache_clear()


def test_without_any_japanese_font_cards_still_render(monkeypatch, caplog):
    monkeypatch.setattr(fonts, "_candidates", lambda: [])
    fonts.japanese_font.cache_clear()
    try:
        choice = fonts.japanese_font()
        assert not choice.japanese
        assert "fonts-noto-cjk" in caplog.text
        data = ogp.render_card(ogp.Card("町工場の記事", "特集記事", "feature", "大田区", "machi koba"))
        assert Image.open(io.BytesIO(data)).size == (1200, 630)
    finally:
        fonts.japanese_font.cache_clear()


# --- Japanese line breaking --------------------------------------------------


def _measure(text: str) -> float:
    return float(len(text))


@pytest.mark.parametrize("title", [
    "大田区の町工場、宇宙へ。「ロケット」をつくる若手職人たちの挑戦",
    "親子でつくろう！ミニ万華鏡 ― 鏡のように磨く研磨のひみつ",
    "ちょっと、ちょっと。っていうか、ぁぃぅぇぉ、ゃゅょ。」」」",
    "CNC旋盤で0.01ミリの精度に挑む（若手）『職人』たちの「いま」",
])
@pytest.mark.parametrize("width", [5, 7, 9, 12])
def test_wrapping_follows_kinsoku(title, width):
    lines = wrap_text(title, _measure, width)
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")
    for line in lines[1:]:
        assert line[0] not in NO_LINE_START, lines
    for line in lines[:-1]:
        assert line[-1] not in NO_LINE_END, lines
    # lines may only overflow by hanging punctuation
    for line in lines:
        assert len(line.rstrip("".join(NO_LINE_START))) <= width, lines


def test_latin_words_and_numbers_stay_whole():
    lines = wrap_text("最新のCNC旋盤で0.01ミリを削る", _measure, 8)
    assert any("CNC" in line for line in lines)
    assert any("0.01" in line for line in lines)


def test_very_long_titles_are_shortened_on_the_card():
    data = ogp.render_card(ogp.Card("とても長いタイトル" * 30, "お知らせ", "news", "大田区", "x"))
    assert Image.open(io.BytesIO(data)).size == (1200, 630)
