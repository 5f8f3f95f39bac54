"""Fixtures shared by the chat adapters' tests (LINE and Discord): apps on the demo content."""
from __future__ import annotations

from contextlib import contextmanager

import pytest

from core.db import db
from testkit import make_test_app


@pytest.fixture
def open_demo_app(demo_content, database_url, tmp_path):
    """``with open_demo_app(copy_instance=False, **config) as app``: the demo articles and events,
    inside an app context. The database holds the session's import of the demo content (see
    ``DemoSnapshots`` in tests/conftest.py); ``copy_instance`` adds the files it wrote."""
    @contextmanager
    def opened(copy_instance: bool = False, **config):
        instance = tmp_path / "instance"
        if copy_instance:
            demo_content.get(database_url).copy_instance(instance)
        app = make_test_app(database_url, instance, **config)
        with app.app_context():
            yield app
        db.session.remove()
    return opened
