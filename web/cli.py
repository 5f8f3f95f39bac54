"""The ``monozukuri`` console script (fixed interface: see README): core commands + every domain's."""
from __future__ import annotations

import sys

from core import cli
from core.domains import optional_modules
from web import commands
from web.domains import DOMAINS


def main(argv: list[str] | None = None) -> int:
    from web.app import create_app

    return cli.main(argv, [commands, *optional_modules(DOMAINS, "cli")], create_app)


# Kept for callers that caught it from here before the ground floor existed.
CommandError = cli.CommandError

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
