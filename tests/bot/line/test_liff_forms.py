"""LIFF forms end to end: rich menu → 受信設定 → next broadcast; registration with prefilled data;
forged, expired or replayed tokens change nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.line.liff_apps import LIFF_URL_BASE
from bot.line.liff_apps import deploy as deploy_liff
from bot.line.models import LiffApp
from bot.line.richmenu_deploy import deploy as deploy_menus
from core.db import db
from events.models import Event, Registration
from events.service import Application, register
from notifications import subscriptions
from notifications.models import Broadcast, Subscriber, Subscription
from notifications.service import create_broadcast
from tests.bot.line.liff_helpers import identify, liff_config
from tests.bot.line.line_helpers import USER
from tests.notifications.broadcast_helpers import drain, multicasts


@pytest.fixture
def app(open_demo_app, line):
    with open_demo_app(**liff_config(line)) as app:
        deploy_liff(db.session, app.config)
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


def _settings_area_uri(line) -> str:
    menus = line.rich_menus.menus.values()
    default = next(m for m in menus if m["richMenuId"] == line.rich_menus.default)
    [area] = [a for a in default["areas"] if a["action"].get("label") == "受信設定"]
    return area["action"]["uri"]


def _tour(session) -> Event:
    return session.scalar(select(Event).where(Event.kind == "tour").order_by(Event.starts_at))


def _counts(session) -> tuple[int, int, int, int]:
    session.expire_all()
    return (session.scalar(select(func.count()).select_from(Subscriber)),
            session.scalar(select(func.count()).select_from(Subscription)),
            session.scalar(select(func.count()).select_from(Registration)),
            session.scalar(select(func.count()).select_from(Broadcast)))


def test_friend_changes_three_topics_from_the_rich_menu_and_the_next_broadcast_follows(app, client, line, session):
    friend = subscriptions.get_or_create_subscriber(session, "line", USER, "山田")
    subscriptions.set_persona(session, friend, "student")  # features, series, tours, local
    session.commit()
    deploy_menus(session, app.config)

    uri = _settings_area_uri(line)
    liff_id = uri.removeprefix(LIFF_URL_BASE)
    assert uri.startswith(LIFF_URL_BASE) and line.liff_apps[liff_id]["view"]["url"] == "https://testserver.local/liff/settings"

    who = identify(client, line, USER, "/liff/settings", "/liff/settings/identify")
    assert who.status_code == 200
    assert who.json["settings"]["topics"] == ["features", "local", "series", "tours"]
    # One submit: news and admin on, local off (three changes), persona kept.
    saved = client.post("/liff/settings/save", json={
        "ticket": who.json["ticket"], "persona": "student", "topics": ["features", "series", "tours", "news", "admin"],
        "quiet_pref": "night"})
    assert saved.status_code == 200, saved.json
    session.expire_all()
    assert subscriptions.find_subscriber(session, "line", USER).topics == {"features", "series", "tours", "news", "admin"}

    drain(app, session)  # the confirmation push in the chat
    [push] = [s for s in line.outbox if s.kind == "multicast"]  # pushes go through the outbox as multicasts
    assert push.recipients == [USER] and "受信設定を保存しました" in push.messages[0]["text"]

    create_broadcast(session, text="お知らせです", topics=["news"], channels=["line"])
    create_broadcast(session, text="地域のイベントです", topics=["local"], channels=["line"])
    session.commit()
    drain(app, session)
    sent = {c.json["messages"][0]["text"]: c.json["to"] for c in multicasts(line)[1:]}
    assert USER in sent["お知らせです"]
    assert USER not in sent.get("地域のイベントです", [])


def test_friend_registers_for_a_tour_through_the_liff_form_with_prefilled_data(app, client, line, session):
    tour = _tour(session)
    earlier = session.scalar(select(Event).where(Event.kind == "event"))
    register(session, Application(event_id=earlier.id, channel="line", person_id=USER, adults=2, name="大田 花子",
                                  contact="hanako@example.jp", consent=True))
    url = f"/liff/register?event={tour.id}"
    who = identify(client, line, USER, url, f"/liff/register/{tour.id}/identify")
    assert who.status_code == 200
    assert who.json["prefill"]["name"] == "大田 花子" and who.json["prefill"]["contact"] == "hanako@example.jp"
    assert who.json["already"] is False

    answer = client.post(f"/liff/register/{tour.id}", json={
        "ticket": who.json["ticket"], "adults": 2, "name": "大田 花子", "contact": "hanako@example.jp",
        "consent": True, "submission_key": "k" * 20})
    assert answer.status_code == 200, answer.json
    registration = session.scalar(select(Registration).where(Registration.event_id == tour.id))
    assert registration.person_key == f"line:{USER}" and registration.adults == 2 and registration.status == "confirmed"
    # The same person in the chat is the same applicant: a second registration is refused.
    again = identify(client, line, USER, url, f"/liff/register/{tour.id}/identify")
    assert again.json["already"] is True
    drain(app, session)
    assert any(s.recipients == [USER] and tour.title in s.messages[0]["text"] for s in line.outbox)


@pytest.mark.parametrize("problem", ["forged", "expired", "audience", "nonce", "tampered", "replayed"])
def test_a_bad_token_is_refused_and_nothing_is_written(app, client, line, session, problem):
    tour = _tour(session)
    before = _counts(session)
    page = f"/liff/register?event={tour.id}"
    if problem == "forged":
        who = identify(client, line, USER, page, f"/liff/register/{tour.id}/identify")  # a valid one first…
        client.post(f"/liff/register/{tour.id}", json={"ticket": "x" + who.json["ticket"][1:], "name": "偽者",
                                                       "contact": "a@example.jp", "consent": True})
        before = _counts(session)
        response = client.post("/liff/settings/identify", json={"id_token": "eyJ.forged.token-that-is-long", "nonce": "n" * 30})
    elif problem == "expired":
        response = identify(client, line, USER, page, f"/liff/register/{tour.id}/identify", lifetime=-10)
    elif problem == "audience":
        response = identify(client, line, USER, page, f"/liff/register/{tour.id}/identify", aud="1999999999")
    elif problem == "nonce":
        response = identify(client, line, USER, page, f"/liff/register/{tour.id}/identify", nonce="another-nonce-xxxxxxxx")
    elif problem == "tampered":
        from tests.bot.line.liff_helpers import page_nonce
        nonce = page_nonce(client, page)
        header, claims, signature = line.issue_id_token(USER, nonce).split(".")
        other = line.issue_id_token("U" + "c3" * 16, nonce).split(".")[1]
        response = client.post(f"/liff/register/{tour.id}/identify",
                               json={"id_token": f"{header}.{other}.{signature}", "nonce": nonce})
    else:  # the same token and nonce a second time
        from tests.bot.line.liff_helpers import page_nonce
        nonce = page_nonce(client, page)
        token = line.issue_id_token(USER, nonce)
        assert client.post(f"/liff/register/{tour.id}/identify", json={"id_token": token, "nonce": nonce}).status_code == 200
        before = _counts(session)
        response = client.post(f"/liff/register/{tour.id}/identify", json={"id_token": token, "nonce": nonce})
    assert response.status_code == 403
    assert response.json["ok"] is False
    assert "開き直して" in response.json["message"]  # a clear Japanese way out
    assert "ticket" not in response.json
    assert _counts(session) == before


def test_a_forged_ticket_writes_nothing(app, client, session):
    before = _counts(session)
    response = client.post("/liff/settings/save", json={"ticket": "forged.ticket", "persona": "parent", "topics": ["news"]})
    assert response.status_code == 403
    assert _counts(session) == before


def test_outside_line_the_pages_still_render_with_the_fallback(app, client, session):
    tour = _tour(session)
    page = client.get(f"/liff/register?event={tour.id}").get_data(as_text=True)
    assert f'href="/events/{tour.id}"' in page and "data-liff-fallback" in page
    assert "<script>" not in page and "style=" not in page  # all behaviour in static files (CSP)
    policy = client.get(f"/liff/register?event={tour.id}").headers["Content-Security-Policy"]
    assert "script-src 'self' https://liff-sdk.test;" in policy and "unsafe-inline" not in policy
    assert client.get("/events").headers["Content-Security-Policy"].count("liff-sdk.test") == 0
    assert client.get("/liff/register?event=999999").status_code == 404
    # LIFF's first load carries the query in liff.state (https://liff.line.me/<id>?event=N → endpoint?liff.state=…)
    assert client.get(f"/liff/register?liff.state=%3Fevent%3D{tour.id}").status_code == 200
    settings = client.get("/liff/settings").get_data(as_text=True)
    assert "「受信設定」と送ると" in settings


def test_chat_buttons_and_broadcast_cards_open_the_liff_forms(app, line, session):
    from bot.core.testing import FakeAdapter
    from bot.line.channel import LineChannel
    from notifications import compose

    bot = FakeAdapter(session, app.config, channel="line")
    bot.follow(USER)
    bot.postback(USER, "a=persona&p=student")
    bot.postback(USER, "a=settings")
    [card] = bot.last_cards()
    settings_url = LIFF_URL_BASE + session.get(LiffApp, "settings").liff_id
    assert card.url == settings_url

    bot.postback(USER, "a=events&k=tour")
    buttons = [b for c in bot.last_cards() for b in c.extra_buttons if b.url]
    tour = _tour(session)
    assert any(b.label == "フォームで申し込む" and b.url.endswith(f"?event={tour.id}") for b in buttons)

    rendered = LineChannel().render(app.config, compose.draft(app.config, "お知らせです", article=tour.article))
    assert settings_url in str(rendered)


def test_without_a_login_channel_the_chat_keeps_its_own_buttons(app, session):
    from bot.core.testing import FakeAdapter

    app.config["LINE_LOGIN_CHANNEL_ID"] = None
    bot = FakeAdapter(session, app.config, channel="line")
    bot.follow(USER)
    bot.postback(USER, "a=persona&p=student")
    bot.postback(USER, "a=settings")
    assert bot.last_cards() == ()


def test_party_rules_and_lottery_apply_as_on_the_web(app, client, line, session):
    tour = _tour(session)
    tour.selection, tour.max_per_application = "lottery", 2
    session.commit()
    page = client.get(f"/liff/register?event={tour.id}").get_data(as_text=True)
    assert "data-liff-lottery" in page and "抽選に申し込む" in page
    who = identify(client, line, USER, f"/liff/register?event={tour.id}", f"/liff/register/{tour.id}/identify")
    base = {"ticket": who.json["ticket"], "name": "大田 花子", "contact": "hanako@example.jp", "consent": True}
    too_many = client.post(f"/liff/register/{tour.id}", json={**base, "adults": 3, "submission_key": "a" * 20})
    assert too_many.status_code == 422 and too_many.json["field"] == "adults"
    entered = client.post(f"/liff/register/{tour.id}", json={**base, "adults": 2, "submission_key": "b" * 20})
    assert entered.status_code == 200 and entered.json["status"] == "applied"
    assert "抽選" in entered.json["message"]
