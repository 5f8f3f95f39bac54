"""Precision: nothing for nonsense, unrelated or half-matching queries; verbatim text always found."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from content.models import Article
from core.db import db, utcnow
from search.phrases import parse_query
from search.service import search

QUERIES = Path(__file__).with_name("precision_queries.yaml")
KINDS = {"nonsense", "unrelated", "partial"}


def _load() -> list[dict]:
    return yaml.safe_load(QUERIES.read_text(encoding="utf-8"))


def test_the_precision_set_covers_every_kind():
    rows = _load()
    assert len(rows) >= 15 and {row["kind"] for row in rows} == KINDS


def test_precision_set_finds_nothing(demo_search_app):
    found = {row["query"]: search(db.session, row["query"], log=False).total for row in _load()}
    print(f"\nprecision set: {sum(1 for n in found.values() if n == 0)}/{len(found)} queries with 0 hits")
    assert {query: total for query, total in found.items() if total} == {}


def test_the_search_page_says_so_and_offers_categories_and_tags(demo_search_app):
    html = demo_search_app.test_client().get("/search?q=ふがふがぴよ123").get_data(as_text=True)
    assert "見つかりませんでした" in html and "件見つかりました" not in html
    assert "カテゴリから探す" in html and "/category/feature" in html
    assert "記事の多いテーマから探す" in html


def _article(session, slug: str, body: str, title: str = "工場だより") -> Article:
    article = Article(slug=slug, title=title, category="feature", summary="", body_md=body, status="published",
                      published_at=utcnow() - timedelta(days=1))
    session.add(article)
    return article


@pytest.fixture
def verbatim_articles(app, session):
    _article(session, "threading", "この工場では、旋盤でのねじ切りを若手に教えています。")
    _article(session, "form-short", "参加するには見学申込書を窓口に出してください。")
    _article(session, "form-long", "参加するには見学申し込み書を窓口に出してください。")
    _article(session, "katakana-screw", "小さなネジの頭を磨く仕事です。")
    _article(session, "dates", "開催日は2027年1月23日、集合は12時です。")
    _article(session, "soccer-free", "作家の方が工場を訪ねました。")
    session.commit()
    return session


def _slugs(session, query: str) -> set[str]:
    return {hit.slug for hit in search(session, query, per_page=50, log=False).results}


def test_verbatim_text_of_two_or_more_characters_is_found(verbatim_articles):
    session = verbatim_articles
    assert "threading" in _slugs(session, "ねじ切り")  # the query splits into verbs, the text does not
    assert "threading" in _slugs(session, "ネジ切り")  # katakana finds the hiragana text
    assert "form-short" in _slugs(session, "見学申込書")
    assert "form-long" in _slugs(session, "見学申し込み書")


def test_synonyms_apply_inside_compounds(verbatim_articles):
    """申込 / 申し込み are synonyms: each compound finds the other spelling."""
    session = verbatim_articles
    assert {"form-short", "form-long"} <= _slugs(session, "見学申込書")
    assert {"form-short", "form-long"} <= _slugs(session, "見学申し込み書")


def test_kana_and_kanji_variants_find_each_other(verbatim_articles):
    session = verbatim_articles
    for query in ("ねじ", "ネジ", "螺子"):
        assert "katakana-screw" in _slugs(session, query), query
    assert "katakana-screw" in _slugs(session, "みがく")  # typed in kana, written in kanji


def test_scattered_bigrams_are_not_a_match(verbatim_articles):
    session = verbatim_articles
    assert "dates" not in _slugs(session, "123")  # 「12」 and 「23」 occur, 「123」 does not
    assert search(session, "ふがふがぴよ123", log=False).total == 0
    assert "soccer-free" not in _slugs(session, "サッカー")  # 作家 reads さっか: a reading is not a loanword


def test_coverage_is_measured_on_the_meaningful_part_of_the_query():
    assert parse_query("チャットボットで質問できるサービス").weight == 8  # で, できる weigh nothing
    assert parse_query("旋盤 火星").weight == 4
    assert [unit.span for unit in parse_query("金属をピカピカに磨く").units] == ["金属", "ピカピカ", "磨く"]
