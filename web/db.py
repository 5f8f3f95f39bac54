"""The old home of the database types, kept because landed migrations name it.

Revisions 0001–0009 say ``web.db.UTCDateTime``; migrations are never edited after
landing, so that name must keep importing. New code imports ``core.db``.
"""
from core.db import UTCDateTime  # noqa: F401
