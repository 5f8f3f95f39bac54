"""The LINE registration conversation through the real engine (FakeAdapter): flow, tamper, replay."""
from __future__ import annotations

import pytest
from events_helpers import apply, make_event, registrations

from bot.core.testing import FakeAdapter
from events import drafts
from events.models import RegistrationDraft
from messages import postback


@pytest.fixture
def bot(app, session):
    return FakeAdapter(session, app.config)


@pytest.fixture
def listed_workshop(session):
    return make_event(session, kind="workshop", capacity=10, article=True, title="ミニ万華鏡をつくろう")


def start(bot, user="U1"):
    bot.send_text(user, "ワークショップ")
    return bot.tap(user, bot.choice("申し込む"))


def run_conversation(bot, user="U1", adults="1人", kids="2人"):
    start(bot, user)
    bot.tap(user, bot.choice(adults))
    bot.tap(user, bot.choice(kids))
    bot.send_text(user, "大田 花子")
    bot.send_text(user, "hanako@example.jp")
    bot.tap(user, bot.choice("同意する"))
    return bot.tap(user, bot.choice("申し込む"))


def test_full_conversation_registers_once(bot, listed_workshop):
    response = start(bot)
    assert "ミニ万華鏡をつくろう" in bot.last_text() and "残り10席" in bot.last_text()
    assert "大人（保護者）の人数" in bot.last_text()
    bot.tap("U1", bot.choice("2人"))
    assert "お子さまの人数" in bot.last_text()
    bot.tap("U1", bot.choice("3人"))
    assert "お名前" in bot.last_text()
    bot.send_text("U1", "大田 花子")
    bot.send_text("U1", "03-1234-5678")
    assert "利用目的" in bot.last_text() and bot.last_confirm() is not None
    bot.tap("U1", bot.choice("同意する"))
    assert "大人2名・子ども3名" in bot.last_text() and "0312345678" in bot.last_text()
    bot.tap("U1", bot.choice("申し込む"))
    assert "お申し込みが確定しました" in bot.last_text()
    (registration,) = registrations()
    assert (registration.person_key, registration.channel, registration.status) == ("line:U1", "line", "confirmed")
    assert (registration.adults, registration.children, registration.name) == (2, 3, "大田 花子")
    assert registration.consented_at is not None
    card = bot.last_cards()[0]
    assert card.url.startswith("http://testserver.local/r/")
    assert response is not None


def test_replayed_confirmation_does_not_register_twice(bot, session, listed_workshop):
    start(bot)
    bot.tap("U1", bot.choice("1人"))
    bot.tap("U1", bot.choice("0人"))
    bot.send_text("U1", "大田 花子")
    bot.send_text("U1", "hanako@example.jp")
    bot.tap("U1", bot.choice("同意する"))
    confirm = bot.choice("申し込む")
    bot.tap("U1", confirm)
    bot.tap("U1", confirm)  # LINE redelivers, or the user taps the old button again
    assert "すでに受け付けています" in bot.last_text()
    assert len(registrations()) == 1
    session.expire_all()
    draft = session.query(RegistrationDraft).one()
    assert draft.step == "done" and draft.name is None and draft.contact is None  # answers dropped


def test_the_same_user_cannot_register_twice(bot, listed_workshop):
    run_conversation(bot)
    start(bot)
    assert "すでにお申し込み済み" in bot.last_text()
    assert len(registrations()) == 1


@pytest.mark.parametrize("change", [
    {"i": "999"},  # another draft / event id
    {"v": "9"},  # a value that was never offered
    {"g": "forged-signature"},
    {"g": None},
])
def test_tampered_postbacks_are_refused(bot, listed_workshop, change):
    start(bot)
    original = postback.decode(bot.choice("1人").data)
    params = {**original.params, **change}
    forged = postback.encode(original.action, **params)
    bot.postback("U1", forged)
    assert "ボタンの内容を確認できませんでした" in bot.last_text()


def test_a_button_from_another_users_chat_is_refused(bot, listed_workshop):
    start(bot, "U1")
    stolen = bot.choice("1人")
    start(bot, "U2")
    bot.tap("U2", stolen)
    assert "ボタンの内容を確認できませんでした" in bot.last_text()


def test_typed_counts_are_checked(bot, listed_workshop):
    start(bot)
    for typed, expected in (("0", "1〜10"), ("-1", "数字で"), ("999", "1〜10"), ("たくさん", "数字で")):
        bot.send_text("U1", typed)
        assert expected in bot.last_text(), typed
    bot.send_text("U1", "２人")
    assert "お子さまの人数" in bot.last_text()
    bot.send_text("U1", "9")  # the party rule of events.party: the same words as the web form and Discord
    assert "1回のお申し込みは大人と子どもあわせて10人までです（いまは11人です）" in bot.last_text()
    assert "大人（保護者）の人数" in bot.last_text()  # asked again from the first count


def test_bad_names_and_contacts_are_asked_again(bot, listed_workshop):
    start(bot)
    bot.tap("U1", bot.choice("1人"))
    bot.tap("U1", bot.choice("1人"))
    bot.send_text("U1", "😀")
    assert "絵文字や記号は使えません" in bot.last_text()
    bot.send_text("U1", "あ" * 101)
    assert "100文字以内" in bot.last_text()
    bot.send_text("U1", "大田 花子")
    bot.send_text("U1", "よろしく")
    assert "電話番号は" in bot.last_text()
    assert registrations() == []


def test_stopping_discards_the_answers(bot, session, listed_workshop):
    start(bot)
    bot.tap("U1", bot.choice("1人"))
    bot.tap("U1", bot.choice("やめる"))
    assert "お申し込みをやめました" in bot.last_text()
    assert session.query(RegistrationDraft).count() == 0


def test_commands_still_work_in_the_middle(bot, listed_workshop):
    start(bot)
    bot.send_text("U1", "ヘルプ")
    assert "このアカウントでできること" in bot.last_text()
    bot.send_text("U1", "2")  # the question is still waiting
    assert "お子さまの人数" in bot.last_text()


def test_full_event_registers_on_the_waitlist(bot, listed_workshop):
    apply(listed_workshop, "other", adults=4, children=6)
    start(bot)
    assert "キャンセル待ち" in bot.last_text()
    run_conversation(bot)
    assert "キャンセル待ち（1番目）" in bot.last_text()


def test_my_registrations_lists_and_cancels(bot, listed_workshop):
    run_conversation(bot)
    bot.send_text("U1", "予約確認")
    assert "1件" in bot.last_text()
    bot.tap("U1", bot.choice("キャンセルする"))
    assert bot.last_confirm() is not None
    ask = bot.last_confirm().yes
    bot.tap("U1", ask)
    assert "キャンセルしました" in bot.last_text()
    bot.tap("U1", ask)  # replay
    assert "すでにキャンセル済み" in bot.last_text()
    assert [r.status for r in registrations()] == ["cancelled"]
    bot.send_text("U1", "予約確認")
    assert "ありません" in bot.last_text()


def test_someone_elses_registration_cannot_be_cancelled(bot, app, listed_workshop):
    victim = apply(listed_workshop, "U-victim")
    from events.chat_actions import reg_choice

    forged = reg_choice(app.config, "line:U-attacker", "キャンセル", "cancel", victim.id, 1)
    bot.tap("U-attacker", forged)  # signed for the attacker, but not their registration
    assert "見つかりませんでした" in bot.last_text()
    assert registrations()[0].status == "confirmed"


def test_data_deletion_erases_registrations_and_drafts(bot, session, listed_workshop):
    run_conversation(bot)
    start(bot, "U1")  # shows "already registered"; start another draft on a second event
    bot.send_text("U1", "データ削除")
    bot.tap("U1", bot.choice("削除する"))
    (registration,) = registrations()
    assert registration.status == "cancelled" and registration.name is None and registration.contact is None
    assert registration.person_key == f"line:purged-{registration.id}"
    assert session.query(RegistrationDraft).count() == 0


def test_expired_draft_buttons_are_stale(bot, session, listed_workshop):
    start(bot)
    button = bot.choice("1人")
    draft = session.query(RegistrationDraft).one()
    draft.expires_at = draft.created_at
    session.commit()
    bot.tap("U1", button)
    assert "期限切れ" in bot.last_text()
    assert drafts.current(session, "line", "U1") is None
