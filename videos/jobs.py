"""The worker reads the followed YouTube feeds every YOUTUBE_POLL_MINUTES."""
from __future__ import annotations

import logging

from core.worker import job_session
from videos import service

log = logging.getLogger(__name__)


def import_videos(app) -> None:
    with job_session(app) as session:
        added = service.import_all(session, app.config)
        if added:
            log.info("imported %s new YouTube videos", added)


def register_jobs(scheduler, app) -> None:
    minutes = float(app.config.get("YOUTUBE_POLL_MINUTES") or 30)
    scheduler.add_job(import_videos, "interval", minutes=minutes, args=[app], id="videos-import",
                      max_instances=1, coalesce=True)
