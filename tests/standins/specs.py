"""Locate the shared OpenAPI specs that the stand-ins validate against.

The specs are not part of this repository: they live in ``shared/specs``
next to the project root (``<root>/../shared/specs``). Tests that need them
call :func:`specs_dir`, which skips the test when they are absent, unless
``REQUIRE_SHARED_SPECS=1`` is set (CI), in which case it fails loudly so a
missing spec tree can never turn the suite silently green.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SPECS_DIR = PROJECT_ROOT.parent / "shared" / "specs"

# Files the stand-ins read; all must exist for the specs to count as present.
REQUIRED_FILES = (
    "line/messaging-api.yml",
    "line/insight.yml",
    "line/manage-audience.yml",
    "line/liff.yml",
    "line/webhook.yml",
    "line/sdk-samples/webhook.json",
    "discord/openapi.json",
)


class SpecsMissing(RuntimeError):
    """Raised outside pytest when the shared specs cannot be found."""


def missing_spec_files(base: Path | None = None) -> list[str]:
    base = SPECS_DIR if base is None else base
    return [name for name in REQUIRED_FILES if not (base / name).is_file()]


def specs_available() -> bool:
    return not missing_spec_files()


def specs_required() -> bool:
    return os.environ.get("REQUIRE_SHARED_SPECS", "").strip() == "1"


def specs_dir() -> Path:
    """Return the specs directory, or skip/fail the current test.

    Skips (pytest) when the specs are missing, fails instead when the
    environment variable ``REQUIRE_SHARED_SPECS=1`` is set. Outside pytest a
    :class:`SpecsMissing` error is raised.
    """
    missing = missing_spec_files()
    if not missing:
        return SPECS_DIR
    reason = (
        f"shared OpenAPI specs not found under {SPECS_DIR} "
        f"(missing: {', '.join(missing)})"
    )
    try:
        import pytest
    except ImportError:  # pragma: no cover - only outside the test environment
        raise SpecsMissing(reason) from None
    if specs_required():
        pytest.fail(reason + "; REQUIRE_SHARED_SPECS=1 makes this an error", pytrace=False)
    pytest.skip(reason)
    raise AssertionError("unreachable")  # pytest.skip raises


def spec_path(*parts: str) -> Path:
    """Path of one spec file, e.g. ``spec_path("line", "webhook.yml")``."""
    return specs_dir().joinpath(*parts)
