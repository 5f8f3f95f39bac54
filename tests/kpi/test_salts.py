"""Daily salts: created once per day, deleted after the day by the worker job."""
from datetime import date

from sqlalchemy import select

from core.db import db
from kpi import jobs, salts
from kpi.metrics import jst_day
from kpi.models import DailySalt


def test_one_salt_per_day_reused_from_the_database(app):
    salts.forget_cached_salts()
    with db.engine.begin() as conn:
        first = salts.salt_for(conn, date(2026, 4, 1))
    salts.forget_cached_salts()
    with db.engine.begin() as conn:
        again = salts.salt_for(conn, date(2026, 4, 1))
        other = salts.salt_for(conn, date(2026, 4, 2))
    assert first == again and first != other and len(first) == 64


def test_visitor_hash_depends_on_every_input():
    base = salts.visitor_hash("s", "example.jp", "1.2.3.4", "UA")
    variants = [salts.visitor_hash("t", "example.jp", "1.2.3.4", "UA"),
                salts.visitor_hash("s", "other.jp", "1.2.3.4", "UA"),
                salts.visitor_hash("s", "example.jp", "1.2.3.5", "UA"),
                salts.visitor_hash("s", "example.jp", "1.2.3.4", "UA2")]
    assert len(base) == 16 and base not in variants and len(set(variants)) == 4


def test_the_worker_job_deletes_every_salt_before_today(app, session):
    today = jst_day()
    with db.engine.begin() as conn:
        for day in (date(2026, 1, 1), date(2026, 1, 2), today):
            salts.salt_for(conn, day)
    assert jobs.delete_old_salts_job(app) == 2
    session.expire_all()
    assert session.scalars(select(DailySalt.day)).all() == [today]


def test_a_deleted_salt_is_not_resurrected_from_the_process_cache(app, session):
    with db.engine.begin() as conn:
        old = salts.salt_for(conn, date(2026, 1, 1))
        salts.delete_salts_before(conn, date(2026, 1, 2))
        fresh = salts.salt_for(conn, date(2026, 1, 1))
    assert fresh != old  # the old day's hashes can no longer be reproduced


def test_the_hourly_roll_up_also_removes_a_salt_left_over_from_downtime(app, session):
    with db.engine.begin() as conn:
        salts.salt_for(conn, date(2026, 1, 1))
    jobs.rollup_job(app)
    session.expire_all()
    assert session.scalars(select(DailySalt.day)).all() == []
