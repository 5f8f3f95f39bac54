"""BotResponse → LINE messages: every documented limit holds, and the stand-in
(which validates against messaging-api.yml) accepts the result."""
from __future__ import annotations

import json

import pytest
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ValidateMessageRequest

from bot.line import limits
from bot.line.render import render
from messages.replies import BotResponse, Card, Cards, Choice, Confirm, Text
from tests.bot.line.line_helpers import ACCESS_TOKEN

URL = "https://testserver.local/r/token"


def card(i: int = 0, **overrides) -> Card:
    values = {"title": f"町工場の記事 {i}", "url": f"{URL}{i}", "label": "特集記事", "body": "旋盤の話。",
              "image_url": f"https://testserver.local/media/{i}-800.jpg"}
    values.update(overrides)
    return Card(**values)


def accepted_by_line(line, messages: list[dict]) -> None:
    """Send the messages to the stand-in's validate endpoint; fail on any violation."""
    config = Configuration(host=line.base_url, access_token=ACCESS_TOKEN)
    with ApiClient(config) as client:
        MessagingApi(client).validate_reply(ValidateMessageRequest.from_dict({"messages": messages}))
    assert line.validation_errors == []


def test_text_is_cut_to_5000_utf16_units_without_splitting_an_emoji(line):
    [message] = render(BotResponse([Text("🏭" * 2600)]))
    assert limits.utf16_len(message["text"]) <= 5000
    assert message["text"].endswith("…") and "\ud83c" not in message["text"]
    accepted_by_line(line, [message])


def test_text_at_the_limit_is_kept_whole():
    text = "あ" * 4998 + "😀"
    assert render(BotResponse([Text(text)]))[0]["text"] == text


def test_empty_texts_are_not_sent():
    assert render(BotResponse([Text("  "), Text("こんにちは")])) == [{"type": "text", "text": "こんにちは"}]


def test_cards_become_a_carousel_of_at_most_twelve_bubbles(line):
    [message] = render(BotResponse([Cards(tuple(card(i) for i in range(15)), "新着記事 " * 400)]))
    assert message["type"] == "flex" and message["contents"]["type"] == "carousel"
    bubbles = message["contents"]["contents"]
    assert len(bubbles) == 12
    assert limits.utf16_len(message["altText"]) <= 1500
    first = bubbles[0]
    assert first["hero"]["aspectRatio"] == "20:13" and first["hero"]["aspectMode"] == "cover"
    chip = first["body"]["contents"][0]["contents"][0]
    assert chip["contents"][0]["text"] == "特集記事" and chip["backgroundColor"].startswith("#")
    assert first["footer"]["contents"][0]["action"] == {"type": "uri", "label": "記事を読む", "uri": f"{URL}0"}
    accepted_by_line(line, [message])


def test_images_not_served_over_https_are_left_out():
    [message] = render(BotResponse([Cards((card(image_url="http://insecure.local/a.jpg"), card(1)), "記事")]))
    bubbles = message["contents"]["contents"]
    assert "hero" not in bubbles[0] and "hero" in bubbles[1]


def test_cards_without_a_usable_link_are_dropped():
    out = render(BotResponse([Cards((card(url="javascript:alert(1)"),), "記事")]))
    assert out == []


def test_huge_cards_stay_under_the_flex_size_limits(line):
    big = tuple(card(i, title="長" * 500, body="文" * 20000, button_label="読む" * 30,
                     extra_buttons=(Choice("保存" * 30, data="a=site"), Choice("x" * 50, text="y" * 1000)))
                for i in range(12))
    [message] = render(BotResponse([Cards(big, "大きな記事")]))
    size = len(json.dumps(message["contents"], ensure_ascii=False).encode())
    assert size <= limits.CAROUSEL_BYTES_MAX
    accepted_by_line(line, [message])


def test_quick_replies_ride_on_the_last_message_within_limits(line):
    choices = [Choice(f"とても長いラベルの選択肢その{i}です", data=f"a=topic&t=news&v={i}") for i in range(20)]
    choices.append(Choice("リンク", url=URL))  # LINE quick replies cannot open links
    response = BotResponse([Text("一"), Text("二")], choices)
    first, last = render(response)
    assert "quickReply" not in first
    items = last["quickReply"]["items"]
    assert len(items) == 13
    assert all(limits.utf16_len(i["action"]["label"]) <= 20 for i in items)
    assert all(i["action"]["type"] == "postback" for i in items)
    accepted_by_line(line, [first, last])


def test_postback_data_over_300_is_never_sent():
    response = BotResponse([Text("選んでください")], [Choice("長い", data="a=search&q=" + "x" * 400),
                                                      Choice("短い", data="a=latest")])
    [message] = render(response)
    assert [i["action"]["data"] for i in message["quickReply"]["items"]] == ["a=latest"]


def test_no_more_than_five_messages(line):
    messages = render(BotResponse([Text(str(i)) for i in range(8)], [Choice("次", text="次")]))
    assert [m["text"] for m in messages] == ["0", "1", "2", "3", "4"]
    assert "quickReply" in messages[-1]
    accepted_by_line(line, messages)


def test_confirm_becomes_a_confirm_template_within_limits(line):
    [message] = render(BotResponse([Confirm("本当に削除しますか？" * 40, Choice("はい", data="a=erase&v=1"),
                                            Choice("いいえ", data="a=erase&v=0"))]))
    template = message["template"]
    assert template["type"] == "confirm" and limits.utf16_len(template["text"]) <= 240
    assert [a["label"] for a in template["actions"]] == ["はい", "いいえ"]
    accepted_by_line(line, [message])


@pytest.mark.parametrize("label", ["", "　", "ラ" * 21])
def test_labels_are_never_empty_or_too_long(label):
    [message] = render(BotResponse([Text("x")], [Choice(label, text="ok")]))
    shown = message["quickReply"]["items"][0]["action"]["label"]
    assert shown.strip() and limits.utf16_len(shown) <= 20


def test_an_http_base_url_is_reported_once_at_start(database_url, tmp_path, line, caplog):
    import logging

    from testkit import make_test_app
    from tests.bot.line.line_helpers import line_config
    from web.app import log_channel_status

    for base_url, expected in (("http://192.0.2.10:8000", 1), ("https://testserver.local", 0)):
        app = make_test_app(database_url, tmp_path / base_url[:5], **{**line_config(line), "BASE_URL": base_url})
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="web.app"):
            log_channel_status(app)
        warnings = [r.getMessage() for r in caplog.records if "photos" in r.getMessage()]
        assert len(warnings) == expected, warnings
        if expected:
            assert warnings == [f"LINE messages are sent without photos: BASE_URL {base_url} is not https "
                                "and LINE loads images over HTTPS only"]
