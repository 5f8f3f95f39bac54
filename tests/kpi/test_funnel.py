"""The funnel on a constructed day: every number can be counted by hand from scenario.py."""
import kpi_scenario as scenario
import pytest
from kpi_scenario import DAY

from kpi import funnel, rollup, sources
from kpi.queries import Scope


@pytest.fixture
def rolled(app, session, monkeypatch):
    ids = scenario.build(session, app.config["SECRET_KEY"])
    deliveries = [(c, p, b, ids["article"], n) for c, p, b, _a, n in scenario.DELIVERIES]
    monkeypatch.setattr(sources, "deliveries_on", lambda s, day: deliveries if day == DAY else [])
    rollup.rollup_day(session, DAY, app.config["SECRET_KEY"])
    session.commit()
    return ids


def test_funnel_per_channel(rolled, session):
    data = funnel.breakdown(session, Scope(DAY, DAY), "channel")
    assert data["line"] == {"delivered": 60, "clicks": 3, "article_views": 4, "registrations": 2,
                            "attendances": 1, "next_step": 1}
    assert data["discord"] == {"delivered": None, "clicks": 1, "article_views": 0, "registrations": 0,
                               "attendances": 0, "next_step": 0}
    assert data["web"] == {"delivered": None, "clicks": None, "article_views": 2, "registrations": 1,
                           "attendances": 0, "next_step": 1}


def test_funnel_per_persona_maps_hashed_recipients_and_person_keys(rolled, session):
    data = funnel.breakdown(session, Scope(DAY, DAY), "persona")
    assert data["student"] == {"delivered": 40, "clicks": 2, "article_views": None, "registrations": 1,
                               "attendances": 1, "next_step": None}
    assert data["jobseeker"]["clicks"] == 1 and data["jobseeker"]["registrations"] == 1
    assert data[""]["registrations"] == 1 and data[""]["clicks"] == 0  # the web form
    assert data["unknown"]["clicks"] == 1  # Discord: a link without segment or person


def test_funnel_per_article_and_total(rolled, session):
    article = funnel.breakdown(session, Scope(DAY, DAY), "article")[rolled["article"]]
    assert article == {"delivered": 60, "clicks": 4, "article_views": 6, "registrations": 3, "attendances": 1,
                       "next_step": None}
    assert funnel.bot_totals(session, Scope(DAY, DAY)) == {
        "delivered": 60, "clicks": 4, "article_views": 4, "registrations": 2, "attendances": 1, "next_step": 1}


def test_funnel_per_week_and_channel_filter(rolled, session):
    week = funnel.breakdown(session, Scope(DAY, DAY), "week")
    assert list(week) == [DAY.fromisoformat("2026-06-08")]  # the Monday of that week
    assert week[DAY.fromisoformat("2026-06-08")]["article_views"] == 6
    assert funnel.totals(session, Scope(DAY, DAY, "web"))["next_step"] == 1


def test_conversions_skip_steps_that_were_not_measured():
    assert funnel.conversions([100, 10, None, 5, 0]) == [None, 0.1, None, 0.5, 0.0]
    assert funnel.conversions([0, 3]) == [None, None]


def test_series_rows_are_named_as_readers_see_them():
    from kpi.funnel_stages import series_label

    assert [series_label(key) for key in ("company", "people", "product")] == [
        "テーマ別記事「企業」", "テーマ別記事「人」", "テーマ別記事「製品」"]
    assert series_label("") == "シリーズなし・記事なし"
    assert series_label("shigoto") == "テーマ別記事「その他」"  # never a stored key on screen


def test_a_segment_of_friends_without_a_persona_is_unset_not_a_persona_called_none():
    from kpi import metrics as m
    from kpi.stage_rollup import click_persona

    assert sources.segment_persona("persona:none") == "" and sources.segment_persona("persona:parent") == "parent"
    assert sources.segment_persona("discord:123") is None and sources.segment_persona(None) is None
    assert click_persona("persona:none", None, {}) == ""  # counted within the segment's reach (未設定)
    assert click_persona("discord:123", None, {}) == m.PERSONA_UNKNOWN
