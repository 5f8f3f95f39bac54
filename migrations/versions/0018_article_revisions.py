"""article revisions (every save keeps one)

Revision ID: 0018_article_revisions
Revises: 0017_announce_defaults
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = '0018_article_revisions'
down_revision = '0017_announce_defaults'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'article_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('snapshot', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_revisions_article_id_articles'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_article_revisions_staff_id_staff_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_article_revisions')),
    )
    op.create_index(op.f('ix_article_revisions_article_id'), 'article_revisions', ['article_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_article_revisions_article_id'), table_name='article_revisions')
    op.drop_table('article_revisions')
