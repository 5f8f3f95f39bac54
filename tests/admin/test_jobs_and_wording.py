"""Jobs as buttons (run by the worker, shown in the console, audited) and no jargon on screen."""
from __future__ import annotations

import re

from console_helpers import FORM, fresh_page, login, make_staff, post_form
from sqlalchemy import select

from content.models import Article
from core.db import db
from staff.console_jobs import run_next
from staff.models import AuditLog, ConsoleJob


def _ward(app):
    make_staff("ward")
    client = app.test_client()
    assert login(client, "ward@example.jp").status_code == 302
    return client


def test_a_job_button_is_run_by_the_worker_and_its_result_shown_and_audited(app):
    from kpi.demo import create_demo, kpi_tables_empty

    create_demo(db.session, __import__("datetime").date(2026, 11, 30))
    db.session.commit()
    client = _ward(app)
    html = fresh_page(client, "/admin/jobs")
    assert "デモのKPIデータを削除する" in html and "monozukuri" not in html
    assert post_form(client, "/admin/jobs", "/admin/jobs/kpi_demo_clear", {}).status_code == 302
    assert "順番待ち" in fresh_page(client, "/admin/jobs")
    job = run_next(app, db.session)  # what the worker's interval job does
    assert job.status == "done" and "デモのKPIデータを削除しました" in job.message
    assert kpi_tables_empty(db.session)
    html = fresh_page(client, "/admin/jobs")
    assert "完了" in html and "デモのKPIデータを削除しました" in html
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"job.request", "job.done"} <= actions


def test_a_job_that_cannot_run_says_why_in_japanese(app):
    client = _ward(app)
    post_form(client, "/admin/jobs", "/admin/jobs/line_richmenu", {})
    job = run_next(app, db.session)
    assert job.status == "failed" and "LINEが設定されていない" in job.message
    assert db.session.scalar(select(ConsoleJob.status)) == "failed"


def test_the_slug_is_never_required(app):
    client = _ward(app)
    data = {**FORM, "slug": ""}
    assert post_form(client, "/admin/articles/new", "/admin/articles/new", data).status_code == 302
    slug = db.session.scalar(select(Article.slug))
    assert re.fullmatch(r"\d{8}-1", slug)
    data = {**FORM, "slug": "", "title": "二つ目"}
    post_form(client, "/admin/articles/new", "/admin/articles/new", data)
    assert db.session.scalar(select(Article.slug).where(Article.title == "二つ目")).endswith("-2")


def test_no_command_lines_markdown_or_raw_keys_on_console_pages(app):
    client = _ward(app)
    for url in ("/admin/", "/admin/articles/new", "/admin/jobs", "/admin/kpi/", "/admin/broadcasts",
                "/admin/broadcasts/settings", "/admin/discord/"):
        html = fresh_page(client, url)
        assert "monozukuri " not in html and "（Markdown）" not in html and "workshop_alert" not in html, url
