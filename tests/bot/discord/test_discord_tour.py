"""/tour: event select menu → form (modal) → consent → confirm, through the shared core and
``events.service`` — the same capacity, waitlist and duplicate rules as LINE and the web form."""
from __future__ import annotations

from sqlalchemy import select

from core.db import db
from events.models import Registration, RegistrationDraft
from notifications.models import Subscriber
from tests.bot.discord.discord_helpers import (
    OTHER_USER,
    USER,
    button,
    make_event,
    message_text,
    sent_payload_problems,
)

EPHEMERAL = 1 << 6
WORKSHOP_FORM = {"大人（保護者）の人数": "2", "子どもの人数": "1", "代表の方のお名前（受付で確認します）": "大田 花子",
                 "連絡先（メールアドレスか電話番号）": "hanako@example.jp"}
TOUR_FORM = {"参加する人数": "3", "代表の方のお名前（受付で確認します）": "蒲田 次郎",
             "連絡先（メールアドレスか電話番号）": "03-1234-5678"}


def registrations() -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(select(Registration).order_by(Registration.id)))


async def open_form(h, title: str, user_id: str = USER) -> dict:
    listing = await h.command("tour", "register", user_id=user_id)
    [menu] = h.replies(listing)
    picked = await h.choose(menu, title, user_id=user_id)
    response = h.state(picked)["response"]
    assert response["type"] == 9, f"expected a modal, got {response}"  # MODAL
    return response["data"]


async def register(h, title: str, answers: dict, user_id: str = USER) -> list[dict]:
    form = await open_form(h, title, user_id)
    submitted = await h.dispatch(h.modal_payload(form, answers, user_id=user_id))
    consent = h.replies(submitted)[-1]
    agreed = await h.click(consent, "同意する", user_id=user_id)
    confirmed = await h.click(h.replies(agreed)[-1], "申し込む", user_id=user_id)
    return h.replies(confirmed)


def test_register_for_a_workshop_end_to_end(app, session, run, standin):
    event = make_event(session, kind="workshop", capacity=10, title="ミニ万華鏡をつくろう")

    async def scenario(h):
        form = await open_form(h, "ミニ万華鏡")
        submitted = await h.dispatch(h.modal_payload(form, WORKSHOP_FORM))
        consent = h.replies(submitted)[-1]
        agreed = await h.click(consent, "同意する")
        summary = h.replies(agreed)[-1]
        confirmed = await h.click(summary, "申し込む")
        return form, message_text(consent), message_text(summary), h.replies(confirmed)
    form, consent, summary, done = run(scenario)

    assert form["title"] == "申し込み：ミニ万華鏡をつくろう" and len(form["components"]) == 4
    assert "利用目的" in consent and "同意する" in consent
    assert "大人2名・子ども1名" in summary and "hanako@example.jp" in summary
    assert "お申し込みが確定しました" in message_text(done[0]) and all(m["flags"] & EPHEMERAL for m in done)
    [registration] = registrations()
    assert (registration.event_id, registration.person_key, registration.status) == (event.id, f"discord:{USER}",
                                                                                      "confirmed")
    assert (registration.adults, registration.children, registration.contact) == (2, 1, "hanako@example.jp")
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.channel == "discord"))
    assert subscriber.external_id == USER  # reminders and offers can reach them by DM
    assert standin.validation_errors == [] and sent_payload_problems(standin) == []


def test_a_full_tour_puts_the_next_person_on_the_waitlist_like_line(app, session, run, standin):
    make_event(session, kind="tour", capacity=4, title="精密加工の工場見学")

    async def scenario(h):
        first = await register(h, "精密加工", TOUR_FORM)
        second = await register(h, "精密加工", {**TOUR_FORM, "参加する人数": "2",  # another person (another name)
                                                "代表の方のお名前（受付で確認します）": "池上 三郎"}, user_id=OTHER_USER)
        return message_text(first[0]), message_text(second[0])
    first, second = run(scenario)
    assert "確定" in first and "キャンセル待ち（1番目）" in second
    assert [(r.adults, r.status) for r in registrations()] == [(3, "confirmed"), (2, "waitlisted")]


def test_form_problems_are_listed_and_the_form_can_be_opened_again(app, session, run, standin):
    make_event(session, kind="workshop", capacity=10, title="ミニ万華鏡をつくろう")
    bad = {**WORKSHOP_FORM, "大人（保護者）の人数": "たくさん", "子どもの人数": "20",
           "代表の方のお名前（受付で確認します）": "🎉", "連絡先（メールアドレスか電話番号）": "nope"}

    async def scenario(h):
        form = await open_form(h, "ミニ万華鏡")
        submitted = await h.dispatch(h.modal_payload(form, bad))
        [problem] = h.replies(submitted)
        again = await h.click(problem, "入力し直す")
        return problem, h.state(again)["response"]
    problem, reopened = run(scenario)
    assert "人数は数字で入力してください" in problem["content"]
    assert "お名前に絵文字や記号は使えません" in problem["content"]
    assert "電話番号は市外局番から" in problem["content"]  # every field is checked, not just the first
    assert reopened["type"] == 9  # the form again
    assert registrations() == [] and db.session.scalars(select(RegistrationDraft)).all() == []


def test_children_are_limited_by_the_ten_person_rule(app, session, run, standin):
    make_event(session, kind="workshop", capacity=30, title="ミニ万華鏡をつくろう")

    async def scenario(h):
        form = await open_form(h, "ミニ万華鏡")
        submitted = await h.dispatch(h.modal_payload(form, {**WORKSHOP_FORM, "大人（保護者）の人数": "4",
                                                            "子どもの人数": "7"}))
        return h.replies(submitted)[0]["content"]
    assert "1回のお申し込みは大人と子どもあわせて10人までです（いまは11人です）" in run(scenario)  # events.party


def test_registering_twice_shows_the_existing_registration_instead_of_a_form(app, session, run, standin):
    make_event(session, kind="tour", capacity=10, title="精密加工の工場見学")

    async def scenario(h):
        await register(h, "精密加工", TOUR_FORM)
        listing = await h.command("tour", "register")
        picked = await h.choose(h.replies(listing)[0], "精密加工")
        return h.state(picked)["response"]["type"], message_text(h.replies(picked)[0])
    kind, text = run(scenario)
    assert kind == 4 and "すでにお申し込み済み" in text  # an answer, not a modal
    assert len(registrations()) == 1


def test_the_apply_button_on_an_event_card_opens_the_same_form_for_whoever_presses_it(app, session, run,
                                                                                        standin):
    make_event(session, kind="tour", capacity=10, title="精密加工の工場見学")

    async def scenario(h):
        listed = await h.command("events")  # shown publicly in the channel ...
        [reply] = h.replies(listed)
        pressed = await h.click(reply, "申し込む", user_id=OTHER_USER)  # ... pressed by someone else
        return h.state(pressed)["response"]
    response = run(scenario)
    assert response["type"] == 9 and "精密加工の工場見学" in response["data"]["title"]


def test_a_tampered_consent_button_is_refused(app, session, run, standin):
    make_event(session, kind="tour", capacity=10, title="精密加工の工場見学")

    async def scenario(h):
        form = await open_form(h, "精密加工")
        submitted = await h.dispatch(h.modal_payload(form, TOUR_FORM))
        consent = h.replies(submitted)[-1]
        stolen = await h.click(consent, "同意する", user_id=OTHER_USER)  # a button from someone else's answer
        return message_text(h.replies(stolen)[0])
    assert "ボタンの内容を確認できませんでした" in run(scenario)
    assert registrations() == []


def test_closed_events_are_not_offered_and_say_so_when_picked_late(app, session, run, standin):
    from datetime import timedelta

    from core.db import utcnow

    event = make_event(session, kind="tour", capacity=10, title="精密加工の工場見学")

    async def scenario(h):
        listing = await h.command("tour", "register")
        [menu] = h.replies(listing)
        event.deadline = utcnow() - timedelta(minutes=1)  # closes while the menu is open
        session.commit()
        picked = await h.choose(menu, "精密加工")
        again = await h.command("tour", "register")
        return message_text(h.replies(picked)[0]), message_text(h.replies(again)[0])
    picked, again = run(scenario)
    assert "受付は終了しました" in picked
    assert "いま申し込みを受け付けているイベントはありません" in again


def test_view_and_cancel_through_the_core(app, session, run, standin):
    make_event(session, kind="tour", capacity=3, title="精密加工の工場見学")

    async def scenario(h):
        await register(h, "精密加工", TOUR_FORM)
        await register(h, "精密加工", {**TOUR_FORM, "参加する人数": "2",  # another person: waitlisted
                                        "代表の方のお名前（受付で確認します）": "池上 三郎"}, user_id=OTHER_USER)
        viewed = await h.command("tour", "view")
        cancel = await h.command("tour", "cancel")
        [menu] = h.replies(cancel)
        chosen = await h.click(menu, "精密加工")
        confirm = h.replies(chosen)[0]
        done = await h.click(confirm, "キャンセルする")
        return message_text(h.replies(viewed)[0]), message_text(confirm), message_text(h.replies(done)[0])
    viewed, confirm, done = run(scenario)
    assert "精密加工の工場見学" in viewed and "参加確定" in viewed
    assert "キャンセルしますか" in confirm
    assert "キャンセルしました" in done
    statuses = [r.status for r in registrations()]
    assert statuses[0] == "cancelled" and statuses[1] == "offered"  # the freed seats go to the waitlist


def test_cancel_without_registrations_says_so(app, session, run, standin):
    async def scenario(h):
        return message_text(h.replies(await h.command("tour", "cancel"))[0])
    assert "キャンセルできるお申し込みはありません" in run(scenario)


def test_registration_works_in_direct_messages(app, session, run, standin):
    make_event(session, kind="tour", capacity=10, title="精密加工の工場見学")

    async def scenario(h):
        listing = await h.command("tour", "register", guild=False)
        picked = await h.choose(h.replies(listing)[0], "精密加工", guild=False)
        form = h.state(picked)["response"]["data"]
        submitted = await h.dispatch(h.modal_payload(form, TOUR_FORM, guild=False))
        agreed = await h.click(h.replies(submitted)[-1], "同意する", guild=False)
        confirmed = await h.click(h.replies(agreed)[-1], "申し込む", guild=False)
        return message_text(h.replies(confirmed)[0])
    assert "確定" in run(scenario)
    assert [r.status for r in registrations()] == ["confirmed"]


def test_button_helper_finds_labels(standin):
    message = {"components": [{"type": 1, "components": [{"type": 2, "label": "同意する", "custom_id": "p:x"}]}]}
    assert button(message, "同意")["custom_id"] == "p:x"


def test_a_form_opened_before_a_restart_is_still_accepted(app, session, run, standin):
    make_event(session, kind="tour", capacity=10, title="精密加工の工場見学")

    async def before_restart(h):
        return await open_form(h, "精密加工")
    form = run(before_restart)

    async def after_restart(h):  # a new process: discord.py no longer knows the modal
        submitted = await h.dispatch(h.modal_payload(form, TOUR_FORM))
        return message_text(h.replies(submitted)[-1])
    assert "利用目的" in run(after_restart)


def test_a_failing_database_is_answered_not_left_hanging(app, session, run, standin, monkeypatch):
    from bot.discord import tour_flow

    make_event(session, kind="tour", capacity=10, title="精密加工の工場見学")

    def broken(*args):
        raise RuntimeError("database unreachable")

    async def scenario(h):
        listing = await h.command("tour", "register")
        monkeypatch.setattr(tour_flow, "form_check", broken)
        picked = await h.choose(h.replies(listing)[0], "精密加工")
        return message_text(h.replies(picked)[0])
    assert "うまく処理できませんでした" in run(scenario)
