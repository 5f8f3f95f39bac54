"""Worker jobs: roll-ups (hourly, so the dashboard is at most an hour behind), salt deletion
right after midnight (and again with every roll-up), and the channels' own statistics once a day
(LINE's per-unit statistics, the impressions of the last week's X posts)."""
from __future__ import annotations

import logging

from core.db import db
from core.worker import job_session
from kpi import rollup, salts
from kpi.metrics import jst_day
from kpi.statistics import fetch_channel_statistics

log = logging.getLogger(__name__)


def rollup_job(app) -> dict:
    # Also here, hourly: if the worker was down at midnight, yesterday's salt still goes within the hour.
    delete_old_salts_job(app)
    with job_session(app) as session:
        result = rollup.run(session, jst_day(), app.config["SECRET_KEY"], rollup.retention_days(app.config))
        session.commit()
    log.info("KPI roll-up: %d day(s) recomputed, %d day(s) of raw events pruned",
             len(result["rolled_up"]), len(result["pruned"]))
    return result


def delete_old_salts_job(app) -> int:
    """Yesterday's visitor hashes become unlinkable once its salt is gone."""
    with app.app_context():
        with db.engine.begin() as conn:
            removed = salts.delete_salts_before(conn, jst_day())
    log.info("KPI: %d old salt(s) deleted", removed)
    return removed


def insight_job(app) -> int:
    """Each channel's own statistics (LINE: impressions and clicks per aggregation unit; X: each
    recent post's impressions, the reach of X in the KPIs)."""
    with job_session(app) as session:
        stored = fetch_channel_statistics(session, app.config, jst_day())
        session.commit()
    for name, rows in stored.items():
        log.info("%s statistics: %s", name, "channel off, nothing fetched" if rows is None else f"{rows} row(s)")
    return sum(rows or 0 for rows in stored.values())


def register_jobs(scheduler, app) -> None:
    # A worker restarted a little late still runs the nightly jobs instead of skipping a day.
    late_ok = {"misfire_grace_time": 6 * 3600}
    scheduler.add_job(delete_old_salts_job, "cron", hour=0, minute=1, args=[app], id="kpi_delete_salts", **late_ok)
    scheduler.add_job(rollup_job, "cron", minute=7, args=[app], id="kpi_rollup")
    scheduler.add_job(insight_job, "cron", hour=5, minute=30, args=[app], id="kpi_line_insight", **late_ok)
