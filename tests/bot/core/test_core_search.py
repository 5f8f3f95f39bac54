"""Search through the bot: cards with tracked links, paging, narrowing, and no dead ends."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from bot.core import wording
from content.models import CATEGORIES
from messages.replies import Cards
from search import service as search_service

ZERO_HIT_WORD = "ｘｙｚｚｙｑｑ"
HOSTILE = [
    "😀🏭🔩", "旋盤😀", "あ" * 5000, "旋盤" * 2500, "\x00\x01旋盤\x07\x1b[0m", "AND OR NOT", "* ? \" ( ) : ^ ~ [ ]",
    "AND OR NOT * ? \" ( ) : ^ ~ [ ]", "title:旋盤^3 OR (宇宙 AND NOT 溶接)", "旋*", "\"unterminated", "[a TO",
    "NOT", "(((((", "~~~", "🇯🇵" * 2500, "%s %d {0}", "<script>alert(1)</script>", "'; DROP TABLE subscribers; --",
    "\u202e反転", "ｱｲｳｴｵ" * 1000,
]


def test_search_answers_with_cards_linking_to_the_hits(demo_bot, session, client):
    demo_bot.send_text("U1", "溶接について教えて")
    expected = search_service.search(session, "溶接", per_page=10, log=False)
    assert demo_bot.last_texts()[0] == f"「溶接」に関する記事が{expected.total}件見つかりました。"
    cards = demo_bot.last_cards()
    assert [c.title for c in cards] == [hit.title for hit in expected.results]
    for card, hit in zip(cards, expected.results):
        assert card.label == hit.category_label and card.image_url.endswith("-960.jpg")
        location = client.get(urlsplit(card.url).path).headers["Location"]
        assert urlsplit(location).path == f"/articles/{hit.slug}"


def test_paging_and_narrowing(demo_bot, session):
    demo_bot.send_text("U1", "町工場")
    first = search_service.search(session, "町工場", per_page=10, log=False)
    assert first.total > 10 and len(demo_bot.last_cards()) == 10
    narrow = [c for c in demo_bot.last_choices() if "だけ（" in c.label]
    assert narrow, demo_bot.last_labels()
    demo_bot.tap("U1", demo_bot.choice("次の10件"))
    assert len(demo_bot.last_cards()) == first.total - 10
    assert "（2/2ページ）" in demo_bot.last_text() and "次の10件" not in demo_bot.last_labels()
    demo_bot.send_text("U1", "町工場")
    demo_bot.tap("U1", narrow[0])
    category = narrow[0].data.split("c=")[1].split("&")[0]
    assert {c.label for c in demo_bot.last_cards()} == {CATEGORIES[category]}
    demo_bot.send_text("U1", "町工場 " + "旋盤" * 60)  # long words: payloads are shortened to ≤ 300
    assert all(len(c.data or "") <= 300 for c in demo_bot.last_choices())


def test_zero_hits_offer_categories_and_popular_tags(demo_bot, session):
    demo_bot.send_text("U1", ZERO_HIT_WORD)
    assert "見つかりませんでした" in demo_bot.last_text() and not demo_bot.last_cards()
    labels = demo_bot.last_labels()
    for key in ("feature", "series", "news", "local", "admin"):
        assert CATEGORIES[key] in labels
    tags = search_service.popular_tags(session, 6)
    assert tags and all(f"#{tag}" in labels for tag in tags)
    demo_bot.tap("U1", demo_bot.choice(f"#{tags[0]}"))
    assert demo_bot.last_cards() and f"「{tags[0]}」" in demo_bot.last_text()
    demo_bot.send_text("U1", ZERO_HIT_WORD)
    demo_bot.tap("U1", demo_bot.choice("特集記事"))
    assert {c.label for c in demo_bot.last_cards()} == {"特集記事"}


def test_hostile_texts_get_sensible_replies(demo_bot, caplog):
    with caplog.at_level(logging.ERROR):
        for text in HOSTILE:
            response = demo_bot.send_text("U1", text)  # the adapter also validates every limit
            assert response.messages, text
            assert demo_bot.last_text() not in (wording.FAILURE, wording.SEARCH_FAILURE), text
            answered = any(isinstance(m, Cards) for m in response.messages)
            assert answered or "見つかりませんでした" in demo_bot.last_text() or demo_bot.last_text() == wording.EMPTY
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_broken_search_gets_an_apology_not_an_error(bot, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(search_service, "search", broken)
    bot.send_text("U1", "旋盤")
    assert bot.last_text() == wording.SEARCH_FAILURE and "新着" in bot.last_labels()
    bot.send_text("U1", "新着")  # the session is still usable afterwards
    assert "まだ記事がありません" in bot.last_text()


def test_a_query_no_article_answers_gets_an_honest_zero_hit_reply(demo_bot):
    """「ふがふがぴよ123」 once got 「…に関する記事が3件見つかりました」 for dates holding 12 and 23."""
    for query in ("ふがふがぴよ123", "あいうえおかきくけこ", "サッカー"):
        demo_bot.send_text("U1", query)
        assert "見つかりませんでした" in demo_bot.last_text() and not demo_bot.last_cards(), query
        assert CATEGORIES["feature"] in demo_bot.last_labels()
