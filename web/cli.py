"""The ``monozukuri`` console script (fixed interface: see README).

Each domain package contributes its subcommands through a ``register(subparsers)``
function in its ``cli`` module, so this file only wires them together.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

# Modules providing ``register(subparsers)``; a later issue adds its own here.
COMMAND_MODULES = (
    "web.commands",
    "content.cli",
    "kpi.cli",
    "search.cli",
    "bot.line.cli",
    "web.admin.cli",
    "events.cli",
    "notifications.cli",
    "bot.discord.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="monozukuri", description="大田区 新しいものづくり — service commands")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Alembic announces every plugin it loads at INFO; only migrations are worth seeing.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # APScheduler logs every run of every job at INFO (several lines a second); jobs log their own work.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


class CommandError(Exception):
    """A user-facing failure of a command: printed without a traceback."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
