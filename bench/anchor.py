"""The bare Flask anchor of the web benchmarks: what any page of ours is compared with.

A Flask app with one trivial template, served exactly as ``monozukuri serve``
serves ours (``web.server.run_gunicorn``: gunicorn, gthread, same workers and
threads, access log on) on its own port. Every path answers the same small
page, so the load generator can send it the same list of distinct URLs.

    .venv/bin/python bench/anchor.py --port 8123 --workers 2
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flask import Flask, jsonify, render_template

ROOT = Path(__file__).resolve().parent.parent


def create_bare_app() -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).with_name("templates")))

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/", defaults={"anything": ""})
    @app.get("/<path:anything>")
    def bare(anything: str):
        return render_template("bare.html", message="ok")

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from web.server import run_gunicorn

    run_gunicorn(create_bare_app(), args.host, args.port, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
