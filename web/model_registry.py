"""Every domain's tables on one metadata (Alembic, tests): each domain's ``models`` module."""
from __future__ import annotations

from core.db import Base
from core.domains import optional_modules
from web.domains import DOMAINS


def load_all_models():
    for _module in optional_modules(DOMAINS, "models"):
        pass  # importing a models module registers its tables on Base.metadata
    return Base.metadata
