"""articles: the stored article-specific page fragment and article card (keyed by a digest of their
inputs), related articles as rows (checked live in the page's one query)

Revision ID: 0030_article_page_html
Revises: 0029_kpi_period_rollups
"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = '0030_article_page_html'
down_revision = '0029_kpi_period_rollups'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('articles') as batch:
        batch.add_column(sa.Column('page_key', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('page_html', sa.Text(), nullable=True))
        batch.add_column(sa.Column('related_at', core.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('card_key', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('card_html', sa.Text(), nullable=True))
    # page_parts (0027) is no longer written but stays: migrations only add.
    op.create_table(
        'article_related',
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('related_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['articles.id'],
                                name=op.f('fk_article_related_article_id_articles'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['related_id'], ['articles.id'],
                                name=op.f('fk_article_related_related_id_articles'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('article_id', 'position', name=op.f('pk_article_related')),
    )
    op.create_index(op.f('ix_article_related_related_id'), 'article_related', ['related_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_article_related_related_id'), table_name='article_related')
    op.drop_table('article_related')
    for name in ('card_html', 'card_key', 'related_at', 'page_html', 'page_key'):
        op.execute(f'ALTER TABLE articles DROP COLUMN {name}')
