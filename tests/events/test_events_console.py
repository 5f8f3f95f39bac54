"""The console editor (ward staff edit, contractors read), /events filters, stage alerts, web confirmations."""
from __future__ import annotations

from datetime import timedelta

import pytest
from events_helpers import csrf_from, fresh_page, login, make_event, make_staff, make_subscriber
from sqlalchemy import select

from bot.core.testing import FakeAdapter
from core.db import db, utcnow
from core.timefmt import JST
from events import alerts
from events.models import AlertPreference, Event


def _event_form(**changes) -> dict:
    day = (utcnow() + timedelta(days=15)).astimezone(JST).strftime("%Y-%m-%d")
    deadline = (utcnow() + timedelta(days=5)).astimezone(JST).strftime("%Y-%m-%d")
    form = {"kind": "workshop", "title": "はじめての旋盤教室", "start_date": day, "start_time": "10:00",
            "place": "大田区産業プラザPiO", "capacity": "12", "selection": "lottery", "status": "open",
            "deadline_date": deadline, "deadline_time": "17:00", "max_per_application": "3", "min_children": "1",
            "age_min": "9", "age_max": "14", "adults_use_seats": ""}
    form.update(changes)
    return form


def test_ward_staff_create_and_contractors_only_read(client, session):
    login(client, make_staff("ward"))
    token = csrf_from(fresh_page(client, "/admin/events/new").get_data(as_text=True))
    bad = client.post("/admin/events/new", data={**_event_form(deadline_date="", capacity="0"), "csrf_token": token})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "抽選のイベントには、抽選を行う締め切り日時が必要です" in html
    assert "1〜10000の数字で入力してください" in html
    made = client.post("/admin/events/new", data={**_event_form(), "csrf_token": token})
    assert made.status_code == 303
    event = session.scalar(select(Event))
    assert (event.selection, event.max_per_application, event.adults_use_seats, event.age_min) == ("lottery", 3,
                                                                                                   False, 9)
    client.post("/admin/logout", data={"csrf_token": token})
    other = db.session  # a contractor sees the editor, disabled, and cannot save
    contractor = client.application.test_client()
    login(contractor, make_staff("contractor"))
    page = fresh_page(contractor, f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert "閲覧のみ" in page and "disabled" in page and "保存する" not in page
    refused = contractor.post(f"/admin/events/{event.id}/edit",
                              data={**_event_form(title="書き換え"), "csrf_token": csrf_from(page)})
    assert refused.status_code == 403
    other.expire_all()
    assert other.get(Event, event.id).title == "はじめての旋盤教室"


def test_events_filter_by_kind_and_school_stage(client, session):
    make_event(session, kind="workshop", title="粘土ALPHA", age_min=4, age_max=7, days=5)
    make_event(session, kind="workshop", title="CADBETA", age_min=12, age_max=17, days=6)
    make_event(session, kind="tour", title="見学GAMMA", days=7)
    low = client.get("/events?stage=elementary_low").get_data(as_text=True)
    assert "粘土ALPHA" in low and "CADBETA" not in low and "見学GAMMA" not in low
    tours = client.get("/events?kind=tour").get_data(as_text=True)
    assert "見学GAMMA" in tours and "粘土ALPHA" not in tours
    everything = client.get("/events").get_data(as_text=True)
    assert all(title in everything for title in ("粘土ALPHA", "CADBETA", "見学GAMMA"))


def test_parent_picks_stage_in_chat_and_gets_only_fitting_alerts(app, session, pushes):
    parent = make_subscriber(session, "line", "U-parent", ("workshops",))
    bot = FakeAdapter(session, app.config)
    bot.postback("U-parent", "a=reg&s=stage&v=junior_high")
    assert "中学生に合う体験教室をお知らせします" in bot.last_text()
    assert session.get(AlertPreference, parent.id).stages == ["junior_high"]
    young = make_event(session, kind="workshop", title="幼児の教室", age_min=3, age_max=6, days=8)
    older = make_event(session, kind="workshop", title="中学生の教室", age_min=12, age_max=15, days=9)
    alerts.alert_workshop(session, app.config, young, "published")
    alerts.alert_workshop(session, app.config, older, "published")
    assert [("中学生の教室" in p.text) for p in pushes.to(parent.id)] == [True]


@pytest.mark.parametrize("smtp", ["", "127.0.0.1"])
def test_web_page_says_plainly_whether_a_message_will_come(app, client, session, smtp):
    app.config["SMTP_HOST"] = smtp or None
    event = make_event(session, kind="tour", capacity=5)
    page = fresh_page(client, f"/events/{event.id}").get_data(as_text=True)
    form = {"adults": "1", "name": "大田 太郎", "contact": "taro@example.jp", "consent": "yes",
            "csrf_token": csrf_from(page)}
    done = client.post(f"/events/{event.id}/register", data=form, follow_redirects=True).get_data(as_text=True)
    if smtp:
        assert "確認のメールをお送りしました" in done
    else:
        assert "メールやメッセージは届きません" in done and "/registrations/" in done


def test_first_come_with_a_confirmation_link_takes_the_seat_only_when_confirmed(app, client, session):
    app.config["SMTP_HOST"] = "127.0.0.1"
    event = make_event(session, kind="tour", capacity=1, confirm_by_link=True)
    page = fresh_page(client, f"/events/{event.id}").get_data(as_text=True)
    form = {"adults": "1", "name": "大田 太郎", "contact": "taro@example.jp", "consent": "yes",
            "csrf_token": csrf_from(page)}
    client.post(f"/events/{event.id}/register", data=form)
    from events_helpers import registrations

    (registration,) = registrations(event.id)
    assert registration.status == "pending"  # no seat until the e-mailed link is opened
    confirm_page = fresh_page(client, f"/registrations/{registration.token}/confirm").get_data(as_text=True)
    assert "このお申し込みを確定する" in confirm_page
    client.post(f"/registrations/{registration.token}/confirm", data={"csrf_token": csrf_from(confirm_page)})
    assert registrations(event.id)[0].status == "confirmed"


def test_staff_admit_a_held_registration(client, session):
    from events_helpers import apply, registrations

    from events import abuse

    event = make_event(session, kind="tour", capacity=3)
    held = apply(event, "W1", channel="web", limits=abuse.Limits(), source_hash="ip", fill_seconds=0.1)
    assert held.status == "held"
    login(client, make_staff("ward"))
    page = fresh_page(client, f"/admin/events/{event.id}").get_data(as_text=True)
    assert "確認のため保留" in page and "受け付ける" in page
    client.post(f"/admin/events/{event.id}/registrations/{held.id}/admit", data={"csrf_token": csrf_from(page)})
    assert registrations(event.id)[0].status == "confirmed"
