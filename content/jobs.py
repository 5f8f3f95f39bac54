"""Worker jobs of the content domain: publish scheduled articles when due; keep the stored page
parts of articles up to date (after a template change or an edit nobody has viewed since)."""
from __future__ import annotations

import logging

from content import page_parts, publishing
from core.worker import job_session

log = logging.getLogger(__name__)

JOB_ID = "content.publish_scheduled"
PAGES_JOB_ID = "content.build_pages"
PAGES_EVERY_MINUTES = 15


def run_scheduled_publication(app) -> list[int]:
    """One pass of the job; returns the ids of the articles it published."""
    with job_session(app) as session:
        published = publishing.publish_due(session)
    if published:
        log.info("published %d scheduled article(s): %s", len(published), published)
    return published


def run_page_build(app) -> tuple[int, int]:
    """Stale or missing stored parts rebuilt ahead of visitors (related articles are ranked again
    by the next view, as ever): a pass over fresh articles only reads."""
    articles, pages = page_parts.build_all(app, refresh_related=False)
    log.debug("stored page parts checked: %d article(s), %d category page(s)", articles, pages)
    return articles, pages


def register_jobs(scheduler, app) -> None:
    scheduler.add_job(
        run_scheduled_publication, "interval", minutes=1, args=[app], id=JOB_ID, replace_existing=True
    )
    scheduler.add_job(
        run_page_build, "interval", minutes=PAGES_EVERY_MINUTES, args=[app], id=PAGES_JOB_ID, replace_existing=True
    )
