"""`monozukuri search reindex|status`, the demo step, and the bench script."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from search.cli import ensure_demo_index
from search.index import get_index
from web.cli import main
from web.commands import DEMO_STEPS

ROOT = Path(__file__).resolve().parents[2]


def _environment(monkeypatch, app) -> None:
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("SECRET_KEY", "cli-test")


def test_reindex_and_status_commands(search_app, monkeypatch, capsys):
    _environment(monkeypatch, search_app)
    store = get_index(search_app).store
    assert main(["search", "reindex", "--workers", "0"]) == 0
    assert "search index rebuilt: 19 document(s)" in capsys.readouterr().out
    first = store.current_name()
    assert main(["search", "reindex", "--workers", "1"]) == 0  # segments built by a separate process
    assert store.current_name() != first
    assert "19 document(s)" in capsys.readouterr().out
    assert main(["search", "status"]) == 0
    assert f"{store.current_name()}: 19 document(s), ok" in capsys.readouterr().out


def test_the_demo_step_builds_a_missing_index_and_is_idempotent(unindexed_search_app):
    assert "search.cli:ensure_demo_index" in DEMO_STEPS
    assert DEMO_STEPS.index("search.cli:ensure_demo_index") > DEMO_STEPS.index("content.demo:import_demo_content")
    store = get_index(unindexed_search_app).store
    assert store.current_name() is None
    ensure_demo_index(unindexed_search_app)
    built = store.current_name()
    assert built is not None and get_index(unindexed_search_app).doc_count() == 19
    ensure_demo_index(unindexed_search_app)
    assert store.current_name() == built  # up to date: not rebuilt


def test_bench_corpus_urls_and_load_client(tmp_path):
    """The bench itself needs a server and minutes; its parts are checked here."""
    import asyncio
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    spec = importlib.util.spec_from_file_location("bench_search", ROOT / "bench" / "search.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from bench.searchkit import load

    docs = bench.make_corpus(120)
    assert [d.title for d in docs] == [d.title for d in bench.make_corpus(120)]  # deterministic
    paths = bench.search_paths(0)
    assert len(paths) >= 500 and len(set(paths)) == len(paths)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            body = b"ok" if self.path.startswith("/search") else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = asyncio.run(load.run(server.server_address[1], paths[:20] + ["/missing"], 4, 42))
    finally:
        server.shutdown()
    assert len(result["latencies"]) == 42 and result["statuses"] == {200: 40, 404: 2}
