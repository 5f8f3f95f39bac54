"""videos: followed YouTube channels/playlists and the videos imported from their feeds

Revision ID: 0022_videos
Revises: 0021_x_channel
Create Date: 2026-12-03 11:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0022_videos'
down_revision = '0021_x_channel'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'video_sources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('external_id', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('etag', sa.String(length=200), nullable=True),
        sa.Column('last_modified', sa.String(length=100), nullable=True),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_video_sources')),
        sa.UniqueConstraint('kind', 'external_id', name='uq_video_sources_kind_external'),
    )
    op.create_table(
        'videos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('video_id', sa.String(length=20), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('thumbnail', sa.LargeBinary(), nullable=True),
        sa.Column('thumbnail_type', sa.String(length=30), nullable=True),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['source_id'], ['video_sources.id'], name=op.f('fk_videos_source_id_video_sources'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_videos')),
        sa.UniqueConstraint('video_id', name=op.f('uq_videos_video_id')),
    )
    op.create_index(op.f('ix_videos_published_at'), 'videos', ['published_at'], unique=False)
    op.create_index(op.f('ix_videos_source_id'), 'videos', ['source_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_videos_source_id'), table_name='videos')
    op.drop_index(op.f('ix_videos_published_at'), table_name='videos')
    op.drop_table('videos')
    op.drop_table('video_sources')
