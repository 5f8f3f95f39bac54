"""The bare Flask anchor, started the same way as ``monozukuri serve`` (``web.server.run_gunicorn``).

    python bench/bare_app.py --port 8001 [--workers 2]

GET / and POST / answer a fixed small JSON body: the same server, threads and access log,
without the application. Benches interleave rounds against it to show what the machine gives.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def bare_app():
    from flask import Flask, Response

    app = Flask("bare")

    @app.route("/", methods=["GET", "POST"])
    def index():
        return Response(b'{"status":"ok"}', mimetype="application/json")

    return app


def main() -> None:
    from web.server import run_gunicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    run_gunicorn(bare_app(), "127.0.0.1", args.port, args.workers)


if __name__ == "__main__":
    main()
