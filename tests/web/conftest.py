"""Fixtures for the public web archive tests (helpers live in archive_helpers.py)."""
from __future__ import annotations

import pytest
from archive_helpers import import_folder, write_article


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture
def many_news(app, tmp_path):
    """30 published news articles (three pages of 12) on top of an empty database."""
    folder = tmp_path / "many"
    for number in range(30):
        day = 1 + number % 28
        write_article(folder, f"news-{number:02d}", published=f"2026-04-{day:02d}T{8 + number % 10:02d}:00:00+09:00")
    import_folder(app, folder)
    return app
