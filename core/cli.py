"""The ``monozukuri`` console script's machinery (the command names are a fixed interface).

Each domain contributes its subcommands through ``register(subparsers)`` in its ``cli``
module; the top floor (``web.cli``) says which domains exist and how to build the app.
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterable

from flask import Flask

_app_factory: Callable[[], Flask] | None = None


class CommandError(Exception):
    """A user-facing failure of a command: printed without a traceback."""


def create_app() -> Flask:
    """The configured application, built by the factory the entry point handed to ``main``."""
    if _app_factory is None:
        raise RuntimeError("core.cli.main() was not given an app factory")
    return _app_factory()


def build_parser(command_modules: Iterable) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="monozukuri", description="大田区 新しいものづくり — service commands")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in command_modules:
        module.register(subparsers)
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


def main(argv: list[str] | None, command_modules: Iterable, app_factory: Callable[[], Flask]) -> int:
    global _app_factory
    _app_factory = app_factory
    args = build_parser(command_modules).parse_args(argv)
    configure_logging(args.verbose)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
