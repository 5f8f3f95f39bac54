"""Import every domain's models so the metadata is complete (Alembic, tests)."""
from __future__ import annotations

from web.db import Base


def load_all_models():
    # Each import registers tables on Base.metadata; add new domain modules here.
    import bot.discord.models  # noqa: F401
    import bot.line.models  # noqa: F401
    import content.models  # noqa: F401
    import events.models  # noqa: F401
    import kpi.models  # noqa: F401
    import notifications.models  # noqa: F401
    import search.models  # noqa: F401
    import web.admin.models  # noqa: F401
    import web.models  # noqa: F401

    return Base.metadata
