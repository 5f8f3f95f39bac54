"""Worker jobs of the content domain: publish scheduled articles when due."""
from __future__ import annotations

import logging

from content import publishing
from core.worker import job_session

log = logging.getLogger(__name__)

JOB_ID = "content.publish_scheduled"


def run_scheduled_publication(app) -> list[int]:
    """One pass of the job; returns the ids of the articles it published."""
    with job_session(app) as session:
        published = publishing.publish_due(session)
    if published:
        log.info("published %d scheduled article(s): %s", len(published), published)
    return published


def register_jobs(scheduler, app) -> None:
    scheduler.add_job(
        run_scheduled_publication, "interval", minutes=1, args=[app], id=JOB_ID, replace_existing=True
    )
