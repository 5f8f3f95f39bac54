"""Outcomes in one click from the attendee list: consent to record with the name, form keys

Revision ID: 0025_outcomes_quick
Revises: 0024_x_threads
Create Date: 2026-12-20 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0025_outcomes_quick'
down_revision = '0024_x_threads'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('career_outcome_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('wording', sa.Text(), nullable=False),
    sa.Column('given_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('given_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['given_by_id'], ['staff_users.id'], name=op.f('fk_career_outcome_consents_given_by_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_career_outcome_consents_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['staff_users.id'], name=op.f('fk_career_outcome_consents_withdrawn_by_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_career_outcome_consents'))
    )
    with op.batch_alter_table('career_outcome_consents', schema=None) as batch_op:
        batch_op.create_index('ix_career_outcome_consents_registration_id', ['registration_id'], unique=False)

    with op.batch_alter_table('career_outcomes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_career_outcomes_submission_key'), ['submission_key'])


def downgrade() -> None:
    with op.batch_alter_table('career_outcomes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_career_outcomes_submission_key'), type_='unique')
        batch_op.drop_column('submission_key')

    with op.batch_alter_table('career_outcome_consents', schema=None) as batch_op:
        batch_op.drop_index('ix_career_outcome_consents_registration_id')

    op.drop_table('career_outcome_consents')
