"""maintenance jobs started from the console and run by the worker

Revision ID: 0020_console_jobs
Revises: 0019_review_and_top_page
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = '0020_console_jobs'
down_revision = '0019_review_and_top_page'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'console_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('message', sa.String(length=1000), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('started_at', core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['requested_by_id'], ['staff_users.id'],
                                name=op.f('fk_console_jobs_requested_by_id_staff_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_console_jobs')),
    )
    op.create_index(op.f('ix_console_jobs_status'), 'console_jobs', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_console_jobs_status'), table_name='console_jobs')
    op.drop_table('console_jobs')
