"""List the package pairs that import each other (the README's layout section names them).

Usage: make pairs   (or .venv/bin/python tools/package_pairs.py; prints each pair with its import chains)
"""
from __future__ import annotations

import sys
from pathlib import Path

import grimp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project's packages

PACKAGES = ("core", "channels", "messages", "staff", "bot", "web", "content", "search", "notifications", "kpi", "careers", "videos",
            "events")


def mutual_pairs(graph) -> list[tuple[str, str, list[str]]]:
    pairs = []
    for i, first in enumerate(PACKAGES):
        for second in PACKAGES[i + 1:]:
            there = graph.find_shortest_chain(importer=first, imported=second, as_packages=True)
            back = graph.find_shortest_chain(importer=second, imported=first, as_packages=True)
            if there and back:
                pairs.append((first, second, [" → ".join(there), " → ".join(back)]))
    return pairs


def main() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)  # annotations only
    pairs = mutual_pairs(graph)
    for first, second, chains in pairs:
        print(f"{first} <-> {second}")
        for chain in chains:
            print(f"    {chain}")
    print(f"{len(pairs)} pair(s)")


if __name__ == "__main__":
    main()
