"""Postback payloads and the limit helpers every reply goes through."""
from __future__ import annotations

import pytest

from bot.core.testing import violations
from messages import limits, postback
from messages.replies import BotResponse, Card, Cards, Choice, Confirm, Text


def test_payload_round_trip_keeps_japanese_compact():
    data = postback.encode("search", q="ワークショップ & 親子=OK", p=2)
    assert len(data) < 60
    decoded = postback.decode(data)
    assert decoded.action == "search"
    assert decoded.params == {"q": "ワークショップ & 親子=OK", "p": "2"}


def test_encode_refuses_payloads_over_300_characters():
    with pytest.raises(ValueError):
        postback.encode("search", q="あ" * 300)


def test_encode_fitting_shortens_the_text_until_it_fits():
    data = postback.encode_fitting("search", "q", "旋盤" * 200, p=2)
    assert data is not None and len(data) <= 300
    assert postback.decode(data).get("q").startswith("旋盤旋盤")


@pytest.mark.parametrize("data", [
    None, "", "a", "=", "a=", "a=topic&a=topic", "a=topic&" + "x=1&" * 20, "a=ト", "%ff%fe=1", "a=1abc",
    "a=search&q=" + "x" * 400, "&&&", "a=top%00ic", 12345, "a=topic&\u30c6=1",
])
def test_malformed_payloads_decode_to_none(data):
    assert postback.decode(data) is None


def test_labels_are_cut_to_20_characters():
    assert len(limits.label("とても長いラベルのテキストで二十文字を超えてしまうもの")) == 20
    assert limits.label("短い") == "短い"


def test_fit_text_counts_utf16_units():
    fitted = limits.fit_text("😀" * 3000)
    assert limits.utf16_len(fitted) <= limits.MAX_TEXT_UTF16
    assert limits.fit_text("ok") == "ok"


def test_quick_replies_are_capped_deduplicated_and_never_links():
    choices = [limits.action(f"選択{i}", "latest") for i in range(20)]
    choices += [choices[0], None, limits.link("サイト", "https://example.org/")]
    kept = limits.quick_replies(choices)
    assert len(kept) == 13 and len({c.label for c in kept}) == 13
    assert all(c.url is None for c in kept)


def test_carousel_is_capped_at_10_cards():
    cards = [Card(title=f"記事{i}", url="https://example.org/r/x") for i in range(15)]
    assert len(limits.carousel(cards, "新着").cards) == 10


def test_validator_accepts_a_good_response():
    ok = BotResponse([Text("こんにちは")], [limits.action("新着", "latest")])
    assert violations(ok) == []


@pytest.mark.parametrize("response, fragment", [
    (BotResponse([Text("x")], [Choice(label="あ" * 21, data="a=latest")]), "label"),
    (BotResponse([Text("x")], [Choice(label="ok", data="a=search&q=" + "x" * 300)]), "postback data"),
    (BotResponse([Text("x")], [Choice(label=f"l{i}", data="a=latest") for i in range(14)]), "quick replies"),
    (BotResponse([Text("x")], [Choice(label="ok", url="https://example.org")]), "cannot open URLs"),
    (BotResponse([Text("x")], [Choice(label="ok", data="a=latest", text="x")]), "exactly one"),
    (BotResponse([Text("")]), "text"),
    (BotResponse([Text("😀" * 2501)]), "UTF-16"),
    (BotResponse([Text("x")] * 6), "messages"),
    (BotResponse([Cards(tuple(Card(title="t", url="https://e.org") for _ in range(11)), "alt")]), "cards"),
    (BotResponse([Cards((Card(title="t", url="/relative"),), "alt")]), "absolute"),
    (BotResponse([Cards((Card(title="t", url="https://e.org"),), "")]), "alt_text"),
    (BotResponse([Confirm("x" * 241, Choice("はい", data="a=erase&v=1"), Choice("いいえ", data="a=erase&v=0"))]), "confirm"),
    (BotResponse([], [Choice(label="ok", data="a=latest")]), "attach"),
])
def test_validator_reports_each_broken_limit(response, fragment):
    assert any(fragment in problem for problem in violations(response)), violations(response)
