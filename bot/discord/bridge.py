"""Run the synchronous database work of the bot off the event loop.

Every call gets its own thread (``asyncio.to_thread``), an app context and a
fresh session that is closed afterwards, so a slow query never blocks the
gateway heartbeat and no session is shared between concurrent interactions.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy.orm import Session

from core.db import db

T = TypeVar("T")


class Bridge:
    def __init__(self, app: Flask) -> None:
        self.app = app

    @property
    def config(self):
        return self.app.config

    def call(self, work: Callable[..., T], *args: Any) -> T:
        """``work(session, config, *args)`` in an app context with its own session (blocking)."""
        with self.app.app_context():
            session = db.new_session()
            try:
                return work(session, self.app.config, *args)
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(self.call, work, *args)


def committed(work: Callable[..., T]) -> Callable[..., T]:
    """Wrap ``work(session, config, ...)`` so its changes are committed when it returns."""
    def run(session: Session, config, *args: Any) -> T:
        result = work(session, config, *args)
        session.commit()
        return result
    run.__name__ = getattr(work, "__name__", "work")
    return run
