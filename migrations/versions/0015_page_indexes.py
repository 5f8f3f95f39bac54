"""page indexes: articles by tag, category listings and related-article ranking without wide rows

Revision ID: 0015_page_indexes
Revises: 0014_staff_session
Create Date: 2026-12-03 10:35:00
"""
from alembic import op


revision = '0015_page_indexes'
down_revision = '0014_staff_session'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('article_tags', schema=None) as batch_op:
        batch_op.create_index('ix_article_tags_tag_article', ['tag_id', 'article_id'], unique=False)
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index('ix_articles_listing', ['category', 'status', 'published_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index('ix_articles_listing')
    with op.batch_alter_table('article_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_article_tags_tag_article')
