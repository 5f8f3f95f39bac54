"""``monozukuri events ...``: run one round of the worker's event jobs by hand (ops, demos)."""
from __future__ import annotations


def register(subparsers) -> None:
    events = subparsers.add_parser("events", help="event registration jobs")
    sub = events.add_subparsers(dest="events_command", required=True)
    purge = sub.add_parser("purge", help="erase applicants' names and contacts after the retention period")
    purge.add_argument("--days", type=int, default=None,
                       help="days after the event (default: REGISTRATION_RETENTION_DAYS or 30)")
    purge.set_defaults(handler=_purge)
    sub.add_parser("offers", help="expire unanswered seat offers and offer free seats").set_defaults(handler=_offers)
    sub.add_parser("reminders", help="send due reminders and thank-yous").set_defaults(handler=_reminders)
    sub.add_parser("lottery", help="draw lotteries whose deadline passed and tell the results").set_defaults(
        handler=_lottery)


def _in_app(work):
    from core.cli import create_app
    from core.db import db

    app = create_app()
    with app.app_context():
        return work(db.session, app.config)


def _purge(args) -> int:
    from core.cli import CommandError
    from events import privacy

    if args.days is not None and args.days < 0:
        raise CommandError("--days must be 0 or more")
    purged = _in_app(lambda s, c: privacy.purge_after_events(
        s, args.days if args.days is not None else privacy.retention_days(c)))
    print(f"purged personal data of {purged} registration(s)")
    return 0


def _offers(_args) -> int:
    from events import reminders

    print(_in_app(lambda s, c: reminders.run_offers(s, c)))
    return 0


def _reminders(_args) -> int:
    from events import reminders

    print(_in_app(lambda s, c: reminders.send_reminders(s, c)))
    return 0


def _lottery(_args) -> int:
    from events import lottery

    print(_in_app(lambda s, c: lottery.run_due_draws(s, c)))
    return 0
