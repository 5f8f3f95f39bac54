"""Jobs as buttons show how far they are: the worker's job writes its progress to console_jobs
as it goes, and the console (page and the JSON the page's script polls) shows it at once."""
from __future__ import annotations

import datetime

from console_helpers import fresh_page, login, make_staff, post_form
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.models import Article
from core.db import db, utcnow
from kpi.models import DailyMetric
from staff import console_jobs
from staff.console_jobs import JobKind, add_job_kind, run_next
from staff.models import ConsoleJob


def _client(app, role="ward"):
    make_staff(role)
    client = app.test_client()
    assert login(client, f"{role}@example.jp").status_code == 302
    return client


def _status(client) -> dict:
    response = client.get("/admin/jobs/status")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def test_progress_is_visible_to_the_console_while_the_job_runs(app):
    client = _client(app)
    seen = {}

    def counting(app_, session, progress):
        progress(0, 5000)
        progress(1200, 5000)
        # What the console shows now, mid-run (another request, another connection).
        seen["json"] = _status(client)
        seen["page"] = fresh_page(client, "/admin/jobs")
        progress(5000, 5000)
        return "5,000件を処理しました。"

    add_job_kind(app, JobKind("counting", "数える作業", "テスト用", counting))
    post_form(client, "/admin/jobs", "/admin/jobs/counting", {})
    before = _status(client)
    assert before["active"] and before["jobs"][0]["status_label"] == "順番待ち"
    worker = db.new_session()  # the worker's own session, as in staff.jobs
    job = run_next(app, worker, progress_interval=0)
    worker.close()
    [running] = seen["json"]["jobs"]
    assert running["status"] == "running" and running["active"]
    assert running["progress"] == "1,200 / 5,000 件（24%）" and running["percent"] == 24
    assert "1,200 / 5,000 件（24%）" in seen["page"] and 'value="24"' in seen["page"]
    assert "data-job-active" in seen["page"]
    assert job.status == "done"
    after = _status(client)
    assert not after["active"]
    [done] = after["jobs"]
    assert done["status_label"] == "完了" and done["progress"] == "5,000 / 5,000 件（100%）"
    assert done["message"] == "5,000件を処理しました。"


def test_progress_writes_are_throttled_but_the_last_one_always_lands(app):
    client = _client(app)

    def many(app_, session, progress):
        for done in range(1, 1001):
            progress(done, 1000)
        return "終わりました。"

    add_job_kind(app, JobKind("many", "たくさん", "テスト用", many))
    post_form(client, "/admin/jobs", "/admin/jobs/many", {})
    writes = []
    original = console_jobs.Progress._write

    def counted(self):
        writes.append(self.done)
        original(self)

    console_jobs.Progress._write = counted
    try:
        run_next(app, db.session, progress_interval=60)
    finally:
        console_jobs.Progress._write = original
    assert writes == [1, 1000]  # the first report, then nothing until the end
    db.session.expire_all()
    row = db.session.scalar(select(ConsoleJob))
    assert (row.progress_done, row.progress_total) == (1000, 1000)


def test_clearing_demo_kpi_data_reports_progress_between_its_batches(app):
    from kpi.demo import clear_demo_in_batches, create_demo

    written = create_demo(db.session, datetime.date(2026, 11, 30))
    db.session.commit()
    assert written > 1000
    reports = []

    def progress(done, total):
        with Session(bind=db.engine) as other:  # what the console's connection can see
            left = other.scalar(select(func.count()).select_from(DailyMetric).where(DailyMetric.is_demo.is_(True)))
        reports.append((done, total, left))

    removed = clear_demo_in_batches(db.session, progress, batch=400)
    assert removed == written
    assert reports[0] == (0, written, written)
    assert reports[-1] == (written, written, 0)
    # Each report comes after a committed batch: the rows are gone for everyone by then.
    assert all(left == total - done for done, total, left in reports)
    assert len(reports) == 1 + -(-written // 400)


def test_the_demo_kpi_button_ends_with_its_count_and_full_progress(app):
    from kpi.demo import create_demo, kpi_tables_empty

    written = create_demo(db.session, datetime.date(2026, 11, 30))
    db.session.commit()
    client = _client(app)
    post_form(client, "/admin/jobs", "/admin/jobs/kpi_demo_clear", {})
    job = run_next(app, db.session, progress_interval=0)
    assert job.status == "done" and f"{written:,}件" in job.message
    assert (job.progress_done, job.progress_total) == (written, written)
    assert kpi_tables_empty(db.session)
    assert f"{written:,} / {written:,} 件（100%）" in fresh_page(client, "/admin/jobs")


def test_rebuilding_the_search_index_counts_the_articles(app):
    for n in range(7):
        db.session.add(Article(slug=f"a-{n}", title=f"記事{n}", category="news", summary="要約", body_md="本文",
                               status="published", published_at=utcnow()))
    db.session.add(Article(slug="draft", title="下書き", category="news", summary="", body_md="", status="draft"))
    db.session.commit()
    client = _client(app)
    post_form(client, "/admin/jobs", "/admin/jobs/search_reindex", {})
    job = run_next(app, db.session, progress_interval=0)
    assert job.status == "done" and "7件" in job.message
    assert (job.progress_done, job.progress_total) == (7, 7)


def test_a_failed_job_keeps_how_far_it_got(app):
    client = _client(app)

    def breaks(app_, session, progress):
        progress(3, 10)
        raise console_jobs.JobError("途中で止まりました。")

    add_job_kind(app, JobKind("breaks", "止まる作業", "テスト用", breaks))
    post_form(client, "/admin/jobs", "/admin/jobs/breaks", {})
    job = run_next(app, db.session, progress_interval=0)
    assert job.status == "failed"
    [row] = _status(client)["jobs"]
    assert row["status_label"] == "失敗" and row["progress"] == "3 / 10 件（30%）" and row["message"] == "途中で止まりました。"


def test_the_status_is_for_ward_staff_only(app):
    contractor = _client(app, "contractor")
    assert contractor.get("/admin/jobs/status").status_code == 403
    assert app.test_client().get("/admin/jobs/status").status_code == 302  # to the login page


def test_a_runner_without_progress_still_runs(app):
    client = _client(app)
    add_job_kind(app, JobKind("plain", "昔の作業", "テスト用", lambda app_, session: "終わりました。"))
    post_form(client, "/admin/jobs", "/admin/jobs/plain", {})
    job = run_next(app, db.session, progress_interval=0)
    assert job.status == "done" and job.message == "終わりました。" and job.progress_done is None
    [row] = _status(client)["jobs"]
    assert row["progress"] == "" and row["percent"] is None
