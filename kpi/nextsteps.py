"""The funnel's last step: visits to job-information / employment-support pages."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from kpi.metrics import NEXT_STEP_CAMPAIGN

DATA_FILE = Path(__file__).resolve().parent / "data" / "next_steps.yaml"


@lru_cache(maxsize=1)
def next_step_paths() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(exact paths, prefixes) from the data file."""
    paths = (yaml.safe_load(DATA_FILE.read_text(encoding="utf-8")) or {}).get("paths", [])
    exact = tuple(p for p in paths if not p.endswith("*"))
    prefixes = tuple(p[:-1] for p in paths if p.endswith("*"))
    return exact, prefixes


def is_next_step(path: str, campaign: str = "") -> bool:
    if campaign == NEXT_STEP_CAMPAIGN:
        return True
    exact, prefixes = next_step_paths()
    return path in exact or (bool(prefixes) and path.startswith(prefixes))
