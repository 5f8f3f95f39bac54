"""search: query log for KPIs

Revision ID: 0007_search
Revises: 0006_discord
Create Date: 2026-11-28 22:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import web.db


revision = '0007_search'
down_revision = '0006_discord'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_query_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=200), nullable=False),
    sa.Column('result_count', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=True),
    sa.Column('created_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_query_logs'))
    )
    with op.batch_alter_table('search_query_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_query_logs_channel'), ['channel'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_query_logs_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_search_query_logs_zero_hits', ['result_count', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('search_query_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_search_query_logs_zero_hits')
        batch_op.drop_index(batch_op.f('ix_search_query_logs_created_at'))
        batch_op.drop_index(batch_op.f('ix_search_query_logs_channel'))

    op.drop_table('search_query_logs')
