"""kpi: daily totals and weekly sums of kpi_daily_metrics, kept equal by triggers; demo-row index

Revision ID: 0029_kpi_period_rollups
Revises: 0028_draft_review_job_progress
Create Date: 2026-12-03 14:00:00

The dashboard read ~1,000 daily rows per day of its period (95k rows for 90 days
at 1M raw events). ``kpi_daily_totals`` (per day, metric, channel, on an article
or not) and ``kpi_weekly_metrics`` (per Monday week, every other dimension) are
sums of ``kpi_daily_metrics`` maintained by triggers on every insert, update and
delete of it, whoever writes (the roll-up, the demo, a test): they can never
disagree with the daily rows. PostgreSQL: statement-level triggers with transition
tables (PostgreSQL 10+); SQLite: row-level triggers with UPSERT (SQLite 3.24+).

A later migration that rebuilds ``kpi_daily_metrics`` on SQLite (batch mode copies
the table) drops its triggers and must create them again (``create_triggers``);
tests/kpi/test_period_rollups.py fails if they are missing.
"""
from alembic import op
import sqlalchemy as sa


revision = '0029_kpi_period_rollups'
down_revision = '0028_draft_review_job_progress'
branch_labels = None
depends_on = None

WEEK_DIMS = "metric, channel, persona, article_id, ref_id, label"
TOTAL_DIMS = "metric, channel"


def _week(dialect: str, column: str = "day") -> str:
    if dialect == "postgresql":
        return f"CAST(date_trunc('week', {column}) AS date)"
    return f"date({column}, '-6 days', 'weekday 1')"  # the Monday of the (Monday–Sunday) week


def _on_article(column: str = "article_id") -> str:
    return f"({column} <> 0)"


POSTGRES_FUNCTION = f"""
CREATE FUNCTION kpi_period_rollups_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE kpi_weekly_metrics AS w SET value = w.value - g.value, daily_rows = w.daily_rows - g.n
        FROM (SELECT {_week('postgresql')} AS week, {WEEK_DIMS}, SUM(value) AS value, COUNT(*) AS n
              FROM kpi_old_rows GROUP BY 1, 2, 3, 4, 5, 6, 7) AS g
        WHERE w.week = g.week AND w.metric = g.metric AND w.channel = g.channel AND w.persona = g.persona
          AND w.article_id = g.article_id AND w.ref_id = g.ref_id AND w.label = g.label;
        DELETE FROM kpi_weekly_metrics
        WHERE daily_rows <= 0 AND week IN (SELECT DISTINCT {_week('postgresql')} FROM kpi_old_rows);
        UPDATE kpi_daily_totals AS t SET value = t.value - g.value, daily_rows = t.daily_rows - g.n
        FROM (SELECT day, {TOTAL_DIMS}, {_on_article()} AS on_article, SUM(value) AS value, COUNT(*) AS n
              FROM kpi_old_rows GROUP BY 1, 2, 3, 4) AS g
        WHERE t.day = g.day AND t.metric = g.metric AND t.channel = g.channel AND t.on_article = g.on_article;
        DELETE FROM kpi_daily_totals WHERE daily_rows <= 0 AND day IN (SELECT DISTINCT day FROM kpi_old_rows);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO kpi_weekly_metrics AS w (week, {WEEK_DIMS}, value, daily_rows)
        SELECT {_week('postgresql')}, {WEEK_DIMS}, SUM(value), COUNT(*)
        FROM kpi_new_rows GROUP BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (week, {WEEK_DIMS})
        DO UPDATE SET value = w.value + excluded.value, daily_rows = w.daily_rows + excluded.daily_rows;
        INSERT INTO kpi_daily_totals AS t (day, {TOTAL_DIMS}, on_article, value, daily_rows)
        SELECT day, {TOTAL_DIMS}, {_on_article()}, SUM(value), COUNT(*)
        FROM kpi_new_rows GROUP BY 1, 2, 3, 4
        ON CONFLICT (day, {TOTAL_DIMS}, on_article)
        DO UPDATE SET value = t.value + excluded.value, daily_rows = t.daily_rows + excluded.daily_rows;
    END IF;
    RETURN NULL;
END
$$
"""

POSTGRES_TRUNCATE_FUNCTION = """
CREATE FUNCTION kpi_period_rollups_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM kpi_weekly_metrics;
    DELETE FROM kpi_daily_totals;
    RETURN NULL;
END
$$
"""

POSTGRES_TRIGGERS = (
    "CREATE TRIGGER kpi_daily_metrics_inserted AFTER INSERT ON kpi_daily_metrics"
    " REFERENCING NEW TABLE AS kpi_new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_period_rollups_sync()",
    "CREATE TRIGGER kpi_daily_metrics_updated AFTER UPDATE ON kpi_daily_metrics"
    " REFERENCING OLD TABLE AS kpi_old_rows NEW TABLE AS kpi_new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION kpi_period_rollups_sync()",
    "CREATE TRIGGER kpi_daily_metrics_deleted AFTER DELETE ON kpi_daily_metrics"
    " REFERENCING OLD TABLE AS kpi_old_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_period_rollups_sync()",
    "CREATE TRIGGER kpi_daily_metrics_truncated AFTER TRUNCATE ON kpi_daily_metrics"
    " FOR EACH STATEMENT EXECUTE FUNCTION kpi_period_rollups_truncate()",
)


def _sqlite_add(row: str) -> str:
    return f"""
    INSERT INTO kpi_weekly_metrics (week, {WEEK_DIMS}, value, daily_rows)
    VALUES ({_week('sqlite', f'{row}.day')}, {row}.metric, {row}.channel, {row}.persona, {row}.article_id,
            {row}.ref_id, {row}.label, {row}.value, 1)
    ON CONFLICT (week, {WEEK_DIMS}) DO UPDATE SET value = value + excluded.value, daily_rows = daily_rows + 1;
    INSERT INTO kpi_daily_totals (day, {TOTAL_DIMS}, on_article, value, daily_rows)
    VALUES ({row}.day, {row}.metric, {row}.channel, {_on_article(f'{row}.article_id')}, {row}.value, 1)
    ON CONFLICT (day, {TOTAL_DIMS}, on_article) DO UPDATE SET value = value + excluded.value, daily_rows = daily_rows + 1;"""


def _sqlite_remove(row: str) -> str:
    week_key = (f"week = {_week('sqlite', f'{row}.day')} AND metric = {row}.metric AND channel = {row}.channel"
                f" AND persona = {row}.persona AND article_id = {row}.article_id AND ref_id = {row}.ref_id"
                f" AND label = {row}.label")
    total_key = (f"day = {row}.day AND metric = {row}.metric AND channel = {row}.channel"
                 f" AND on_article = {_on_article(f'{row}.article_id')}")
    return f"""
    UPDATE kpi_weekly_metrics SET value = value - {row}.value, daily_rows = daily_rows - 1 WHERE {week_key};
    DELETE FROM kpi_weekly_metrics WHERE daily_rows <= 0 AND {week_key};
    UPDATE kpi_daily_totals SET value = value - {row}.value, daily_rows = daily_rows - 1 WHERE {total_key};
    DELETE FROM kpi_daily_totals WHERE daily_rows <= 0 AND {total_key};"""


SQLITE_TRIGGERS = (
    f"CREATE TRIGGER kpi_daily_metrics_inserted AFTER INSERT ON kpi_daily_metrics BEGIN {_sqlite_add('NEW')} END",
    f"CREATE TRIGGER kpi_daily_metrics_updated AFTER UPDATE ON kpi_daily_metrics BEGIN"
    f" {_sqlite_remove('OLD')} {_sqlite_add('NEW')} END",
    f"CREATE TRIGGER kpi_daily_metrics_deleted AFTER DELETE ON kpi_daily_metrics BEGIN {_sqlite_remove('OLD')} END",
)
TRIGGER_NAMES = ("kpi_daily_metrics_inserted", "kpi_daily_metrics_updated", "kpi_daily_metrics_deleted")


def create_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRUNCATE_FUNCTION)
        for statement in POSTGRES_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def drop_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        for name in (*TRIGGER_NAMES, "kpi_daily_metrics_truncated"):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON kpi_daily_metrics")
        op.execute("DROP FUNCTION IF EXISTS kpi_period_rollups_sync()")
        op.execute("DROP FUNCTION IF EXISTS kpi_period_rollups_truncate()")
    else:
        for name in TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table('kpi_daily_totals',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('on_article', sa.Boolean(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('daily_rows', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'metric', 'channel', 'on_article', name=op.f('pk_kpi_daily_totals'))
    )
    op.create_table('kpi_weekly_metrics',
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('persona', sa.String(length=20), nullable=False),
    sa.Column('article_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('ref_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('daily_rows', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('week', 'metric', 'channel', 'persona', 'article_id', 'ref_id', 'label',
                            name=op.f('pk_kpi_weekly_metrics'))
    )
    # Not in batch mode: rebuilding the table on SQLite would drop triggers (see above).
    op.create_index('ix_kpi_daily_metrics_demo_day', 'kpi_daily_metrics', ['day'], unique=False,
                    postgresql_where=sa.text('is_demo'), sqlite_where=sa.text("is_demo = 1"))
    # What the daily rows already hold, then triggers keep it so.
    op.execute(f"INSERT INTO kpi_weekly_metrics (week, {WEEK_DIMS}, value, daily_rows)"
               f" SELECT {_week(dialect)}, {WEEK_DIMS}, SUM(value), COUNT(*) FROM kpi_daily_metrics"
               f" GROUP BY {_week(dialect)}, {WEEK_DIMS}")
    op.execute(f"INSERT INTO kpi_daily_totals (day, {TOTAL_DIMS}, on_article, value, daily_rows)"
               f" SELECT day, {TOTAL_DIMS}, {_on_article()}, SUM(value), COUNT(*) FROM kpi_daily_metrics"
               f" GROUP BY day, {TOTAL_DIMS}, {_on_article()}")
    create_triggers(dialect)


def downgrade() -> None:
    drop_triggers(op.get_bind().dialect.name)
    op.drop_index('ix_kpi_daily_metrics_demo_day', table_name='kpi_daily_metrics')
    op.drop_table('kpi_weekly_metrics')
    op.drop_table('kpi_daily_totals')
