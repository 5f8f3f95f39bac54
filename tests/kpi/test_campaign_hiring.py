"""A scripted campaign, end to end through the real paths, against a hand count (issue 15's "done when").

Friends follow the LINE account and choose a persona through the signed webhook;
ward staff send one broadcast from the console; the outbox dispatcher sends one
variant per audience segment to the strict LINE stand-in; people tap the
tracked link of their segment's variant; one registers on the web after the tap,
one in the LINE chat; one asks a company to talk; staff record one 就職 with one
click from the attendee list. Every number of the dashboard's funnels and of
their CSVs must equal the count written next to the script; no rate may exceed
100 %. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from campaign_kit import (
    Browser,
    LineFriend,
    as_shown,
    csv_rows,
    dashboard_tables,
    form_fields,
    percents,
    segment_links,
    user_id,
)
from kpi_helpers import csrf, login_as, page

from careers.models import ContactRequest, Outcome
from content.models import Article, Company
from core.db import db, utcnow
from events.models import Event, Registration
from kpi import jobs, pageviews, report
from kpi.metrics import jst_day
from notifications.models import Broadcast, Subscriber
from testkit import make_test_app
from tests.bot.line.line_helpers import line_config
from tests.notifications.broadcast_helpers import drain, multicasts, standin_config
from tests.standins.line_api import LineStandin

# The friends, by what they chose after following (None: never chose, so they keep the default set).
STUDENTS = [user_id(n) for n in (1, 2, 3)]
PARENTS = [user_id(n) for n in (11, 12)]
JOBSEEKERS = [user_id(21)]  # "local" is not among a jobseeker's topics: the broadcast does not reach them
UNDECIDED = [user_id(n) for n in (31, 32, 33, 34)]
PERSONA_BUTTON = {"学生": STUDENTS, "保護者": PARENTS, "求職中・転職": JOBSEEKERS}


@pytest.fixture
def line():
    with LineStandin(quota_limit=None) as standin:
        yield standin
        assert standin.response_errors == []  # the stand-in answered within the spec
        assert [str(r) for r in standin.validation_errors] == []  # LINE would have accepted every request


@pytest.fixture
def app(database_url, tmp_path, line):
    config = {**standin_config(), **line_config(line), "EVENT_MIN_FILL_SECONDS": 0}
    app = make_test_app(database_url, tmp_path / "instance", **config)
    with app.app_context():
        yield app
    db.session.remove()


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    from argon2 import PasswordHasher

    from staff import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def setup_world(session) -> SimpleNamespace:
    """The company, its series article and its tour; plain values (the worker's sessions come and go)."""
    company = Company(slug="kouwa-seiki", name="光和精機", field="精密加工", description="旋盤で部品を削る会社です。")
    session.add(company)
    session.flush()
    article = Article(slug="kouwa-people", title="旋盤に向かう21歳", category="series", series="company",
                      summary="光和精機で働く若手の一日。", body_md="本文", status="published",
                      published_at=utcnow() - timedelta(days=1), company_id=company.id)
    event = Event(kind="tour", title="光和精機 見学会", starts_at=utcnow() + timedelta(days=10),
                  deadline=utcnow() + timedelta(days=8), capacity=20, place="大田区南六郷", company_id=company.id)
    session.add_all([article, event])
    session.commit()
    return SimpleNamespace(company=company.id, slug=company.slug, article=article.id, article_slug=article.slug,
                           event=event.id)


def make_friends(app, line) -> dict[str, LineFriend]:
    friends = {}
    for uid in STUDENTS + PARENTS + JOBSEEKERS + UNDECIDED:
        friends[uid] = LineFriend(app, line, uid)
        friends[uid].follow()
    for button, users in PERSONA_BUTTON.items():
        for uid in users:
            friends[uid].tap(button)  # the welcome's quick reply
    return friends


def register_in_chat(friend: LineFriend) -> None:
    friend.say("見学")
    friend.tap("申し込む")
    friend.tap("1人")
    friend.say("矢口 花子")
    friend.say("hanako@example.jp")
    friend.tap("同意する")
    friend.tap("申し込む")
    assert "お申し込みが確定しました" in friend.last_text()


def test_scripted_campaign_matches_hand_count(app, session, line):
    world = setup_world(session)
    friends = make_friends(app, line)
    personas = {s.external_id: s.persona for s in session.query(Subscriber)}
    assert personas == {**dict.fromkeys(STUDENTS, "student"), **dict.fromkeys(PARENTS, "parent"),
                        **dict.fromkeys(JOBSEEKERS, "jobseeker"), **dict.fromkeys(UNDECIDED)}

    # Ward staff send the article to everyone who follows 地域のイベント (local), from the console.
    staff = app.test_client()
    login_as(staff, "ward")
    response = staff.post("/admin/broadcasts/new", data={
        "csrf_token": csrf(staff, "/admin/broadcasts/new"), "channels": ["line"], "audience": "topics",
        "topics": ["local"], "article": world.article_slug, "text": "町工場で働く若い人に会いに行こう", "timing": "now",
        "action": "send"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    broadcast = session.query(Broadcast).one().id
    drain(app, session)

    # One variant per segment, one multicast each (ceil(n / 500)), to exactly the segment's friends.
    sent = segment_links(app.config, multicasts(line, 200))
    assert {segment: sorted(v["to"]) for segment, v in sent.items()} == {
        "persona:student": sorted(STUDENTS), "persona:parent": sorted(PARENTS), "persona:none": sorted(UNDECIDED)}
    assert len(multicasts(line)) == 3
    assert all((v["link"].broadcast_id, v["link"].article_id) == (broadcast, world.article) for v in sent.values())

    # Taps on each segment's link, from the phones' browsers.
    student_a, student_b, parent_c, undecided_e = (Browser(app, n) for n in (1, 2, 3, 4))
    assert student_a.tap(sent["persona:student"]["url"]) == f"/articles/{world.article_slug}"
    student_a.tap(sent["persona:student"]["url"])  # the same person again: 2 taps, 1 person
    student_b.tap(sent["persona:student"]["url"])
    parent_c.tap(sent["persona:parent"]["url"])  # PARENTS[0]'s phone
    undecided_e.tap(sent["persona:none"]["url"])
    # Hand count — taps: student 3, parent 1, undecided 1 = 5; people: 2 + 1 + 1 = 4.

    # A registers on the web after the tap: the reference travels with A's browser.
    response = student_a.post_form(f"/events/{world.event}", f"/events/{world.event}/register", {
        "adults": "1", "name": "大田 一郎", "contact": "ichiro@example.jp", "consent": "yes"})
    assert response.status_code == 303
    # The parent who tapped registers in the LINE chat.
    register_in_chat(friends[PARENTS[0]])
    web_reg, chat_reg = session.query(Registration).order_by(Registration.id).all()
    assert (web_reg.channel, web_reg.status, web_reg.last_touch_channel, web_reg.last_touch_broadcast_id,
            web_reg.last_touch_article_id, web_reg.last_touch_segment) == (
        "web", "confirmed", "line", broadcast, world.article, "persona:student")
    # A segment link names no person, so the chat knows the friend's channel and persona only.
    assert (chat_reg.channel, chat_reg.status, chat_reg.last_touch_channel, chat_reg.last_touch_broadcast_id,
            chat_reg.last_touch_segment) == ("line", "confirmed", "line", None, "persona:parent")

    # E (never chose a persona) reads the company's page and asks to talk, consenting to share the contact.
    assert undecided_e.get(f"/companies/{world.slug}").status_code == 200
    response = undecided_e.post_form(f"/companies/{world.slug}/contact/consult",
                                     f"/companies/{world.slug}/contact/consult",
                                     {"name": "六郷 次郎", "contact": "jiro@example.jp", "message": "話を聞きたいです",
                                      "consent": "1"})
    assert response.status_code == 200 and "受け付けました" in response.get_data(as_text=True)
    contact = session.query(ContactRequest).one()
    assert (contact.last_touch_broadcast_id, contact.last_touch_segment, contact.persona) == (
        broadcast, "persona:none", None)

    # A was hired: staff confirm A's consent and press 就職 once in the attendee list.
    attendee_list = f"/admin/events/{world.event}"
    fields = form_fields(page(staff, attendee_list), f'data-registration="{web_reg.id}"')
    staff.post(f"/admin/careers/attendees/{web_reg.id}/consent",
               data={"csrf_token": fields["csrf_token"], "action": "give", "next": attendee_list})
    fields = form_fields(page(staff, attendee_list), f'data-registration="{web_reg.id}"', "outcome-buttons")
    response = staff.post(f"/admin/careers/attendees/{web_reg.id}/outcome",
                          data={**fields, "kind": "hired", "next": attendee_list})
    assert response.status_code == 303
    outcome = session.query(Outcome).one()
    assert (outcome.kind, outcome.company_id, outcome.occurred_on, outcome.person_label) == (
        "hired", world.company, jst_day(), "大田 一郎")

    pageviews.flush(app)
    jobs.rollup_job(app)  # the worker's hourly roll-up
    day = jst_day()

    # ---- hand count -------------------------------------------------------------------------
    # 認知 reach: 3 students + 2 parents + 4 undecided = 9 (the jobseeker was not in the audience)
    # 興味 interest: A, B (students), C (parent), E (undecided) = 4 people (5 taps)
    # 体験 experience: A on the web (student, the article), the parent in the chat (no article) = 2
    # 相談・応募 consult: E's request (undecided, the article) = 1
    # 就業 work: A hired (student, the article) = 1
    expected = {
        "stages": [["認知", "9", ""], ["興味", "4", "44.4%"], ["体験", "2", "50.0%"], ["相談・応募", "1", "50.0%"],
                   ["就業", "1", "100.0%"]],
        "stages_channel": {"LINE": ["9", "4", "2", "1", "1", "44.4%", "50.0%", "50.0%", "100.0%"]},
        "stages_persona": {"学生": ["3", "2", "1", "0", "1", "66.7%", "50.0%", "0.0%", ""],
                           "保護者": ["2", "1", "1", "0", "0", "50.0%", "100.0%", "0.0%", ""],
                           "未設定": ["4", "1", "0", "1", "0", "25.0%", "0.0%", "", "0.0%"]},
        "stages_article": {"旋盤に向かう21歳": ["9", "4", "1", "1", "1", "44.4%", "25.0%", "100.0%", "100.0%"],
                           "記事なし": ["0", "0", "1", "0", "0", "", "", "0.0%", ""]},
        "stages_series": {"テーマ別記事「企業」": ["9", "4", "1", "1", "1", "44.4%", "25.0%", "100.0%", "100.0%"],
                          "シリーズなし・記事なし": ["0", "0", "1", "0", "0", "", "", "0.0%", ""]},
        "stages_company": {"光和精機": ["9", "4", "2", "1", "1", "44.4%", "50.0%", "50.0%", "100.0%"]},
        # 配信到達, リンククリック (taps), クリック率
        "broadcasts": {"旋盤に向かう21歳": ["9", "5", "55.6%"]},
        # 配信到達, クリック, 記事閲覧, イベント申込, イベント参加, 次の一歩, クリック率, 申込→参加率
        "funnel_persona": {"学生": ["3", "3", "—", "1", "0", "—", "100.0%", "0.0%"],
                           "保護者": ["2", "1", "—", "1", "0", "—", "50.0%", "0.0%"],
                           "未設定": ["4", "1", "—", "0", "0", "—", "25.0%", ""]},
    }
    stages = csv_rows(staff, "stages", day)
    assert [[row[0], row[2], row[3]] for row in stages[1:]] == expected["stages"]
    for key in ("stages_channel", "stages_persona", "stages_article", "stages_series", "stages_company",
                "broadcasts"):
        assert {row[0]: row[1:] for row in csv_rows(staff, key, day)[1:]} == expected[key], key
    funnel_persona = {row[0]: row[1:] for row in csv_rows(staff, "funnel_persona", day)[1:]}
    assert funnel_persona == {k: [c if c != "—" else "" for c in v] for k, v in expected["funnel_persona"].items()}
    # The cross-channel funnel: 9 reached, 5 taps, 5 article views (each tap opened the article), 2 registrations.
    assert [row[1:] for row in csv_rows(staff, "funnel", day)[1:]] == [
        ["9", "", "9"], ["5", "55.6%", "5"], ["5", "100.0%", "5"], ["2", "40.0%", "2"], ["0", "0.0%", "0"],
        ["0", "", "0"]]
    assert csv_rows(staff, "funnel_channel", day)[1:] == [["LINE", "9", "5", "5", "2", "0", "0", "55.6%", "0.0%"]]
    # By article, the chat registration (no article) is not an article's.
    assert csv_rows(staff, "funnel_article", day)[1:] == [["旋盤に向かう21歳", "9", "5", "5", "1", "0", "", "55.6%", "0.0%"]]
    # Channels: LINE 4 visitors (A, B, C, E) and 5 article views through the links; the web 2 visitors (A, E)
    # and 3 pages opened directly (A: the event; E: the company and its contact form); 10 new LINE friends.
    assert csv_rows(staff, "channels", day)[1:] == [
        ["LINE", "9", "5", "55.6%", "4", "5", "2", "0", "10"],
        ["Discord", "不明（投稿0件）", "0", "", "0", "0", "0", "0", "0"],
        ["Web（直接・検索など）", "0", "0", "", "2", "3", "0", "0", "0"],
        ["公式X", "不明", "0", "", "0", "0", "0", "0", "0"]]
    assert [row[2:] for row in csv_rows(staff, "events", day)[1:]] == [["2", "0", "0", "0.0%"]]
    assert [row[1:] for row in csv_rows(staff, "followers", day)[1:]] == [["10", "10", "0", "0", "10"]]
    assert csv_rows(staff, "top_articles", day)[1:] == [["旋盤に向かう21歳", "5", "5", "5", "1"]]

    # The page shows the same numbers as the CSVs, and no rate anywhere exceeds 100 %.
    html = page(staff, f"/admin/kpi/?from={day}&to={day}")
    shown = dashboard_tables(html)
    for key in ("stages", "stages_channel", "stages_persona", "stages_article", "stages_series", "stages_company",
                "broadcasts", "funnel", "funnel_channel", "funnel_persona", "funnel_article", "channels", "events",
                "followers", "top_articles"):
        exported = csv_rows(staff, key, day)
        assert shown[key] == [exported[0]] + [[as_shown(c) for c in row] for row in exported[1:]], key
    for key in report.BUILDERS:
        assert all(value <= 100.0 for value in percents(csv_rows(staff, key, day))), key
