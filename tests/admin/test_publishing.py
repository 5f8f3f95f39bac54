"""Workflow service: roles, transitions, hooks, scheduled publication."""
from __future__ import annotations

from datetime import timedelta

import pytest
from console_helpers import make_staff
from sqlalchemy import select

from content import publishing
from content.models import Article
from core import signals
from core.db import db, utcnow
from staff.models import AuditLog


def _article(author, category="feature", **extra) -> Article:
    article = Article(slug=extra.pop("slug", "kiji"), title="記事", category=category, body_md="本文",
                      created_by_id=author.id, **extra)
    db.session.add(article)
    db.session.commit()
    return article


@pytest.fixture
def hook_calls():
    calls = []

    def hook(article, session, staff):
        calls.append((article.id, article.status, staff.id if staff else None))

    with signals.article_published.connected_to(hook):
        yield calls


def test_contractor_cannot_approve_or_publish(app):
    contractor = make_staff("contractor")
    article = _article(contractor)
    publishing.submit_for_review(db.session, article, contractor)
    for step in (publishing.approve, publishing.publish):
        with pytest.raises(publishing.NotAllowed) as info:
            step(db.session, article, contractor)
        assert "区職員" in str(info.value)
    with pytest.raises(PermissionError):
        publishing.schedule(db.session, article, utcnow() + timedelta(days=1), contractor)


def test_contractor_cannot_write_news(app):
    contractor = make_staff("contractor")
    article = _article(contractor, category="news")
    with pytest.raises(publishing.NotAllowed):
        publishing.submit_for_review(db.session, article, contractor)


def test_full_workflow_with_hook_called_once(app, hook_calls):
    contractor, ward = make_staff("contractor"), make_staff("ward")
    article = _article(contractor)
    publishing.submit_for_review(db.session, article, contractor)
    publishing.approve(db.session, article, ward)
    publishing.publish(db.session, article, ward)
    db.session.commit()
    assert article.status == "published" and article.published_at is not None
    assert article.reviewed_by_id == ward.id
    assert hook_calls == [(article.id, "published", ward.id)]
    query = select(AuditLog.action).where(AuditLog.target_type == "article").order_by(AuditLog.id)
    actions = db.session.scalars(query).all()
    assert actions == ["article.submit", "article.approve", "article.publish"]


def test_ward_cannot_publish_a_contractor_draft(app):
    contractor, ward = make_staff("contractor"), make_staff("ward")
    article = _article(contractor)
    with pytest.raises(publishing.InvalidTransition):
        publishing.publish(db.session, article, ward)


def test_scheduled_publication_by_job_runs_hooks_once(app, hook_calls):
    ward = make_staff("ward")
    article = _article(ward, category="news")
    when = utcnow() + timedelta(minutes=5)
    publishing.schedule(db.session, article, when, ward)
    db.session.commit()
    assert publishing.publish_due(db.new_session(), utcnow()) == []
    assert publishing.publish_due(db.new_session(), when + timedelta(seconds=1)) == [article.id]
    assert publishing.publish_due(db.new_session(), when + timedelta(minutes=2)) == []
    db.session.expire_all()
    assert db.session.get(Article, article.id).status == "published"
    assert hook_calls == [(article.id, "published", None)]


def test_job_function_publishes_due_articles(app, hook_calls):
    from content import jobs

    ward = make_staff("ward")
    article = _article(ward, category="news")
    publishing.schedule(db.session, article, utcnow() + timedelta(seconds=1), ward)
    db.session.commit()
    article.scheduled_at = utcnow() - timedelta(seconds=1)  # time has come
    db.session.commit()
    assert jobs.run_scheduled_publication(app) == [article.id]
    assert jobs.run_scheduled_publication(app) == []
    assert len(hook_calls) == 1
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "article.publish"))
    assert entry.staff_id is None  # published by the system


def test_worker_registers_the_job(app):
    from content.jobs import JOB_ID
    from core.worker import build_scheduler

    assert JOB_ID in {job.id for job in build_scheduler(app).get_jobs()}


def test_failing_hook_aborts_the_publication(app):
    ward = make_staff("ward")
    article = _article(ward, category="news")

    def broken(article, session, staff):
        raise RuntimeError("outbox unavailable")

    with signals.article_published.connected_to(broken), pytest.raises(RuntimeError):
        publishing.publish(db.session, article, ward)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Article, article.id).status == "draft"
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "article.publish")) is None


def test_unpublish_and_cancel_schedule(app, hook_calls):
    ward = make_staff("ward")
    published = _article(ward, category="news", slug="a")
    publishing.publish(db.session, published, ward)
    publishing.unpublish(db.session, published, ward)
    assert published.status == "draft"
    booked = _article(ward, category="local", slug="b")
    publishing.schedule(db.session, booked, utcnow() + timedelta(days=1), ward)
    publishing.unpublish(db.session, booked, ward)
    assert booked.status == "approved" and booked.scheduled_at is None
    with pytest.raises(publishing.InvalidTransition):
        publishing.unpublish(db.session, booked, ward)


def test_admin_passes_every_check_and_contractor_edits_only_unpublished(app):
    admin, contractor = make_staff("admin"), make_staff("contractor")
    article = _article(contractor)
    publishing.submit_for_review(db.session, article, contractor)
    publishing.approve(db.session, article, admin)
    assert publishing.may_edit(contractor, article)
    publishing.publish(db.session, article, admin)
    assert not publishing.may_edit(contractor, article)
    with pytest.raises(publishing.NotAllowed):
        publishing.ensure_may_edit(contractor, article)


def test_scheduled_job_skips_a_row_locked_by_another_worker(postgres_app):
    # Row locks (FOR UPDATE SKIP LOCKED) exist on PostgreSQL only; SQLite runs one worker.
    ward = make_staff("ward")
    article = _article(ward, category="news")
    publishing.schedule(db.session, article, utcnow() + timedelta(minutes=1), ward)
    db.session.commit()
    holder = db.new_session()
    holder.scalar(select(Article).where(Article.id == article.id).with_for_update())
    later = utcnow() + timedelta(minutes=2)
    try:
        assert publishing.publish_due(db.new_session(), later) == []
    finally:
        holder.rollback()
        holder.close()
    assert publishing.publish_due(db.new_session(), later) == [article.id]
