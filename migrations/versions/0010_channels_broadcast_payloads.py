"""channels: a broadcast's per-channel payloads in one JSON column keyed by channel

Revision ID: 0010_channels
Revises: 0009_broadcast
Create Date: 2026-12-03 09:50:00

The old per-channel columns stay (migrations only add); their contents are copied
into ``payloads`` so broadcasts queued before the upgrade are still delivered.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_channels'
down_revision = '0009_broadcast'
branch_labels = None
depends_on = None

broadcasts = sa.table(
    'broadcasts',
    sa.column('id', sa.Integer),
    sa.column('line_payload', sa.JSON),
    sa.column('discord_payload', sa.JSON),
    sa.column('payloads', sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payloads', sa.JSON(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(broadcasts.c.id, broadcasts.c.line_payload, broadcasts.c.discord_payload))
    for broadcast_id, line_payload, discord_payload in rows.all():
        payloads = {name: value for name, value in (("line", line_payload), ("discord", discord_payload))
                    if value is not None}
        if payloads:
            connection.execute(broadcasts.update().where(broadcasts.c.id == broadcast_id).values(payloads=payloads))


def downgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_column('payloads')
