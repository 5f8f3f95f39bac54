"""kpi analytics: raw page views, clicks and events, salts, daily roll-ups, LINE unit stats, inflow sources

Revision ID: 0008_kpi
Revises: 0007_search
Create Date: 2026-11-28 21:27:42.004061
"""
from alembic import op
import sqlalchemy as sa
import web.db


revision = '0008_kpi'
down_revision = '0007_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kpi_clicks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('broadcast_id', sa.Integer(), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('campaign', sa.String(length=50), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('recipient_hash', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_clicks'))
    )
    with op.batch_alter_table('kpi_clicks', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_clicks_day', ['day'], unique=False)

    op.create_table('kpi_daily_metrics',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('persona', sa.String(length=20), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_daily_metrics')),
    sa.UniqueConstraint('day', 'metric', 'channel', 'persona', 'article_id', 'ref_id', 'label', 'is_demo', name='uq_kpi_daily_metrics_key')
    )
    with op.batch_alter_table('kpi_daily_metrics', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_daily_metrics_metric_day', ['metric', 'day'], unique=False)

    op.create_table('kpi_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('persona', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_events'))
    )
    with op.batch_alter_table('kpi_events', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_events_day_kind', ['day', 'kind'], unique=False)

    op.create_table('kpi_inflow_sources',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('target', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_kpi_inflow_sources'))
    )
    op.create_table('kpi_line_unit_stats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=30), nullable=False),
    sa.Column('fetched_day', sa.Date(), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('unique_impression', sa.BigInteger(), nullable=True),
    sa.Column('unique_click', sa.BigInteger(), nullable=True),
    sa.Column('unique_media_played', sa.BigInteger(), nullable=True),
    sa.Column('impressions', sa.BigInteger(), nullable=True),
    sa.Column('clicks', sa.BigInteger(), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('fetched_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_line_unit_stats')),
    sa.UniqueConstraint('unit', 'fetched_day', name='uq_kpi_line_unit_stats_unit_day')
    )
    op.create_table('kpi_page_views',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('referrer_domain', sa.String(length=100), nullable=False),
    sa.Column('utm_source', sa.String(length=50), nullable=False),
    sa.Column('utm_medium', sa.String(length=50), nullable=False),
    sa.Column('utm_campaign', sa.String(length=50), nullable=False),
    sa.Column('visitor_hash', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_page_views'))
    )
    with op.batch_alter_table('kpi_page_views', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_page_views_day', ['day'], unique=False)

    op.create_table('kpi_rollup_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('rolled_up_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('raw_pruned', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_kpi_rollup_days'))
    )
    op.create_table('kpi_salts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.Column('created_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_kpi_salts'))
    )


def downgrade() -> None:
    op.drop_table('kpi_salts')
    op.drop_table('kpi_rollup_days')
    with op.batch_alter_table('kpi_page_views', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_page_views_day')

    op.drop_table('kpi_page_views')
    op.drop_table('kpi_line_unit_stats')
    op.drop_table('kpi_inflow_sources')
    with op.batch_alter_table('kpi_events', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_events_day_kind')

    op.drop_table('kpi_events')
    with op.batch_alter_table('kpi_daily_metrics', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_daily_metrics_metric_day')

    op.drop_table('kpi_daily_metrics')
    with op.batch_alter_table('kpi_clicks', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_clicks_day')

    op.drop_table('kpi_clicks')
