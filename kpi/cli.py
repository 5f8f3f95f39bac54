"""``monozukuri kpi ...``: demo activity, roll-up and LINE statistics by hand."""
from __future__ import annotations

from datetime import date


def register(subparsers) -> None:
    kpi = subparsers.add_parser("kpi", help="KPI: demo activity, roll-up, LINE statistics")
    sub = kpi.add_subparsers(dest="kpi_command", required=True)
    demo = sub.add_parser("demo", help="fill ten weeks of clearly-marked demo activity (replaces earlier demo rows)")
    demo.add_argument("--clear", action="store_true", help="remove the demo activity instead")
    demo.set_defaults(handler=_demo)
    roll = sub.add_parser("rollup", help="recompute daily metrics (default: recent days) and prune old raw events")
    roll.add_argument("--day", help="only this day (YYYY-MM-DD)")
    roll.set_defaults(handler=_rollup)
    fetch = sub.add_parser("fetch-insight", help="fetch LINE per-unit statistics now")
    fetch.set_defaults(handler=_fetch_insight)


def _app():
    from core.cli import create_app

    return create_app()


def _demo(args) -> int:
    from core.db import db
    from kpi import demo
    from kpi.metrics import jst_day

    with _app().app_context():
        if args.clear:
            removed = demo.clear_demo(db.session)
            db.session.commit()
            print(f"removed {removed} demo row(s)")
            return 0
        written = demo.create_demo(db.session, jst_day())
        db.session.commit()
        print(f"wrote {written} demo row(s) covering the last {demo.WEEKS} weeks; open /admin/kpi")
    return 0


def _parse_day(raw: str) -> date:
    from core.cli import CommandError

    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--day must look like 2026-04-01, got {raw!r}") from None


def _rollup(args) -> int:
    from core.db import db
    from kpi import jobs, rollup

    app = _app()
    if not args.day:
        result = jobs.rollup_job(app)
        print(f"recomputed {len(result['rolled_up'])} day(s), pruned {len(result['pruned'])} day(s) of raw events")
        return 0
    day = _parse_day(args.day)
    with app.app_context():
        done = rollup.rollup_day(db.session, day, app.config["SECRET_KEY"])
        db.session.commit()
    print(f"{day}: {'recomputed' if done else 'kept (raw events already pruned)'}")
    return 0


def _fetch_insight(_args) -> int:
    from core.cli import CommandError
    from core.db import db
    from kpi.metrics import jst_day
    from kpi.statistics import fetch_channel_statistics, setup_hints

    app = _app()
    with app.app_context():
        stored = fetch_channel_statistics(db.session, app.config, jst_day())
        db.session.commit()
    fetched = {name: rows for name, rows in stored.items() if rows is not None}
    if not fetched:
        raise CommandError(f"統計を取得できるチャンネルが設定されていません（{setup_hints(app.config)}）")
    for name, rows in fetched.items():
        print(f"{name}: stored {rows} statistics row(s)")
    return 0
