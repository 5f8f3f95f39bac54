"""Add-friend links per place of contact, their QR codes and the console page that manages them."""
import pytest
from kpi_helpers import BROWSER_UA, csrf, login_as
from sqlalchemy import select

from core.db import db
from kpi import inflow
from kpi.models import InflowSource, KpiEvent
from staff.models import AuditLog

FRIEND_URL = "https://line.me/R/ti/p/@123standin"


@pytest.fixture
def line_app(app):
    app.config["LINE_FRIEND_URL"] = FRIEND_URL  # read per request, so setting it here is enough
    return app


def opens(session):
    session.expire_all()
    return [(e.kind, e.channel, e.label) for e in session.scalars(select(KpiEvent))]


def test_friend_link_records_the_source_and_redirects_to_line(line_app):
    client = line_app.test_client()
    response = client.get("/friend/event-flyer", headers={"User-Agent": BROWSER_UA})
    assert response.status_code == 302 and response.headers["Location"] == FRIEND_URL
    assert response.headers["Cache-Control"] == "no-store"
    assert opens(db.session) == [("friend_link", "line", "event-flyer")]


@pytest.mark.parametrize("key", ["unknown-place", "EVENT-FLYER", "a", "../etc", "x" * 60])
def test_unknown_sources_are_404_and_not_counted(line_app, key):
    assert line_app.test_client().get(f"/friend/{key}").status_code == 404
    assert opens(db.session) == []


def test_the_target_is_never_taken_from_the_request(line_app):
    response = line_app.test_client().get("/friend/event-flyer?next=https://evil.example/",
                                          headers={"User-Agent": BROWSER_UA})
    assert response.headers["Location"] == FRIEND_URL


def test_crawlers_following_a_printed_link_are_not_counted(line_app):
    line_app.test_client().get("/friend/school-visit", headers={"User-Agent": "Slackbot-LinkExpanding 1.0"})
    assert opens(db.session) == []


def test_without_a_configured_friend_url_a_japanese_page_explains(app, client):
    response = client.get("/friend/event-flyer", headers={"User-Agent": BROWSER_UA})
    assert response.status_code == 503
    assert "準備中" in response.get_data(as_text=True)
    assert opens(db.session) == []


def test_qr_code_png_encodes_the_friend_link(app):
    png = inflow.qr_png(inflow.friend_url(app.config, "event-flyer"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png == inflow.qr_png("http://testserver.local/friend/event-flyer")
    assert png != inflow.qr_png("http://testserver.local/friend/school-visit")


def test_console_lists_sources_and_serves_their_qr(app, client):
    login_as(client, "ward")
    html = client.get("/admin/kpi/sources").get_data(as_text=True)
    assert "イベントのチラシ" in html and "http://testserver.local/friend/event-flyer" in html
    assert "LINE_FRIEND_URL" in html  # not configured in this app: staff are told
    qr = client.get("/admin/kpi/sources/event-flyer/qr.png")
    assert qr.status_code == 200 and qr.mimetype == "image/png" and qr.data.startswith(b"\x89PNG")
    assert client.get("/admin/kpi/sources/nope/qr.png").status_code == 404


def test_staff_add_a_source_which_then_works_and_is_audited(line_app):
    client = line_app.test_client()
    login_as(client, "ward")
    token = csrf(client, "/admin/kpi/sources")
    response = client.post("/admin/kpi/sources", data={"key": "school-2027", "label": "区立中学校の出前授業",
                                                       "target": "line", "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/friend/school-2027", headers={"User-Agent": BROWSER_UA}).status_code == 302
    assert db.session.scalar(select(AuditLog.target_id).where(AuditLog.action == "kpi.source_add")) == "school-2027"


@pytest.mark.parametrize("form, message", [
    ({"key": "Bad Key", "label": "x", "target": "line"}, "半角英小文字"),
    ({"key": "event-flyer", "label": "x", "target": "line"}, "すでに使われています"),
    ({"key": "new-place", "label": "", "target": "line"}, "名前"),
    ({"key": "new-place", "label": "x", "target": "fax"}, "LINEかDiscord"),
])
def test_bad_new_sources_are_refused_in_japanese(app, client, form, message):
    login_as(client, "ward")
    response = client.post("/admin/kpi/sources", data={**form, "csrf_token": csrf(client, "/admin/kpi/sources")})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalars(select(InflowSource)).all() == []


def test_a_stopped_source_no_longer_redirects(line_app):
    client = line_app.test_client()
    login_as(client, "admin")
    inflow.add_source(db.session, "old-flyer", "去年のチラシ")
    db.session.commit()
    token = csrf(client, "/admin/kpi/sources")
    assert client.post("/admin/kpi/sources/old-flyer/deactivate", data={"csrf_token": token}).status_code == 302
    assert client.get("/friend/old-flyer", headers={"User-Agent": BROWSER_UA}).status_code == 404
    token = csrf(client, "/admin/kpi/sources")
    assert client.post("/admin/kpi/sources/event-flyer/deactivate", data={"csrf_token": token}).status_code == 404


def test_contractors_cannot_manage_sources(app, client):
    login_as(client, "contractor")
    assert client.get("/admin/kpi/sources").status_code == 403
