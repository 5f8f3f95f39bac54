"""Non-text messages in the neutral core: every kind answered, locations by distance."""
from __future__ import annotations

import pytest

from bot.core.handlers.media import distance_km, distance_text
from messages.replies import MEDIA_TYPES

USER = "U" + "d4" * 16


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
def test_every_media_kind_gets_a_short_answer_and_the_menu(bot, media_type):
    response = bot.send(USER, "media", media_type=media_type)
    assert response.messages and len(bot.last_text()) < 300
    assert "新着" in bot.last_labels()


def test_unknown_kinds_get_help(bot):
    bot.send(USER, "unsupported")
    assert "まだ対応していません" in bot.last_text()
    assert bot.last_labels()


def test_location_lists_demo_events_and_companies_nearest_first(demo_bot):
    demo_bot.send(USER, "location", latitude=35.5628, longitude=139.7105)  # at 光和精機（デモ）
    texts = demo_bot.last_texts()
    companies = next(t for t in texts if t.startswith("近くの見学できる会社"))
    assert companies.splitlines()[1].startswith("・光和精機（デモ）")
    assert demo_bot.last_cards()  # event cards with their 申し込む buttons


def test_an_impossible_location_is_not_a_crash(bot):
    bot.send(USER, "location", latitude=123.0, longitude=500.0)
    assert "まだ対応していません" in bot.last_text()


def test_distances():
    assert distance_km(35.5601, 139.7203, 35.5601, 139.7203) == 0
    assert 0.8 < distance_km(35.5601, 139.7203, 35.5628, 139.7105) < 1.1  # about 0.94 km
    assert distance_text(0.234) == "約230m" and distance_text(3.21) == "約3.2km"
