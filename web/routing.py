"""URL converters shared by every blueprint."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

# Primary keys are 32-bit INTEGER on PostgreSQL (and SQLite raises on > 64-bit):
# an id outside that range can only be a 404, never a database error.
MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)


def register_converters(app) -> None:
    # Replaces the built-in ``int`` so every ``<int:...>`` route gets the bound.
    app.url_map.converters["int"] = DatabaseIdConverter
