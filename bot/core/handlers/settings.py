"""Follow / unfollow, persona and topic subscriptions (受信設定)."""
from __future__ import annotations

from bot.core import menus, wording
from bot.core.turn import Turn
from messages.limits import action
from messages.replies import BotResponse, Card, Cards, Text
from notifications import subscriptions
from notifications.models import Subscriber
from notifications.topics import PERSONA_DEFAULT_TOPICS, PERSONAS, TOPICS


def _subscriber(turn: Turn) -> Subscriber:
    """The sender's subscriber row; an explicit settings action also re-activates a blocked one."""
    message = turn.message
    subscriber = subscriptions.get_or_create_subscriber(
        turn.session, turn.channel, turn.user_id, message.display_name, message.inflow_source
    )
    subscriptions.reactivate(subscriber)
    return subscriber


def _kpi_service():
    """KPI recording (follow / re-follow / unfollow counts), when the KPI module is installed."""
    try:
        from kpi import service
    except ModuleNotFoundError as exc:
        if exc.name != "kpi.service":
            raise
        return None
    return service


def follow(turn: Turn) -> BotResponse:
    message = turn.message
    result = subscriptions.follow(
        turn.session, turn.channel, turn.user_id, message.display_name, message.inflow_source
    )
    kpi = _kpi_service()
    if kpi is not None:
        kpi.record_follow_result(turn.session, result)
    subscriber = result.subscriber
    if result.state == "new" or subscriber.persona is None:
        welcome = wording.welcome(message.display_name, subscriber.topics)
        return BotResponse([Text(welcome)], menus.welcome_choices())
    return BotResponse([Text(wording.welcome_back(subscriber.topics))], menus.main_menu())


def unfollow(turn: Turn) -> BotResponse:
    """Blocked users cannot be answered: record it and stay silent."""
    was_active = _is_active(turn)
    subscriber = subscriptions.unfollow(turn.session, turn.channel, turn.user_id)
    kpi = _kpi_service()
    if kpi is not None and was_active:  # a redelivered unfollow is not a second block
        kpi.record_unfollow(turn.session, subscriber)
    return BotResponse()


def _is_active(turn: Turn) -> bool:
    subscriber = subscriptions.find_subscriber(turn.session, turn.channel, turn.user_id)
    return subscriber is not None and subscriber.status == subscriptions.ACTIVE


def show_settings(turn: Turn) -> BotResponse:
    subscriber = _subscriber(turn)
    if subscriber.persona is None and not subscriber.topics:
        return ask_persona(turn)
    text = wording.settings_overview(subscriber.persona, subscriber.topics)
    response = BotResponse([Text(text)], menus.settings_choices(subscriber.persona, subscriber.topics))
    form = settings_form_card(turn)
    if form is not None:
        response.add(form)
    return response


def settings_form_card(turn: Turn) -> Cards | None:
    """A button that opens the 受信設定 form inside the chat app (LINE: LIFF), when there is one."""
    url = turn.form_url("settings")
    if url is None:
        return None
    card = Card(title="受信設定をまとめて変える", url=url, body="届く情報・お子さまの学年・届く時間帯を1画面で選べます。",
                button_label="設定画面を開く")
    return Cards((card,), alt_text="受信設定をまとめて変える")


def ask_persona(turn: Turn) -> BotResponse:
    subscriber = _subscriber(turn)
    return BotResponse([Text(wording.PERSONA_QUESTION)], menus.persona_choices(subscriber.persona))


def choose_persona(turn: Turn, persona: str) -> BotResponse | None:
    if persona not in PERSONAS:
        return None
    subscriber = _subscriber(turn)
    topics = subscriptions.set_persona(turn.session, subscriber, persona)
    text = wording.persona_set(persona, topics)
    # A persona change keeps chosen topics; offer the new persona's defaults when they differ.
    differs = topics != set(PERSONA_DEFAULT_TOPICS[persona])
    extra = [action("おすすめ設定にする", "reset", display_text="おすすめ設定にする")] if differs else []
    return BotResponse([Text(text)], extra + menus.main_menu())


def set_topic(turn: Turn, topic: str, value: str) -> BotResponse | None:
    if topic not in TOPICS or value not in ("0", "1"):
        return None
    subscriber = _subscriber(turn)
    on = subscriptions.set_topic(turn.session, subscriber, topic, value == "1")
    text = wording.topic_changed(topic, on, subscriber.topics)
    return BotResponse([Text(text)], menus.settings_choices(subscriber.persona, subscriber.topics))


def reset_topics(turn: Turn) -> BotResponse:
    subscriber = _subscriber(turn)
    if subscriber.persona is None:
        return ask_persona(turn)
    topics = subscriptions.set_persona(turn.session, subscriber, subscriber.persona, reset=True)
    text = wording.topics_reset(subscriber.persona, topics)
    return BotResponse([Text(text)], menus.settings_choices(subscriber.persona, topics))


def close_settings(turn: Turn) -> BotResponse:
    subscriber = subscriptions.find_subscriber(turn.session, turn.channel, turn.user_id)
    topics = subscriber.topics if subscriber is not None else set()
    return BotResponse([Text(f"設定はこのままで大丈夫です。\n\n{wording.topic_lines(topics)}")], menus.main_menu())
