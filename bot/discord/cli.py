"""``monozukuri discord`` (run the bot), ``discord sync-commands [--guild ID]``, ``discord sync-events``."""
from __future__ import annotations

import sys

NO_TOKEN = (
    "DISCORD_BOT_TOKEN が設定されていないため、Discordボットを起動できません。"
    "ウェブサイトとLINEはこのまま動きます。\n"
    "DISCORD_BOT_TOKEN is not set, so the Discord bot cannot start. The web site and LINE keep working."
)
EXIT_NOT_CONFIGURED = 2


def register(subparsers) -> None:
    parser = subparsers.add_parser("discord", help="run the Discord bot (needs DISCORD_BOT_TOKEN)")
    parser.set_defaults(handler=_run)
    sub = parser.add_subparsers(dest="discord_command")
    commands = sub.add_parser("sync-commands", help="register the slash commands with Discord (bulk overwrite)")
    commands.add_argument("--guild", type=_snowflake, help="only in this server (appears at once; for testing)")
    commands.set_defaults(handler=_sync_commands)
    events = sub.add_parser("sync-events", help="create/update Discord events for upcoming tours and workshops")
    events.set_defaults(handler=_sync_events)


def _snowflake(value: str) -> int:
    import argparse

    if not value.isdigit() or not 15 <= len(value) <= 22:
        raise argparse.ArgumentTypeError(f"not a Discord id: {value!r}")
    return int(value)


def _app_with_token():
    """The app, or None (after a clear message) when Discord is not configured."""
    from core.cli import create_app

    app = create_app()
    if not app.config.get("DISCORD_BOT_TOKEN"):
        print(NO_TOKEN, file=sys.stderr)
        return None
    return app


def _run(_args) -> int:
    from bot.discord.runner import run_bot

    app = _app_with_token()
    return run_bot(app) if app is not None else EXIT_NOT_CONFIGURED


def _sync_commands(args) -> int:
    from bot.discord.runner import sync_commands_once

    app = _app_with_token()
    return sync_commands_once(app, args.guild) if app is not None else EXIT_NOT_CONFIGURED


def _sync_events(_args) -> int:
    from bot.discord.scheduled import sync_events
    from core.db import db

    app = _app_with_token()
    if app is None:
        return EXIT_NOT_CONFIGURED
    with app.app_context():
        report = sync_events(db.session, app.config)
    if report.skipped:
        print(report.skipped)
        return 0
    print(f"Discord events: created {len(report.created)}, updated {len(report.updated)}, "
          f"unchanged {len(report.unchanged)}, failed {len(report.failed)}")
    return 1 if report.failed else 0
