"""Demo content step of ``make run``."""
from __future__ import annotations

import logging
from pathlib import Path

from content.importer import import_path
from core.db import db

log = logging.getLogger(__name__)
DEMO_DIR = Path(__file__).resolve().parent / "demo"


def import_demo_content(app) -> None:
    report = import_path(db.session, DEMO_DIR, Path(app.instance_path) / "media")
    for slug in report.skipped:
        print(f"demo content: skipped {slug} (edited in the console since its last import; kept as it is)")
    log.info("demo content: %d new, %d updated, %d kept (console edits)",
             len(report.created), len(report.updated), len(report.skipped))
