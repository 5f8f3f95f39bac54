"""x: broadcast approval (承認待ち) and options, the X channel's problems

Revision ID: 0021_x_channel
Revises: 0020_console_jobs
Create Date: 2026-12-03 10:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0021_x_channel'
down_revision = '0020_console_jobs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('options', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key('fk_broadcasts_approved_by_id_staff_users', 'staff_users',
                                    ['approved_by_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'x_problems',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_x_problems')),
    )


def downgrade() -> None:
    op.drop_table('x_problems')
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_constraint('fk_broadcasts_approved_by_id_staff_users', type_='foreignkey')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('options')
