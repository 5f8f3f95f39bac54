"""events console: editor fields, lottery, party rules, abuse limits, alert preferences

Revision ID: 0013_events_console
Revises: 0012_segments
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0013_events_console'
down_revision = '0012_segments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default='open'))
        batch_op.add_column(sa.Column('selection', sa.String(length=20), nullable=False, server_default='first_come'))
        batch_op.add_column(sa.Column('map_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('age_min', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('age_max', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('max_per_application', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('min_adults', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('min_children', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('adults_use_seats', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('confirm_by_link', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('lottery_seed', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lottery_drawn_at', core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('change_round', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_events_status'), ['status'], unique=False)

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seats', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('lottery_rank', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('held_reason', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_registrations_source_hash'), ['source_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_created_at'), ['created_at'], unique=False)

    op.create_table('event_alert_preferences',
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('stages', sa.JSON(), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_event_alert_preferences_subscriber_id_subscribers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subscriber_id', name=op.f('pk_event_alert_preferences'))
    )


def downgrade() -> None:
    op.drop_table('event_alert_preferences')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_created_at'))
        batch_op.drop_index(batch_op.f('ix_registrations_source_hash'))
        for column in ('held_reason', 'source_hash', 'lottery_rank', 'seats'):
            batch_op.drop_column(column)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_status'))
        for column in ('change_round', 'lottery_drawn_at', 'lottery_seed', 'confirm_by_link', 'adults_use_seats',
                       'min_children', 'min_adults', 'max_per_application', 'age_max', 'age_min', 'map_url',
                       'selection', 'status'):
            batch_op.drop_column(column)
