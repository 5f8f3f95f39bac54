"""line queue and rich menus

Revision ID: 0004_line
Revises: 0003_admin
Create Date: 2026-11-28 21:27:06.565031
"""
from alembic import op
import sqlalchemy as sa
import web.db


revision = '0004_line'
down_revision = '0003_admin'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bot_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('dedup_key', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('run_after', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', web.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', web.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bot_jobs')),
    sa.UniqueConstraint('channel', 'dedup_key', name='uq_bot_jobs_channel_dedup_key')
    )
    with op.batch_alter_table('bot_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bot_jobs_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_bot_jobs_status_run_after', ['status', 'run_after'], unique=False)

    op.create_table('line_rich_menus',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('rich_menu_id', sa.String(length=100), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('alias_id', sa.String(length=32), nullable=True),
    sa.Column('deployed_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_line_rich_menus'))
    )


def downgrade() -> None:
    op.drop_table('line_rich_menus')
    with op.batch_alter_table('bot_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_bot_jobs_status_run_after')
        batch_op.drop_index(batch_op.f('ix_bot_jobs_created_at'))
    op.drop_table('bot_jobs')
