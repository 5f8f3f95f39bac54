"""A scripted campaign, end to end, against a hand count (issue 15's "done when").

LINE friends by persona; one broadcast to three persona segments with its own
tracked links; clicks from each segment; a web registration after a click, a
chat registration after a per-user link; one contact request; one recorded 就職.
Every number on the dashboard's behaviour-change funnel and in its CSVs must
equal the count written next to the script; no rate may exceed 100 %.
"""
from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import timedelta

from kpi_helpers import login_as

from channels import links
from content.models import Article, Company
from core.db import utcnow
from events.models import Event, Registration
from events.service import Application, register
from kpi import attribution, rollup
from kpi.metrics import jst_day
from notifications.models import Broadcast, BroadcastDelivery, Subscriber

FRIENDS = {"student": ["S1", "S2", "S3", "S4"], "jobseeker": ["J1", "J2", "J3"], "parent": ["P1", "P2"]}
TOKEN_RE = re.compile(r'name="(csrf_token|submission_key)" value="([^"]+)"')


def tokens(client, url: str) -> dict:
    from flask import g

    g.pop("csrf_token", None)
    return dict(TOKEN_RE.findall(client.get(url).get_data(as_text=True)))


def setup_world(session):
    company = Company(slug="kouwa-seiki", name="光和精機", field="精密加工", description="旋盤で部品を削る会社です。")
    session.add(company)
    session.flush()
    article = Article(slug="kouwa-feature", title="光和精機の一日", category="feature", series="shigoto",
                      status="published", published_at=utcnow() - timedelta(days=1), company_id=company.id)
    session.add(article)
    session.flush()
    event = Event(kind="tour", title="光和精機 見学会", starts_at=utcnow() + timedelta(days=10), capacity=20,
                  company_id=company.id)
    session.add(event)
    for persona, users in FRIENDS.items():
        session.add_all(Subscriber(channel="line", external_id=u, persona=persona, status="active",
                                   followed_at=utcnow(), created_at=utcnow()) for u in users)
    broadcast = Broadcast(title="6月の特集", text="…", channels=["line"], send_at=utcnow(), article_id=article.id,
                          aggregation_unit="b1", status="sent")
    session.add(broadcast)
    session.flush()
    for users in FRIENDS.values():  # one variant (and one multicast request) per segment
        session.add(BroadcastDelivery(broadcast_id=broadcast.id, channel="line", recipients=users,
                                      recipient_count=len(users), retry_key=str(uuid.uuid4()), status="sent",
                                      sent_at=utcnow()))
    session.commit()
    return company, article, event, broadcast


def click(app, url: str, visitor: str, client=None):
    client = client or app.test_client()
    response = client.get(url.removeprefix(app.config["BASE_URL"]),
                          headers={"User-Agent": f"Mozilla/5.0 (iPhone) visitor-{visitor}"},
                          environ_base={"REMOTE_ADDR": f"10.0.0.{len(visitor)}{ord(visitor[0]) % 9}"})
    assert response.status_code == 302
    return client


def csv_rows(client, key: str, day) -> list[list[str]]:
    response = client.get(f"/admin/kpi/export/{key}.csv?from={day}&to={day}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def percent_cells(rows):
    return [float(cell.rstrip("%")) for row in rows[1:] for cell in row if cell.endswith("%")]


def test_scripted_campaign_matches_hand_count(app, session):
    company, article, event, broadcast = setup_world(session)
    segment_url = {p: links.tracked_url(app.config, f"/companies/{company.slug}", channel="line",
                                        article_id=article.id, broadcast_id=broadcast.id, segment=f"persona:{p}")
                   for p in FRIENDS}
    # Clicks: students A (twice) and B, jobseeker C, parent D → 4 people, 5 taps.
    student_a = click(app, segment_url["student"], "A")
    click(app, segment_url["student"], "A", student_a)
    click(app, segment_url["student"], "B")
    click(app, segment_url["jobseeker"], "C")
    parent_d = click(app, segment_url["parent"], "D")
    # J1 taps a per-user link the bot sent in the chat about the same broadcast → 5th person.
    chat_url = links.tracked_url(app.config, f"/events/{event.id}", channel="line", article_id=article.id,
                                 broadcast_id=broadcast.id, recipient="J1")
    click(app, chat_url, "J1-phone")

    # A registers on the web after the click (the reference cookie travels with A's browser).
    form = tokens(student_a, f"/events/{event.id}")
    response = student_a.post(f"/events/{event.id}/register", data={
        **form, "adults": "1", "name": "大田 一郎", "contact": "ichiro@example.jp", "consent": "yes"})
    assert response.status_code == 303
    # J1 registers in the chat (the bot's registration confirm uses the same stamper).
    register(session, Application(event_id=event.id, channel="line", person_id="J1", adults=1, name="蒲田 次郎",
                                  contact="jiro@example.jp", consent=True, submission_key="chat-J1-0001"),
             before_commit=attribution.chat_stamper("line", "J1"))
    web_reg, chat_reg = session.query(Registration).order_by(Registration.id).all()
    assert (web_reg.channel, web_reg.last_touch_channel, web_reg.last_touch_broadcast_id,
            web_reg.last_touch_article_id, web_reg.last_touch_segment) == (
        "web", "line", broadcast.id, article.id, "persona:student")
    assert (chat_reg.last_touch_broadcast_id, chat_reg.last_touch_segment) == (broadcast.id, "persona:jobseeker")

    # D asks the ward to talk to the company, consenting to share the contact.
    form = tokens(parent_d, f"/companies/{company.slug}/contact/consult")
    response = parent_d.post(f"/companies/{company.slug}/contact/consult", data={
        **form, "name": "矢口 花子", "contact": "hanako@example.jp", "message": "話を聞きたいです", "consent": "1"})
    assert response.status_code == 200 and "受け付けました" in response.get_data(as_text=True)

    # Ward staff see it in the queue and record 就職 for D (with consent) in one click.
    staff = app.test_client()
    login_as(staff, "ward")
    queue = staff.get("/admin/careers/contacts").get_data(as_text=True)
    assert "矢口 花子" in queue and "光和精機" in queue
    from careers.models import ContactRequest, Outcome

    contact = session.query(ContactRequest).one()
    assert contact.share_consent_text and contact.last_touch_segment == "persona:parent"
    form = tokens(staff, f"/admin/careers/outcomes?contact={contact.id}")
    response = staff.post(f"/admin/careers/outcomes?contact={contact.id}", data={
        "csrf_token": form["csrf_token"], "kind": "hired", "occurred_on": jst_day().isoformat(),
        "company_id": str(company.id), "consented": "1"})
    assert response.status_code == 302
    assert session.query(Outcome).one().kind == "hired"

    day = jst_day()
    rollup.rollup_day(session, day, app.config["SECRET_KEY"])
    session.commit()

    # Hand count: reach 9 (4+3+2), interest 5 people, experience 2, consult 1, work 1.
    total = csv_rows(staff, "stages", day)
    assert [row[2] for row in total[1:]] == ["9", "5", "2", "1", "1"]
    assert [row[3] for row in total[1:]] == ["", "55.6%", "40.0%", "50.0%", "100.0%"]
    by_persona = {row[0]: row[1:6] for row in csv_rows(staff, "stages_persona", day)[1:]}
    assert by_persona == {"学生": ["4", "2", "1", "0", "0"], "求職中・転職": ["3", "2", "1", "0", "0"],
                          "保護者": ["2", "1", "0", "1", "1"]}
    by_channel = {row[0]: row[1:6] for row in csv_rows(staff, "stages_channel", day)[1:]}
    assert by_channel == {"LINE": ["9", "5", "2", "1", "1"]}
    by_company = {row[0]: row[1:6] for row in csv_rows(staff, "stages_company", day)[1:]}
    assert by_company == {"光和精機": ["9", "5", "2", "1", "1"]}
    by_series = {row[0]: row[1:6] for row in csv_rows(staff, "stages_series", day)[1:]}
    assert by_series == {"shigoto": ["9", "5", "2", "1", "1"]}
    clicks = {row[0]: row[1:4] for row in csv_rows(staff, "broadcasts", day)[1:]}
    assert clicks == {"6月の特集": ["9", "6", "66.7%"]}  # 6 taps, 9 reached
    for key in ("stages", "stages_channel", "stages_persona", "stages_article", "stages_series", "stages_company",
                "channels", "broadcasts", "funnel", "funnel_channel", "funnel_persona", "events"):
        assert all(value <= 100.0 for value in percent_cells(csv_rows(staff, key, day))), key
    page = staff.get(f"/admin/kpi/?from={day}&to={day}").get_data(as_text=True)
    assert "行動変容ファネル" in page and "就業" in page and "認知" in page
