"""X: thread progress per outbox row (parts posted, their ids) and posts' impressions for the KPIs

Revision ID: 0024_x_threads
Revises: 0023_liff
Create Date: 2026-12-12 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0024_x_threads'
down_revision = '0023_liff'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('x_thread_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('retry_key', sa.String(length=36), nullable=False),
    sa.Column('part', sa.Integer(), nullable=False),
    sa.Column('tweet_id', sa.String(length=30), nullable=False),
    sa.Column('posted_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['retry_key'], ['broadcast_deliveries.retry_key'],
                            name=op.f('fk_x_thread_posts_retry_key_broadcast_deliveries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_x_thread_posts')),
    sa.UniqueConstraint('retry_key', 'part', name='uq_x_thread_posts_retry_key_part')
    )
    op.create_index(op.f('ix_x_thread_posts_retry_key'), 'x_thread_posts', ['retry_key'], unique=False)
    op.create_table('kpi_post_stats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('post_id', sa.String(length=40), nullable=False),
    sa.Column('broadcast_id', sa.Integer(), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('posted_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('impressions', sa.BigInteger(), nullable=True),
    sa.Column('fetched_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_post_stats')),
    sa.UniqueConstraint('channel', 'post_id', name='uq_kpi_post_stats_channel_post')
    )
    op.create_index('ix_kpi_post_stats_posted_at', 'kpi_post_stats', ['posted_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_kpi_post_stats_posted_at', table_name='kpi_post_stats')
    op.drop_table('kpi_post_stats')
    op.drop_index(op.f('ix_x_thread_posts_retry_key'), table_name='x_thread_posts')
    op.drop_table('x_thread_posts')
