"""notifications.subscriptions: one subscription model for every channel."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notifications import subscriptions as subs
from notifications.models import Subscriber, Subscription
from notifications.topics import PERSONA_DEFAULT_TOPICS


def _targets(session, topics, **filters) -> list[str]:
    return [row.external_id for row in session.execute(subs.active_subscribers_for_topics(session, topics, **filters))]


def test_follow_creates_an_active_subscriber(session):
    result = subs.follow(session, "line", "U1", display_name="花子", inflow_source="qr-poster")
    assert result.state == "new"
    assert (result.subscriber.status, result.subscriber.display_name, result.subscriber.inflow_source) == (
        "active", "花子", "qr-poster")
    assert result.subscriber.followed_at is not None
    assert subs.follow(session, "line", "U1").state == "already"


def test_same_external_id_on_two_channels_is_two_subscribers(session):
    a = subs.get_or_create_subscriber(session, "line", "123")
    b = subs.get_or_create_subscriber(session, "discord", "123")
    assert a.id != b.id and subs.get_or_create_subscriber(session, "line", "123").id == a.id


@pytest.mark.parametrize("channel, external_id", [("", "U1"), ("line", ""), ("x" * 21, "U1"), ("line", "U" * 101)])
def test_bad_identities_are_refused(session, channel, external_id):
    with pytest.raises(ValueError):
        subs.get_or_create_subscriber(session, channel, external_id)


def test_first_persona_applies_its_default_topics(session):
    subscriber = subs.get_or_create_subscriber(session, "line", "U1")
    assert subs.set_persona(session, subscriber, "parent") == set(PERSONA_DEFAULT_TOPICS["parent"])
    assert "workshops" in subscriber.topics


def test_changing_persona_keeps_chosen_topics_unless_reset(session):
    subscriber = subs.get_or_create_subscriber(session, "line", "U1")
    subs.set_persona(session, subscriber, "parent")
    subs.set_topic(session, subscriber, "tours", True)
    chosen = subscriber.topics
    assert subs.set_persona(session, subscriber, "student") == chosen and subscriber.persona == "student"
    assert subs.set_persona(session, subscriber, "student", reset=True) == set(PERSONA_DEFAULT_TOPICS["student"])


def test_unknown_persona_or_topic_is_refused(session):
    subscriber = subs.get_or_create_subscriber(session, "line", "U1")
    with pytest.raises(ValueError):
        subs.set_persona(session, subscriber, "admin")
    with pytest.raises(ValueError):
        subs.set_topic(session, subscriber, "spam", True)
    with pytest.raises(ValueError):
        subs.set_topics(session, subscriber, ["news", "spam"])
    assert subscriber.topics == set()


def test_toggle_and_explicit_set(session):
    subscriber = subs.get_or_create_subscriber(session, "line", "U1")
    assert subs.toggle_topic(session, subscriber, "news") is True
    assert subs.toggle_topic(session, subscriber, "news") is False
    subs.set_topic(session, subscriber, "tours", True)
    subs.set_topic(session, subscriber, "tours", True)  # replay changes nothing
    session.commit()
    count = session.scalar(select(func.count()).select_from(Subscription).where(Subscription.subscriber_id == subscriber.id))
    assert subscriber.topics == {"tours"} and count == 1


def test_unfollow_blocks_and_keeps_settings_for_refollow(session):
    subscriber = subs.follow(session, "line", "U1").subscriber
    subs.set_persona(session, subscriber, "parent")
    session.commit()
    blocked = subs.unfollow(session, "line", "U1")
    assert blocked.status == "blocked" and blocked.unfollowed_at is not None
    session.commit()
    result = subs.follow(session, "line", "U1")
    assert result.state == "restored"
    assert result.subscriber.status == "active" and result.subscriber.unfollowed_at is None
    assert result.subscriber.persona == "parent" and "workshops" in result.subscriber.topics


def test_unfollow_of_an_unknown_user_stores_nothing(session):
    assert subs.unfollow(session, "line", "Unever") is None
    assert session.scalar(select(func.count()).select_from(Subscriber)) == 0


def test_active_subscribers_for_topics_is_a_select_excluding_blocked(session):
    for user, persona in (("U1", "parent"), ("U2", "student"), ("U3", "parent")):
        subs.set_persona(session, subs.follow(session, "line", user).subscriber, persona)
    subs.set_persona(session, subs.follow(session, "discord", "D1").subscriber, "parent")
    subs.unfollow(session, "line", "U3")
    session.commit()
    query = subs.active_subscribers_for_topics(session, ["workshops"])
    assert hasattr(query, "compile") and not isinstance(query, list)
    assert _targets(session, ["workshops"]) == ["U1", "D1"]
    assert _targets(session, ["workshops"], channel="line") == ["U1"]
    assert sorted(_targets(session, ["workshops", "tours"])) == ["D1", "U1", "U2"]  # each once
    assert _targets(session, ["tours", "workshops"], personas=["student"]) == ["U2"]
    assert _targets(session, []) == []


def test_erase_subscriber_removes_row_and_topics(session):
    subscriber = subs.follow(session, "line", "U1").subscriber
    subs.set_persona(session, subscriber, "parent")
    session.commit()
    assert subs.erase_subscriber(session, "line", "U1") is True
    session.commit()
    assert subs.find_subscriber(session, "line", "U1") is None
    assert session.scalar(select(func.count()).select_from(Subscription)) == 0
    assert subs.erase_subscriber(session, "line", "U1") is False


def test_creating_a_subscriber_another_process_just_created_is_not_an_error(app, session):
    from core.db import db

    other = db.new_session()
    subs.get_or_create_subscriber(other, "line", "Urace")
    other.commit()
    other.close()
    values = {"channel": "line", "external_id": "Urace", "display_name": "", "status": "active"}
    subs._insert_if_missing(session, values)  # the losing side of the race: silently nothing
    session.commit()
    assert session.scalar(select(func.count()).select_from(Subscriber)) == 1


def _lookups(session, run) -> int:
    """SELECTs on subscribers while ``run`` runs."""
    from sqlalchemy import event

    seen = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT") and "FROM subscribers" in statement:
            seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_a_remembering_session_finds_a_user_once_per_transaction(session):
    subs.get_or_create_subscriber(session, "line", "U1")
    session.commit()
    subs.remember_subscribers(session)
    found = []
    assert _lookups(session, lambda: found.extend(subs.find_subscriber(session, "line", "U1") for _ in range(3))) == 1
    assert found[0] is found[1] is found[2]
    session.commit()  # a new transaction looks again (the row may have changed meanwhile)
    assert _lookups(session, lambda: subs.find_subscriber(session, "line", "U1")) == 1
    assert subs.erase_subscriber(session, "line", "U1")
    assert subs.find_subscriber(session, "line", "U1") is None  # deleted in this session: not remembered
    session.rollback()
    assert subs.find_subscriber(session, "line", "U1") is not None  # the deletion was rolled back


def test_sessions_that_do_not_ask_remember_nothing(session):
    subs.get_or_create_subscriber(session, "line", "U1")
    assert _lookups(session, lambda: [subs.find_subscriber(session, "line", "U1") for _ in range(2)]) == 2
