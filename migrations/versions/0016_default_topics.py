"""default topic set for friends who never chose any (data only)

Friends who followed before the default set existed and never opened 受信設定
(no persona, no topic) received nothing. They get the default set now; anyone
who chose a persona or a topic is left exactly as they are.

Revision ID: 0016_default_topics
Revises: 0015_page_indexes
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import core.db

revision = '0016_default_topics'
down_revision = '0015_page_indexes'
branch_labels = None
depends_on = None

# A copy, not an import: a migration must keep meaning what it meant when written.
DEFAULT_TOPICS = ("features", "news", "local")

subscribers = sa.table("subscribers", sa.column("id", sa.Integer), sa.column("persona", sa.String))
subscriptions = sa.table(
    "subscriptions", sa.column("subscriber_id", sa.Integer), sa.column("topic", sa.String),
    sa.column("created_at", core.db.UTCDateTime(timezone=True)),
)


def upgrade() -> None:
    connection = op.get_bind()
    has_any = sa.exists().where(subscriptions.c.subscriber_id == subscribers.c.id)
    never_chose = sa.select(subscribers.c.id).where(subscribers.c.persona.is_(None), ~has_any)
    ids = list(connection.scalars(never_chose))
    now = datetime.now(UTC)
    for start in range(0, len(ids), 1000):
        rows = [{"subscriber_id": i, "topic": t, "created_at": now} for i in ids[start:start + 1000]
                for t in DEFAULT_TOPICS]
        connection.execute(subscriptions.insert(), rows)


def downgrade() -> None:
    pass  # data only: these rows are indistinguishable from chosen ones afterwards
