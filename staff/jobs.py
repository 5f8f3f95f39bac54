"""Worker jobs of the staff package: run maintenance jobs requested from the console."""
from __future__ import annotations

from core.worker import job_session

POLL_SECONDS = 3


def run_console_jobs(app) -> None:
    from staff.console_jobs import run_next

    with job_session(app) as session:
        while run_next(app, session) is not None:
            pass


def register_jobs(scheduler, app) -> None:
    scheduler.add_job(run_console_jobs, "interval", seconds=POLL_SECONDS, args=[app], id="console_jobs")
