"""Cookie-less page views: what is counted, and that nothing identifying is stored."""
from datetime import date

import pytest
from flask import current_app, request
from kpi_helpers import BROWSER_UA, add_html_page
from sqlalchemy import select

from kpi import pagebuffer, pageviews, salts
from kpi.models import DailySalt, PageView

IP = "203.0.113.77"


@pytest.fixture
def site(app, client):
    add_html_page(app)
    salts.forget_cached_salts()
    return client


def visit(client, url="/kpi-test-page", ua=BROWSER_UA, ip=IP, **headers):
    return client.get(url, headers={"User-Agent": ua, **headers}, environ_base={"REMOTE_ADDR": ip})


def views(session):
    pageviews.flush(current_app)
    session.expire_all()
    return session.scalars(select(PageView).order_by(PageView.id)).all()


def test_a_view_is_recorded_with_path_and_a_visitor_hash(site, session):
    assert visit(site).status_code == 200
    [view] = views(session)
    assert view.path == "/kpi-test-page" and view.channel == "web"
    assert len(view.visitor_hash) == 16
    assert view.day == pageviews.jst_day()


def test_no_raw_ip_or_user_agent_is_stored_anywhere_in_the_row(site, session):
    visit(site, ua=BROWSER_UA, Referer="https://www.google.com/search?q=%E6%97%8B%E7%9B%A4")
    [view] = views(session)
    stored = " ".join(str(getattr(view, c.key)) for c in PageView.__table__.columns)
    assert IP not in stored and "203.0.113" not in stored
    assert "iPhone" not in stored and "Mozilla" not in stored
    assert "q=" not in stored and view.referrer_domain == "google.com"


@pytest.mark.parametrize("ua", ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                                "facebookexternalhit/1.1", "curl/8.5.0", "python-requests/2.31", ""])
def test_crawlers_scripts_and_empty_agents_are_not_counted(site, session, ua):
    assert visit(site, ua=ua).status_code == 200
    assert views(session) == []


@pytest.mark.parametrize("header", [{"DNT": "1"}, {"Sec-GPC": "1"}])
def test_do_not_track_and_gpc_count_the_view_but_not_the_visitor(site, session, header):
    visit(site, **header)
    [view] = views(session)
    assert view.visitor_hash is None
    assert session.scalar(select(DailySalt)) is None  # not even a salt was needed


def test_a_revalidated_page_304_still_counts(app, site, session):
    def tagged():
        response = app.make_response("<!doctype html><p>ok</p>")
        response.add_etag()
        return response.make_conditional(request)

    app.add_url_rule("/kpi-test-etag", "kpi_etag", tagged)
    tag = visit(site, "/kpi-test-etag").headers["ETag"]
    assert visit(site, "/kpi-test-etag", **{"If-None-Match": tag}).status_code == 304
    assert len(views(session)) == 2


def test_skipped_requests(app, site, session):
    app.add_url_rule("/kpi-test-json", "kpi_json", lambda: {"ok": True})
    visit(site, "/kpi-test-json")  # not HTML
    visit(site, "/no-such-page")  # 404
    visit(site, "/admin/login")  # console
    visit(site, "/healthz")
    site.head("/kpi-test-page", headers={"User-Agent": BROWSER_UA})
    visit(site, Purpose="prefetch")
    assert views(session) == []


def test_utm_parameters_and_bot_entry_channel(site, session):
    visit(site, "/kpi-test-page?utm_source=line&utm_medium=bot&utm_campaign=broadcast-12")
    visit(site, "/kpi-test-page?utm_source=newsletter&utm_campaign=spring")
    bot, other = views(session)
    assert (bot.channel, bot.utm_source, bot.utm_medium, bot.utm_campaign) == ("line", "line", "bot", "broadcast-12")
    assert (other.channel, other.utm_source, other.utm_campaign) == ("web", "newsletter", "spring")


def test_internal_and_junk_referrers_leave_no_domain(site, session):
    visit(site, Referer="http://localhost/articles/x")
    visit(site, Referer="not a url at all")
    assert [v.referrer_domain for v in views(session)] == ["", ""]


def test_same_visitor_same_day_is_one_unique_other_agent_is_another(site, session):
    visit(site)
    visit(site, "/kpi-test-page?x=1")
    visit(site, ua=BROWSER_UA + " Safari")
    visit(site, ip="198.51.100.9")
    hashes = [v.visitor_hash for v in views(session)]
    assert hashes[0] == hashes[1]
    assert len(set(hashes)) == 3


def test_next_day_uses_a_new_salt_so_hashes_do_not_link_across_days(site, session, monkeypatch):
    monkeypatch.setattr(pageviews, "jst_day", lambda *_: date(2026, 5, 1))
    visit(site)
    monkeypatch.setattr(pagebuffer, "jst_day", lambda *_: date(2026, 5, 1))
    pageviews.flush(current_app)
    monkeypatch.setattr(pageviews, "jst_day", lambda *_: date(2026, 5, 2))
    monkeypatch.setattr(pagebuffer, "jst_day", lambda *_: date(2026, 5, 2))
    visit(site)
    first, second = views(session)
    assert first.day != second.day and first.visitor_hash != second.visitor_hash
    assert len(session.scalars(select(DailySalt)).all()) == 2


def test_a_real_public_page_is_counted(demo_app, client, session):
    assert visit(client, "/").status_code == 200
    assert [v.path for v in views(session)] == ["/"]


def test_a_failing_hook_never_breaks_the_page(site, session, monkeypatch):
    monkeypatch.setattr(pageviews, "page_view_values", lambda *a: (_ for _ in ()).throw(RuntimeError("boom")))
    assert visit(site).status_code == 200
    assert views(session) == []


def test_the_page_request_itself_runs_no_query(app, site, session):
    from sqlalchemy import event

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        visit(site)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert statements == [] and app.extensions["kpi_page_views"].pending() == 1
    assert len(views(session)) == 1


def test_views_wait_for_the_database_and_are_written_later(app, site, session, monkeypatch):
    visit(site)
    monkeypatch.setattr(pagebuffer, "write", lambda *a: (_ for _ in ()).throw(RuntimeError("db down")))
    with pytest.raises(RuntimeError):
        pageviews.flush(app)
    assert app.extensions["kpi_page_views"].pending() == 1
    monkeypatch.undo()
    assert len(views(session)) == 1


def test_a_finished_day_never_gets_its_deleted_salt_back(app, site, session, monkeypatch):
    monkeypatch.setattr(pageviews, "jst_day", lambda *_: date(2026, 5, 1))
    visit(site)
    monkeypatch.setattr(pagebuffer, "jst_day", lambda *_: date(2026, 5, 2))  # written after midnight
    [view] = views(session)
    assert view.day == date(2026, 5, 1) and view.visitor_hash is None
    assert session.scalar(select(DailySalt)) is None


def test_the_writer_thread_writes_without_being_asked(monkeypatch):
    import threading

    written = threading.Event()
    monkeypatch.setattr(pagebuffer, "FLUSH_SECONDS", 0.01)
    monkeypatch.setattr(pagebuffer, "write", lambda engine, items: written.set())
    buffer = pagebuffer.PageViewBuffer(lambda: None, background=True)
    buffer.add({"day": date(2026, 5, 1), "visitor": None})
    assert written.wait(5) and buffer.pending() == 0
