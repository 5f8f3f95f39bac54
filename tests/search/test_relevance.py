"""Relevance over the demo content: recall@5 and MRR on a fixed Japanese query set."""
from __future__ import annotations

from pathlib import Path

import yaml

from core.db import db
from search.service import search

QUERIES = Path(__file__).with_name("relevance_queries.yaml")
KINDS = {"one-character", "kana-variant", "synonym", "english-mixed", "multi-word", "natural-language"}


def _load() -> list[dict]:
    return yaml.safe_load(QUERIES.read_text(encoding="utf-8"))


def _metrics(rows: list[dict]) -> tuple[float, float, list[str]]:
    recalls, reciprocal_ranks, report = [], [], []
    for row in rows:
        slugs = [hit.slug for hit in search(db.session, row["query"], per_page=5, log=False).results]
        expected = row["expected"]
        recall = sum(1 for slug in expected if slug in slugs) / len(expected)
        rank = next((i + 1 for i, slug in enumerate(slugs) if slug in expected), None)
        recalls.append(recall)
        reciprocal_ranks.append(1 / rank if rank else 0.0)
        report.append(f"  {row['kind']:16} {row['query']}: recall@5={recall:.2f} rank={rank} top5={slugs}")
    return sum(recalls) / len(recalls), sum(reciprocal_ranks) / len(reciprocal_ranks), report


def test_the_set_covers_every_kind_of_query():
    rows = _load()
    assert len(rows) >= 30
    assert {row["kind"] for row in rows} == KINDS
    assert all(row["expected"] for row in rows)


def test_recall_at_5_and_mrr(demo_search_app):
    rows = _load()
    known = {path.stem for path in (Path(__file__).parents[2] / "content" / "demo" / "articles").glob("*.md")}
    assert {slug for row in rows for slug in row["expected"]} <= known
    recall, mrr, report = _metrics(rows)
    print(f"\nrelevance over {len(rows)} queries: recall@5={recall:.3f} MRR={mrr:.3f}")
    print("\n".join(report))
    assert recall >= 0.9, "\n".join(report)
