"""X's own conformance cases (twitter-text), read from ../shared/specs/x when present."""
from __future__ import annotations

import os

import pytest
import yaml
from standins.specs import SPECS_DIR

VALIDATE = SPECS_DIR / "x" / "twitter-text-validate.yml"


def conformance(section: str) -> list[dict]:
    if not VALIDATE.is_file():
        reason = f"X's twitter-text conformance file is missing: {VALIDATE}"
        if os.environ.get("REQUIRE_SHARED_SPECS", "").strip() == "1":
            pytest.fail(reason + "; REQUIRE_SHARED_SPECS=1 makes this an error", pytrace=False)
        pytest.skip(reason)
    return yaml.safe_load(VALIDATE.read_text(encoding="utf-8"))["tests"][section]


def case_ids(cases: list[dict]) -> list[str]:
    return [case["description"][:60] for case in cases]
