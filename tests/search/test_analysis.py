"""Normalisation, morphology, synonyms and query units (no database)."""
from __future__ import annotations

import pytest

from search import synonyms
from search.morph import content_morphemes, index_terms
from search.normalize import bigram_terms, fold_kana, normalize
from search.querying import MAX_QUERY_CHARS, MAX_UNITS, clean_query, parse_units, unit_clauses


@pytest.mark.parametrize("raw, expected", [
    ("３Ｄﾌﾟﾘﾝﾀｰ", "3dプリンタ"),           # full/half width, long vowel at the end of a katakana word
    ("コンピューター", "コンピュータ"),
    ("コピー", "コピー"),                    # short words keep their ー
    ("プリンタ－", "プリンタ"),               # a full-width dash typed instead of ー
    ("IoT\u3000工場", "iot 工場"),
    ("a\x00b\u200bc", "a bc"),                # control characters split, zero-width ones vanish
    ("  多い   空白 ", "多い 空白"),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_bigrams_fold_kana_and_end_each_run_with_its_last_character():
    assert bigram_terms(normalize("マチコウバ")) == ["まち", "ちこ", "こう", "うば", "ば"]
    assert bigram_terms(normalize("製鉄、鉄")) == ["製鉄", "鉄", "鉄"]
    assert fold_kana("ロボット") == "ろぼっと"


def test_words_unify_spelling_variants_and_keep_readings_of_kanji_words():
    variants = {tuple(index_terms(normalize(text))[0]) for text in ("子ども", "子供", "こども")}
    assert len(variants) == 1
    words, readings = index_terms(normalize("旋盤を使うプリンター"))
    assert "旋盤" in words and "プリンタ" in words and "使う" in words
    assert "せんばん" in readings and "ぷりんた" not in readings   # readings only for kanji words


def test_content_words_drop_particles_and_light_verbs():
    words = [m.norm for m in content_morphemes(normalize("子どもと一緒に参加できるイベント"))]
    assert words == ["子供", "一緒", "参加", "イベント"]


def test_units_keep_compounds_together_and_split_sentences():
    assert [u.span for u in parse_units("3Dプリンタ")] == ["3dプリンタ"]
    assert [u.span for u in parse_units("IoT 工場")] == ["iot", "工場"]
    assert [u.span for u in parse_units("子どもと一緒に参加できるイベント")] == ["子ども", "一緒", "参加", "イベント"]
    kana = parse_units("まちこうば")
    assert [u.span for u in kana] == ["まちこうば"] and kana[0].words == ()  # mis-split analysis is not trusted
    assert "町工場" in [alt.span for alt in kana[0].alternatives]


def test_one_character_units_use_prefix_only_when_alone():
    alone = unit_clauses(parse_units("鉄")[0])
    assert any(c.prefix for c in alone)
    mixed = parse_units("鉄 人")
    assert not any(c.prefix for unit in mixed for c in unit_clauses(unit))


def test_any_input_parses_into_bounded_units(hostile_queries):
    for query in hostile_queries:
        units = parse_units(query)
        assert len(units) <= MAX_UNITS
        assert len(clean_query(query)) <= MAX_QUERY_CHARS
        for unit in units:
            assert unit.span and "*" not in unit.span and "^" not in unit.span


def test_synonym_file_forms(tmp_path):
    table = synonyms.parse("""
        # comment
        町工場, まちこうば   # trailing comment
        子ども => 親子, 小学生
        broken =>
        lonely
    """)
    assert table[synonyms.synonym_key("マチコウバ")] == ["町工場"]
    assert table[synonyms.synonym_key("子ども")] == ["親子", "小学生"]
    assert synonyms.synonym_key("親子") not in table   # one-way rules do not point back
    assert synonyms.synonym_key("broken") not in table and synonyms.synonym_key("lonely") not in table


def test_synonyms_are_reread_when_the_file_changes(tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text("鉄, てつ\n", encoding="utf-8")
    assert synonyms.table(path)[synonyms.synonym_key("てつ")] == ["鉄"]
    path.write_text("鉄, スチール, てつ\n", encoding="utf-8")
    assert synonyms.table(path)[synonyms.synonym_key("てつ")] == ["鉄", "スチール"]


def test_the_shipped_synonym_list_has_the_issue_examples():
    for word, other in (("町工場", "まちこうば"), ("ものづくり", "物づくり"), ("モノづくり", "物づくり"), ("見学", "工場見学")):
        assert other in synonyms.alternatives(word)
    # katakana and hiragana spellings share one entry (the kana fold)
    assert synonyms.alternatives("モノづくり") == synonyms.alternatives("ものづくり")
