"""Neutral replies → Discord payloads: every rule and every limit, including hostile input."""
from __future__ import annotations

import asyncio

import pytest

from bot.discord import customid
from bot.discord import limits as L
from bot.discord.layout import layout
from bot.discord.render import message_kwargs
from messages import postback
from messages.limits import action
from messages.replies import BotResponse, Card, Cards, Choice, Confirm, Text


def card(n: int, body: str = "本文", label: str = "特集記事", extra: tuple = (), image: bool = True) -> Card:
    return Card(title=f"記事{n}", url=f"https://example.jp/r/token{n}", label=label, body=body,
                image_url=f"https://example.jp/media/{n}.jpg" if image else None, extra_buttons=extra)


def menu(count: int) -> list[Choice]:
    return [action(f"選択肢{i}", "latest", c=f"c{i}") for i in range(count)]


def payloads(response: BotResponse) -> list[dict]:
    return [m.payload() for m in layout(response)]


def buttons(payload: dict) -> list[dict]:
    return [c for row in payload.get("components", []) for c in row["components"] if c["type"] == 2]


def selects(payload: dict) -> list[dict]:
    return [c for row in payload.get("components", []) for c in row["components"] if c["type"] == 3]


def test_text_becomes_content_and_cards_become_embeds_with_tracked_links():
    [message] = payloads(BotResponse([Text("新着記事です。"), Cards((card(1), card(2)), "新着")]))
    assert message["content"] == "新着記事です。"
    assert [e["title"] for e in message["embeds"]] == ["記事1", "記事2"]
    assert message["embeds"][0]["url"] == "https://example.jp/r/token1"
    assert message["embeds"][0]["author"] == {"name": "特集記事"}
    assert "thumbnail" in message["embeds"][0] and "image" not in message["embeds"][0]  # several cards: small images
    links = [b for b in buttons(message) if b["style"] == 5]
    assert [(b["label"], b["url"]) for b in links] == [("1. 記事1", "https://example.jp/r/token1"),
                                                      ("2. 記事2", "https://example.jp/r/token2")]


def test_single_card_gets_a_large_image_and_its_own_button_label():
    [message] = payloads(BotResponse([Cards((card(1),), "記事")]))
    assert message["embeds"][0]["image"] == {"url": "https://example.jp/media/1.jpg"}
    assert [(b["label"], b["style"]) for b in buttons(message)] == [("記事を読む", 5)]


def test_confirm_is_two_buttons_carrying_the_core_postbacks():
    confirm = Confirm("削除しますか？", yes=action("削除する", "erase", v=1), no=action("やめる", "erase", v=0))
    [message] = payloads(BotResponse([confirm]))
    assert message["content"] == "削除しますか？"
    assert [(b["label"], b["style"], b["custom_id"]) for b in buttons(message)] == [
        ("削除する", 1, "p:a=erase&v=1"), ("やめる", 2, "p:a=erase&v=0")]


def test_up_to_five_quick_replies_are_buttons_more_are_one_select_menu():
    [few] = payloads(BotResponse([Text("a")], menu(5)))
    assert len(buttons(few)) == 5 and not selects(few)
    [many] = payloads(BotResponse([Text("a")], menu(13)))
    [select] = selects(many)
    assert len(select["options"]) == 13 and select["custom_id"] == "s:0"
    assert select["options"][0] == {"label": "選択肢0", "value": "p:a=latest&c=c0"}


def test_text_choices_send_text_and_url_choices_become_link_buttons():
    extras = (Choice(label="旋盤で検索", text="旋盤"), Choice(label="地図", url="https://example.jp/map"))
    [message] = payloads(BotResponse([Cards((card(1, extra=extras),), "x")]))
    labels = {b["label"]: b for b in buttons(message)}
    assert labels["旋盤で検索"]["custom_id"] == "t:旋盤"
    assert labels["地図"]["url"] == "https://example.jp/map" and "custom_id" not in labels["地図"]


def test_card_actions_over_five_become_a_select_and_are_numbered_by_card():
    cards = tuple(card(i, extra=(action("申し込む", "reg", s="start", i=i),)) for i in range(1, 8))
    [message] = payloads(BotResponse([Cards(cards, "イベント")]))
    [select] = selects(message)
    assert [o["label"] for o in select["options"]][:2] == ["1. 申し込む", "2. 申し込む"]
    assert len({o["value"] for o in select["options"]}) == 7


def test_long_search_postbacks_are_shortened_to_fit_a_custom_id():
    word = "ものづくり" * 40  # 200 characters: fine for LINE's 300, too long for Discord's 100
    data = postback.encode_fitting("search", "q", word, p=2)
    assert len(data) > 100
    fitted = customid.for_choice(Choice(label="次の10件", data=data))
    assert fitted is not None and len(fitted) <= L.CUSTOM_ID
    parsed = postback.decode(customid.parse(fitted)[1])
    assert parsed.action == "search" and parsed.get("p") == "2" and word.startswith(parsed.get("q"))


def test_a_choice_that_cannot_fit_is_left_out_never_sent_too_long():
    long_other = Choice(label="長い", data="a=reg&s=x&v=" + "9" * 120)
    [message] = payloads(BotResponse([Text("本文")], [long_other, action("新着", "latest")]))
    assert [b["label"] for b in buttons(message)] == ["新着"]


HOSTILE = {
    "huge text": BotResponse([Text("あ" * 12000)]),
    "long titles and bodies": BotResponse([Cards(tuple(Card(title="題" * 500, url="https://e.jp/r/x", label="ラ" * 300,
                                                            body="本" * 5000) for _ in range(10)), "alt")]),
    "many replies": BotResponse([Text("x" * 1900), Cards(tuple(card(i, body="b" * 900) for i in range(10)), "a"),
                                 Text("y" * 1500), Confirm("z" * 300, yes=action("はい", "erase", v=1),
                                                            no=action("いいえ", "erase", v=0))], menu(30)),
    "empty": BotResponse([Text("   "), Cards((), "代わりの文")]),
    "duplicate choices": BotResponse([Confirm("q", yes=action("はい", "latest"), no=action("いいえ", "latest"))],
                                     [action("はい", "latest")] * 3),
}


@pytest.mark.parametrize("response", HOSTILE.values(), ids=HOSTILE.keys())
def test_every_message_stays_within_discords_limits(response):
    messages = payloads(response)
    assert messages, "something is always said"
    for message in messages:
        assert L.violations(message) == []


def test_overflow_starts_new_messages_instead_of_cutting_content():
    messages = payloads(HOSTILE["many replies"])
    assert len(messages) >= 2
    everything = "".join(m.get("content", "") for m in messages)
    assert "x" * 1900 in everything and "y" * 1500 in everything
    assert sum(len(m.get("embeds", [])) for m in messages) == 10
    assert selects(messages[-1]), "quick replies go with the last message"


def test_text_over_2000_characters_becomes_embed_descriptions():
    messages = payloads(HOSTILE["huge text"])
    descriptions = [e["description"] for m in messages for e in m.get("embeds", [])]
    assert "".join(descriptions) == "あ" * 12000 and all(len(d) <= 4096 for d in descriptions)


def test_empty_cards_fall_back_to_their_alt_text():
    [message] = payloads(HOSTILE["empty"])
    assert message == {"content": "代わりの文"}


def test_discord_py_objects_round_trip_to_the_same_payload():
    response = BotResponse([Text("見出し"), Cards((card(1, extra=(action("申し込む", "reg", s="start", i=1),)),),
                                                  "a")], menu(8))
    [outgoing] = layout(response)

    async def build():
        kwargs = message_kwargs(outgoing)
        return kwargs, kwargs["view"].to_components()
    kwargs, components = asyncio.run(build())
    assert [e.to_dict()["title"] for e in kwargs["embeds"]] == ["記事1"]
    sent = [[{k: v for k, v in c.items() if k in ("type", "custom_id", "url", "label")} for c in row["components"]]
            for row in components]
    expected = [[{k: v for k, v in c.items() if k in ("type", "custom_id", "url", "label")} for c in row["components"]]
                for row in outgoing.rows]
    assert sent == expected
