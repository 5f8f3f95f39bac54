"""articles: precomputed page parts (sanitised body HTML, related-article ids) for uncached views

Revision ID: 0027_article_page_parts
Revises: 0025_outcomes_quick
Create Date: 2026-12-03 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0027_article_page_parts'
down_revision = '0025_outcomes_quick'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('articles') as batch_op:
        batch_op.add_column(sa.Column('page_parts', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('articles') as batch_op:
        batch_op.drop_column('page_parts')
