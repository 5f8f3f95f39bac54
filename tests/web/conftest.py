"""Fixtures for the public web archive tests (helpers live in archive_helpers.py)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from archive_helpers import import_folder, write_article


@pytest.fixture(scope="session")
def demo_media_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture
def demo_app(app, demo_media_cache):
    """Same as the root ``demo_app``, but image renditions are drawn once per session.

    Renditions are named by content hash and skipped when present, so seeding
    the media folder (hard links) keeps the import itself fully exercised.
    """
    from content.demo import import_demo_content

    media = Path(app.instance_path) / "media"
    shutil.copytree(demo_media_cache, media, dirs_exist_ok=True, copy_function=os.link)
    import_demo_content(app)
    shutil.copytree(media, demo_media_cache, dirs_exist_ok=True, copy_function=_link_if_missing)
    return app


def _link_if_missing(source: str, target: str) -> None:
    if not os.path.exists(target):
        os.link(source, target)


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
