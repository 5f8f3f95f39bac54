"""In-process CPU per uncached article / category page, next to the bare Flask anchor (issue 12).

A profiling aid beside bench/web_pages.py (whose HTTP figures are the measurement): a scratch
PostgreSQL database seeded by the bench's own ``seed`` (and ``build_pages``, as the bench does),
then the Flask test client in alternating rounds — anchor, article, category — each figure
``time.process_time`` per request, which holds on a loaded machine where wall-clock times do not.
``--profile article|category`` dumps a cProfile of one more pass.

    .venv/bin/python tools/page_cpu.py [--articles 2000] [--rounds 6] [--profile article] [--cold]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the project: bench/kpi.py must not shadow kpi/

import anchor  # noqa: E402
import harness  # noqa: E402
import web_pages  # noqa: E402

PER_ROUND = 200


def cpu_ms(client, paths: list[str]) -> float:
    started = time.process_time()
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return (time.process_time() - started) / len(paths) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--profile", choices=("article", "category"))
    parser.add_argument("--cold", action="store_true", help="do not build the stored parts ahead")
    parser.add_argument("--pg-url", default=harness.DEFAULT_PG)
    args = parser.parse_args(argv)

    from tests.testkit import scratch_postgres_database
    from web.app import create_app

    instance = Path(tempfile.mkdtemp(prefix="page-cpu-"))
    base_url = "http://127.0.0.1:8000"
    with scratch_postgres_database(args.pg_url) as url:
        web_pages.seed(url, instance, args.articles)
        if not args.cold:
            web_pages.build_pages(url, instance, base_url)
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench",
                          "BASE_URL": base_url, "PAGE_CACHE": False})
        client, bare = app.test_client(), anchor.create_bare_app().test_client()
        articles = [f"/articles/bench-{n}" for n in random.Random(1).sample(range(args.articles), 600)]
        categories = web_pages.category_paths(args.articles) * 3
        for path in articles[:50] + categories[:50]:  # imports, template compilation, connections
            client.get(path)
            bare.get(path)
        results: dict[str, list[float]] = {"anchor": [], "article": [], "category": []}
        for number in range(args.rounds):
            start = number * PER_ROUND % len(articles)
            results["anchor"].append(cpu_ms(bare, articles[start:start + PER_ROUND]))
            results["article"].append(cpu_ms(client, articles[start:start + PER_ROUND]))
            results["category"].append(cpu_ms(client, categories[start:start + PER_ROUND]))
        for name, values in results.items():
            print(f"{name:9s} min {min(values):.3f}  median {statistics.median(values):.3f} ms CPU per request"
                  f"  ({', '.join(f'{v:.2f}' for v in values)})")
        if args.profile:
            import cProfile

            profile = cProfile.Profile()
            profile.enable()
            cpu_ms(client, articles if args.profile == "article" else categories)
            profile.disable()
            out = instance / f"{args.profile}.prof"
            profile.dump_stats(out)
            print(f"profile: {out}")
        from core.db import db
        from kpi import pageviews

        pageviews.flush(app)  # before the scratch database goes
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
