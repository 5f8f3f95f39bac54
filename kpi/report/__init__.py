"""Dashboard tables, each built by one registered function ``(session, scope) -> Table``.

The page renders every table; ``/admin/kpi/export/<key>.csv`` writes any one of
them, so what staff see and what they download are always the same numbers.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from kpi.queries import Scope
from kpi.tables import Table

Builder = Callable[[Session, Scope], Table]
BUILDERS: dict[str, Builder] = {}


def builder(key: str):
    def decorator(func: Builder) -> Builder:
        BUILDERS[key] = func
        return func

    return decorator


def build(session: Session, scope: Scope, key: str) -> Table:
    return BUILDERS[key](session, scope)


def build_all(session: Session, scope: Scope) -> dict[str, Table]:
    return {key: func(session, scope) for key, func in BUILDERS.items()}


# Imported for their side effect of registering builders (after BUILDERS exists).
from kpi import funnel_stages, stage_projection  # noqa: E402,F401,I001
from kpi.report import audience, content, outlook, overview  # noqa: E402,F401
