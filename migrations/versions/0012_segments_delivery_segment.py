"""segments: the audience segment (persona, Discord destination) of each outbox row

Revision ID: 0012_segments
Revises: 0011_careers
Create Date: 2026-12-03 10:25:00

Each segment gets its own message variant with its own tracked links, so a click is
attributed to its segment without per-user tracking. Rows written before this have
no segment and use the channel's one payload.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_segments'
down_revision = '0011_careers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('broadcast_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('segment', sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('broadcast_deliveries', schema=None) as batch_op:
        batch_op.drop_column('segment')
