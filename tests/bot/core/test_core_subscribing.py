"""Follow → persona → defaults, 受信設定 toggles, replays, unfollow / re-follow, through the fake adapter."""
from __future__ import annotations

from notifications import subscriptions as subs
from notifications.topics import DEFAULT_TOPICS, PERSONA_DEFAULT_TOPICS, PERSONAS


def _subscriber(session, user="U1"):
    return subs.find_subscriber(session, "line", user)


def _targets(session, topics):
    return [row.external_id for row in session.execute(subs.active_subscribers_for_topics(session, topics))]


def test_follow_welcomes_and_offers_personas(bot, session):
    bot.follow("U1", display_name="花子", inflow_source="poster")
    assert "花子さん" in bot.last_text() and "友だち追加ありがとうございます" in bot.last_text()
    assert bot.last_labels() == [*PERSONAS.values(), "受信設定を変える"]
    assert all(c.data.startswith("a=persona&p=") for c in bot.last_choices()[:-1])
    subscriber = _subscriber(session)
    assert subscriber.status == "active" and subscriber.inflow_source == "poster"
    assert subscriber.topics == set(DEFAULT_TOPICS)  # a friend who never chooses still hears from us


def test_parent_persona_turns_workshops_on_and_says_so(bot, session):
    bot.follow("U1")
    bot.tap("U1", bot.choice("保護者"))
    assert _subscriber(session).topics == set(PERSONA_DEFAULT_TOPICS["parent"])
    assert "workshops" in _subscriber(session).topics
    assert "「保護者」で設定しました" in bot.last_text()
    assert "子ども向け体験教室（保護者向け）" in bot.last_text()
    assert "U1" in _targets(session, ["workshops"])


def test_persona_replay_is_idempotent(bot, session):
    bot.follow("U1")
    tap = bot.choice("学生")
    bot.tap("U1", tap)
    bot.send_text("U1", "受信設定")
    bot.tap("U1", bot.choice("特集記事を止める"))
    after_change = _subscriber(session).topics
    bot.tap("U1", tap)  # a redelivered / double-tapped persona postback
    assert _subscriber(session).topics == after_change and _subscriber(session).persona == "student"


def test_settings_show_state_and_toggle_with_explicit_values(bot, session):
    bot.follow("U1")
    bot.tap("U1", bot.choice("保護者"))
    bot.send_text("U1", "受信設定を見せて")
    assert "✅ 子ども向け体験教室（保護者向け）" in bot.last_text() and "⬜ 企業見学会" in bot.last_text()
    turn_on = bot.choice("企業見学会を受け取る")
    assert turn_on.data == "a=topic&t=tours&v=1"
    bot.tap("U1", turn_on)
    assert "「企業見学会」のお知らせを受け取るようにしました" in bot.last_text()
    assert "・企業見学会" in bot.last_text()  # always confirms what is now on
    assert bot.choice("企業見学会を止める").data == "a=topic&t=tours&v=0"
    bot.tap("U1", turn_on)  # replay: still on, not flipped back
    assert "tours" in _subscriber(session).topics


def test_turning_everything_off_is_confirmed(bot, session):
    bot.follow("U1")
    bot.tap("U1", bot.choice("その他"))
    for topic in PERSONA_DEFAULT_TOPICS["other"]:
        bot.postback("U1", f"a=topic&t={topic}&v=0")
    assert _subscriber(session).topics == set()
    assert "いま受け取るお知らせはありません" in bot.last_text()


def test_persona_can_be_changed_later_and_defaults_restored(bot, session):
    bot.follow("U1")
    bot.tap("U1", bot.choice("学生"))
    bot.send_text("U1", "設定")
    bot.tap("U1", bot.choice("利用者タイプを変更"))
    assert "学生（選択中）" in bot.last_labels()
    bot.tap("U1", bot.choice("保護者"))
    assert _subscriber(session).persona == "parent"
    assert _subscriber(session).topics == set(PERSONA_DEFAULT_TOPICS["student"])  # choices kept…
    bot.tap("U1", bot.choice("おすすめ設定にする"))  # …until asked for the new defaults
    assert _subscriber(session).topics == set(PERSONA_DEFAULT_TOPICS["parent"])
    assert "おすすめ設定に戻しました" in bot.last_text()


def test_settings_before_any_persona_asks_for_one(bot, session):
    bot.send_text("U9", "通知")
    assert bot.last_labels() == list(PERSONAS.values())


def test_unfollow_blocks_silently_and_refollow_restores(bot, session):
    bot.follow("U1")
    bot.tap("U1", bot.choice("保護者"))
    bot.postback("U1", "a=topic&t=tours&v=1")
    settings_before = _subscriber(session).topics
    assert bot.unfollow("U1").is_empty
    assert _subscriber(session).status == "blocked"
    assert "U1" not in _targets(session, ["workshops", "tours"])
    bot.follow("U1")
    assert "おかえりなさい" in bot.last_text() and "・企業見学会" in bot.last_text()
    assert _subscriber(session).status == "active" and _subscriber(session).topics == settings_before
    assert "U1" in _targets(session, ["tours"])


def test_follow_redelivered_does_not_reset_anything(bot, session):
    bot.follow("U1")
    bot.tap("U1", bot.choice("求職中・転職"))
    bot.follow("U1")
    assert _subscriber(session).persona == "jobseeker"
    assert _subscriber(session).topics == set(PERSONA_DEFAULT_TOPICS["jobseeker"])


def test_done_closes_settings_with_a_summary(bot):
    bot.follow("U1")
    bot.tap("U1", bot.choice("保護者"))
    bot.send_text("U1", "受信設定")
    bot.tap("U1", bot.choice("完了"))
    assert "・地域のイベント" in bot.last_text() and "新着" in bot.last_labels()


def test_follow_and_unfollow_are_counted_for_kpis(bot, monkeypatch):
    from bot.core.handlers import settings

    recorded = []

    class Recorder:
        @staticmethod
        def record_follow_result(session, result):
            recorded.append(("follow", result.state))

        @staticmethod
        def record_unfollow(session, subscriber):
            recorded.append(("unfollow", subscriber.external_id))

    monkeypatch.setattr(settings, "_kpi_service", lambda: Recorder)
    bot.follow("U1")
    bot.unfollow("U1")
    bot.unfollow("U1")  # redelivered: not a second block
    bot.follow("U1")
    assert recorded == [("follow", "new"), ("unfollow", "U1"), ("follow", "restored")]
