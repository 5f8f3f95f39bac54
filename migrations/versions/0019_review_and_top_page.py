"""review threads per article and the editable top page

Revision ID: 0019_review_and_top_page
Revises: 0018_article_revisions
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = '0019_review_and_top_page'
down_revision = '0018_article_revisions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'article_comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_comments_article_id_articles'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_article_comments_staff_id_staff_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_article_comments')),
    )
    op.create_index(op.f('ix_article_comments_article_id'), 'article_comments', ['article_id'], unique=False)
    op.create_table(
        'top_page_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('live', sa.JSON(), nullable=False),
        sa.Column('pending', sa.JSON(), nullable=True),
        sa.Column('pending_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['pending_by_id'], ['staff_users.id'],
                                name=op.f('fk_top_page_settings_pending_by_id_staff_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_top_page_settings')),
    )


def downgrade() -> None:
    op.drop_table('top_page_settings')
    op.drop_index(op.f('ix_article_comments_article_id'), table_name='article_comments')
    op.drop_table('article_comments')
