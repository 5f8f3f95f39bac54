"""LIFF: deployed LIFF apps, single-use page nonces, friend preferences, coordinates

Revision ID: 0023_liff
Revises: 0022_videos
Create Date: 2026-12-10 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0023_liff'
down_revision = '0022_videos'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('line_liff_apps',
    sa.Column('key', sa.String(length=30), nullable=False),
    sa.Column('liff_id', sa.String(length=100), nullable=False),
    sa.Column('endpoint_url', sa.String(length=500), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('deployed_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_line_liff_apps'))
    )
    op.create_table('liff_nonces',
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_liff_nonces'))
    )
    with op.batch_alter_table('liff_nonces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_liff_nonces_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('child_stage', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('quiet_pref', sa.String(length=20), nullable=True))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latitude', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Double(), nullable=True))
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latitude', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.drop_column('quiet_pref')
        batch_op.drop_column('child_stage')
    with op.batch_alter_table('liff_nonces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_liff_nonces_created_at'))
    op.drop_table('liff_nonces')
    op.drop_table('line_liff_apps')
