"""discord bot: server settings, problems for staff, scheduled events

Revision ID: 0006_discord
Revises: 0005_events
Create Date: 2026-11-28 21:55:00.000000
"""
from alembic import op
import sqlalchemy as sa
import web.db


revision = '0006_discord'
down_revision = '0005_events'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('discord_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.String(length=30), nullable=True),
    sa.Column('welcome_channel_id', sa.String(length=30), nullable=True),
    sa.Column('crosspost', sa.Boolean(), nullable=False),
    sa.Column('feature_threads', sa.Boolean(), nullable=False),
    sa.Column('scheduled_events', sa.Boolean(), nullable=False),
    sa.Column('last_ready_at', web.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('commands_synced_at', web.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discord_settings'))
    )
    op.create_table('discord_problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('code', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('first_seen_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', web.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discord_problems')),
    sa.UniqueConstraint('action', 'target_id', name='uq_discord_problems_action_target')
    )
    op.create_table('discord_scheduled_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.String(length=30), nullable=False),
    sa.Column('discord_event_id', sa.String(length=30), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('synced_at', web.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_discord_scheduled_events_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discord_scheduled_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_discord_scheduled_events_event_id'))
    )


def downgrade() -> None:
    op.drop_table('discord_scheduled_events')
    op.drop_table('discord_problems')
    op.drop_table('discord_settings')
