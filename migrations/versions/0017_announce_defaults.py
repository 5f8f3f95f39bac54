"""publish → announce: staff choices per article, rules ON after install

Adds announce_decisions and, for feature, series, news, local and admin, an
announce rule that is ON for every channel unless staff already saved one
(nothing staff chose is overwritten).

Revision ID: 0017_announce_defaults
Revises: 0016_default_topics
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import core.db

revision = '0017_announce_defaults'
down_revision = '0016_default_topics'
branch_labels = None
depends_on = None

# A copy, not an import: what "ON after install" meant when this was written.
ANNOUNCED_CATEGORIES = ("feature", "series", "news", "local", "admin")
ALL_CHANNELS = ["line", "discord", "web"]

rules = sa.table(
    "announce_rules", sa.column("category", sa.String), sa.column("enabled", sa.Boolean),
    sa.column("channels", sa.JSON), sa.column("updated_at", core.db.UTCDateTime(timezone=True)),
)


def upgrade() -> None:
    op.create_table(
        'announce_decisions',
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('decision', sa.String(length=10), nullable=False),
        sa.Column('channels', sa.JSON(), nullable=False),
        sa.Column('send_at', core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('broadcast_id', sa.Integer(), nullable=True),
        sa.Column('applied_at', core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_announce_decisions_article_id_articles'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'],
                                name=op.f('fk_announce_decisions_broadcast_id_broadcasts'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['staff_users.id'],
                                name=op.f('fk_announce_decisions_decided_by_id_staff_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('article_id', name=op.f('pk_announce_decisions')),
    )
    connection = op.get_bind()
    existing = set(connection.scalars(sa.select(rules.c.category)))
    now = datetime.now(UTC)
    missing = [{"category": c, "enabled": True, "channels": ALL_CHANNELS, "updated_at": now}
               for c in ANNOUNCED_CATEGORIES if c not in existing]
    if missing:
        connection.execute(rules.insert(), missing)


def downgrade() -> None:
    op.drop_table('announce_decisions')
