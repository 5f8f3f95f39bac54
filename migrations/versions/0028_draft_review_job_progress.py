"""review threads for broadcast drafts; progress of console jobs

Revision ID: 0028_draft_review_job_progress
Revises: 0027_article_page_parts
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = '0028_draft_review_job_progress'
down_revision = '0027_article_page_parts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'broadcast_comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('broadcast_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'],
                                name=op.f('fk_broadcast_comments_broadcast_id_broadcasts'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'],
                                name=op.f('fk_broadcast_comments_staff_id_staff_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_comments')),
    )
    op.create_index(op.f('ix_broadcast_comments_broadcast_id'), 'broadcast_comments', ['broadcast_id'], unique=False)
    with op.batch_alter_table('console_jobs') as batch:
        batch.add_column(sa.Column('progress_done', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('progress_total', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('console_jobs') as batch:
        batch.drop_column('progress_total')
        batch.drop_column('progress_done')
    op.drop_index(op.f('ix_broadcast_comments_broadcast_id'), table_name='broadcast_comments')
    op.drop_table('broadcast_comments')
