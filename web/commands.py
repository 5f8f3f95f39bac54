"""Core commands: serve, worker, db upgrade."""
from __future__ import annotations

import os
import subprocess
import sys


def register(subparsers) -> None:
    register_demo(subparsers)
    serve = subparsers.add_parser("serve", help="run the web service (gunicorn; honours HOST and PORT)")
    serve.add_argument("--with-worker", action="store_true", help="also start the one worker process")
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    serve.set_defaults(handler=_serve)

    worker = subparsers.add_parser("worker", help="run the single scheduler/worker process")
    worker.set_defaults(handler=_worker)

    dbp = subparsers.add_parser("db", help="database commands")
    db_sub = dbp.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply migrations up to head")
    upgrade.set_defaults(handler=_db_upgrade)


def _serve(args) -> int:
    from web.app import create_app, log_channel_status
    from web.server import run_gunicorn

    app = create_app()
    log_channel_status(app)
    worker = _start_worker_process() if args.with_worker else None
    try:
        host = os.environ.get("HOST", "127.0.0.1")
        port = int(os.environ.get("PORT", "8000"))
        run_gunicorn(app, host, port, args.workers)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)
    return 0


# Set for the worker that ``serve --with-worker`` starts: the parent already
# reported the channel status, so each channel gets exactly one log line.
CHILD_WORKER_ENV = "MONOZUKURI_CHILD_WORKER"


def _start_worker_process() -> subprocess.Popen:
    env = {**os.environ, CHILD_WORKER_ENV: "1"}
    return subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], env=env)


def _worker(_args) -> int:
    from core.worker import run_worker
    from web.app import create_app, log_channel_status

    app = create_app()
    if not os.environ.get(CHILD_WORKER_ENV):
        log_channel_status(app)
    run_worker(app)
    return 0


def _db_upgrade(_args) -> int:
    from core.migrate import upgrade
    from web.app import create_app

    upgrade(create_app())
    print("database is up to date")
    return 0


# Steps of ``monozukuri setup-demo`` (run by ``make run``); each is idempotent.
DEMO_STEPS: tuple[str, ...] = ("content.demo:import_demo_content", "content.page_parts:build_all",
                               "search.cli:ensure_demo_index", "kpi.demo:demo_step")


def register_demo(subparsers) -> None:
    demo = subparsers.add_parser("setup-demo", help="import demo content and build derived data (idempotent)")
    demo.set_defaults(handler=_setup_demo)


def _setup_demo(_args) -> int:
    import importlib

    from web.app import create_app

    app = create_app()
    with app.app_context():
        for step in DEMO_STEPS:
            module_name, func_name = step.split(":")
            getattr(importlib.import_module(module_name), func_name)(app)
    return 0
