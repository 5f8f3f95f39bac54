"""/admin/kpi: who may open it, filters, charts with text alternatives, CSV export."""
import csv
import io
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from kpi_helpers import login_as
from sqlalchemy import select

from content.models import Article
from core.db import db, utcnow
from kpi import demo, report
from kpi.metrics import jst_day
from staff.models import AuditLog
from testkit import capture_postgres, restore_postgres
from web.model_registry import load_all_models

_demo_states: dict = {}  # (backend, end day) → the database with_demo leaves, taken once per test process


@pytest.fixture
def with_demo(app, session, database_url, tmp_path_factory):
    """Demo activity over three published articles (the full demo content import is slow).

    Simulated once per test process, backend and day; later tests get a copy of the rows it
    wrote (a SQLite file copied with the backup API; on PostgreSQL, every row and sequence)."""
    day = jst_day()
    key = ("sqlite" if database_url.startswith("sqlite") else "postgresql", day)
    if key in _demo_states:
        session.remove()
        _restore(database_url, _demo_states[key])
        return app
    for slug, title in (("space", "宇宙へ飛び立つ町工場"), ("employment-support", "町工場で働きたい方へ"),
                        ("local-kouwa-seiki-tour", "精密加工工場見学ツアー")):
        session.add(Article(slug=slug, title=title, category="feature", status="published", published_at=utcnow()))
    session.commit()
    demo.create_demo(session, day)
    session.commit()
    session.remove()
    if key[0] == "sqlite":
        copy = tmp_path_factory.mktemp("kpi-demo") / "db.sqlite3"
        _sqlite_backup(_sqlite_path(database_url), copy)
        _demo_states[key] = copy
    else:
        _demo_states[key] = capture_postgres(database_url, load_all_models())
    return app


def _sqlite_path(database_url: str) -> str:
    return database_url.removeprefix("sqlite:///")


def _sqlite_backup(source: str | Path, target: str | Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _restore(database_url: str, state) -> None:
    if isinstance(state, Path):
        db.engine.dispose()  # no pooled connection keeps the old pages
        _sqlite_backup(state, _sqlite_path(database_url))
    else:
        restore_postgres(database_url, load_all_models(), state, triggers=False)  # roll-ups as taken


@pytest.fixture
def ward_client(with_demo, client):
    login_as(client, "ward")
    return client


def test_ward_staff_see_the_dashboard_with_demo_data(ward_client):
    response = ward_client.get("/admin/kpi/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "KPIダッシュボード" in html and "デモデータを含みます" in html
    for heading in ("ファネル（期間合計）", "友だち・フォロワーの推移", "よく読まれた記事", "結果が0件だった検索",
                    "イベントごとの申込と参加", "チャネル比較", "3か月後の見込み", "見込みの出し方"):
        assert heading in html
    assert "最小二乗法" in html  # the method is explained on the page
    assert "【デモ】" in html and "精密加工工場見学ツアー" in html


def test_charts_are_svg_images_with_text_alternatives(ward_client):
    html = ward_client.get("/admin/kpi/").get_data(as_text=True)
    charts = re.findall(r'<svg[^>]*role="img"[^>]*>\s*<title id="[^"]+">([^<]+)</title><desc id="[^"]+">([^<]+)</desc>', html)
    titles = [title for title, _desc in charts]
    assert len(charts) >= 7
    assert any("見込み" in t for t in titles) and any("フォロワー" in t for t in titles)
    assert all(desc.strip() and desc != "データがありません。" for _t, desc in charts)
    captions = re.findall(r'<figcaption aria-hidden="true">([^<]+)</figcaption>', html)
    assert captions == titles  # the same words for sighted readers


def test_admins_may_open_it_too(with_demo, client):
    login_as(client, "admin")
    assert client.get("/admin/kpi/").status_code == 200


def test_contractors_read_kpis_but_cannot_manage_sources(with_demo, client):
    # The ward's page plan: the contractor sees KPIs read-only (issue 13).
    login_as(client, "contractor")
    assert client.get("/admin/kpi/").status_code == 200
    assert client.get("/admin/kpi/export/funnel.csv").status_code == 200
    assert client.get("/admin/kpi/sources").status_code == 403
    assert "/admin/kpi/sources" not in client.get("/admin/kpi/").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get("/admin/kpi/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert client.get("/admin/kpi/export/funnel.csv").status_code == 302


@pytest.mark.parametrize("query", ["?channel=line", "?channel=discord", "?channel=web",
                                   "?from=2026-01-01&to=2026-01-31", "?from=2020-01-01&to=2020-01-07"])
def test_filters_render(ward_client, query):
    response = ward_client.get("/admin/kpi/" + query)
    assert response.status_code == 200
    assert 'role="alert"' not in response.get_data(as_text=True).split("KPIダッシュボード", 1)[1].split("主要指標")[0]


@pytest.mark.parametrize("query, message", [
    ("?from=2026-13-40", "日付として読めません"),
    ("?to=yesterday", "日付として読めません"),
    ("?from=2026-05-01&to=2026-04-01", "開始日が終了日より後"),
    ("?from=2000-01-01&to=2026-01-01", "最長731日"),
    ("?channel=fax", "チャネルは"),
])
def test_bad_filters_give_a_clear_message_not_an_error(ward_client, query, message):
    response = ward_client.get("/admin/kpi/" + query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_every_table_exports_as_excel_friendly_csv(ward_client):
    for key in report.BUILDERS:
        response = ward_client.get(f"/admin/kpi/export/{key}.csv?channel=line")
        assert response.status_code == 200, key
        assert response.data.startswith(b"\xef\xbb\xbf"), key
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert rows[0][0], key  # a header row


def test_csv_content_matches_the_table_and_is_audited(ward_client, session):
    response = ward_client.get("/admin/kpi/export/funnel_channel.csv?from=2026-01-01&to=2027-12-31")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["チャネル", "配信到達", "リンククリック"]
    assert [r[0] for r in rows[1:]] == ["LINE", "Discord", "Web（直接・検索など）"]
    assert response.data.count(b"\r\n") == len(rows)
    session.expire_all()
    [entry] = session.scalars(select(AuditLog).where(AuditLog.action == "export.kpi_csv")).all()
    assert entry.target_id == "funnel_channel" and entry.details["from"] == "2026-01-01"
    assert entry.details["rows"] == 3


def test_export_of_an_unknown_table_or_with_bad_dates(ward_client, session):
    assert ward_client.get("/admin/kpi/export/nope.csv").status_code == 404
    bad = ward_client.get("/admin/kpi/export/funnel.csv?from=31/12/2026")
    assert bad.status_code == 400 and "日付として読めません" in bad.get_data(as_text=True)
    session.expire_all()
    assert session.scalars(select(AuditLog).where(AuditLog.action == "export.kpi_csv")).all() == []


def test_the_dashboard_works_without_any_data(app, client):
    login_as(client, "ward")
    response = client.get("/admin/kpi/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "この期間のデータはありません" in html and "2週間以上の実績が必要" in html
    assert "デモデータを含みます" not in html


def test_console_pages_are_not_cached(ward_client):
    assert ward_client.get("/admin/kpi/").headers["Cache-Control"] == "no-store"
    db.session.remove()


def _statements_during(app, action) -> list[str]:
    from sqlalchemy import event

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statements


@pytest.mark.parametrize("query", ["", "?channel=line", "?from=2026-01-01&to=2026-03-31"])
def test_a_dashboard_render_costs_at_most_20_queries(app, ward_client, query):
    ward_client.get("/admin/kpi/" + query)  # warm-up: nothing lazily loaded is counted below
    statements = _statements_during(app, lambda: ward_client.get("/admin/kpi/" + query))
    assert 0 < len(statements) <= 20, "\n".join(statements)
    roll_up_reads = [s for s in statements if "kpi_daily_metrics" in s]
    assert len(roll_up_reads) <= 3, roll_up_reads  # the two frames (+ the demo marker), not one per table
