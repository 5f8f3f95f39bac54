"""Measure the candidate Japanese morphological analysers (figures in search/README.md).

Run in a scratch virtualenv that has all three installed, e.g.::

    python -m venv /tmp/tokbench
    /tmp/tokbench/bin/pip install janome sudachipy sudachidict-core fugashi unidic-lite pyyaml
    /tmp/tokbench/bin/python search/tokenizer_benchmark.py

Each backend runs in its own subprocess so start-up time and peak memory are
measured from a clean interpreter. Only janome is a project dependency; the
others are imported here and nowhere else.
"""
from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent / "content" / "demo" / "articles"
BACKENDS = ("janome", "sudachipy", "fugashi")


def demo_text() -> str:
    texts = [re.sub(r"^---.*?---", "", p.read_text(encoding="utf-8"), flags=re.S) for p in sorted(DEMO.glob("*.md"))]
    return "\n".join(texts)


def _load(name: str):
    """Return a function text -> list of surface forms for one backend."""
    if name == "janome":
        from janome.tokenizer import Tokenizer

        tokenizer = Tokenizer()
        return lambda text: [t.surface for t in tokenizer.tokenize(text)]
    if name == "sudachipy":
        from sudachipy import Dictionary, SplitMode

        tokenizer = Dictionary(dict="core").create()
        return lambda text: [m.surface() for m in tokenizer.tokenize(text, SplitMode.B)]
    if name == "fugashi":
        import fugashi

        tagger = fugashi.Tagger()
        return lambda text: [w.surface for w in tagger(text)]
    raise ValueError(name)


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str) -> dict:
    text = demo_text()
    paragraphs = [p for p in text.split("\n") if p.strip()]
    base_rss = _max_rss_mb()
    started = time.perf_counter()
    tokenize = _load(name)
    tokenize("大田区の町工場")
    startup = time.perf_counter() - started
    started = time.perf_counter()
    rounds = 5
    for _ in range(rounds):
        for paragraph in paragraphs:
            tokenize(paragraph)
    elapsed = time.perf_counter() - started
    samples = ["3Dプリンタ", "CNC旋盤", "町工場", "まちこうば", "子どもと一緒に参加できるイベント", "工場見学", "ものづくり"]
    return {
        "backend": name,
        "startup_s": round(startup, 3),
        "chars_per_s": round(len(text) * rounds / elapsed),
        "peak_rss_mb_added": round(_max_rss_mb() - base_rss, 1),
        "samples": {s: tokenize(s) for s in samples},
    }


def main() -> None:
    if len(sys.argv) == 2:
        print(json.dumps(measure(sys.argv[1]), ensure_ascii=False))
        return
    for name in BACKENDS:
        run = subprocess.run([sys.executable, __file__, name], capture_output=True, text=True)
        print(run.stdout.strip() or f"{name}: not available ({run.stderr.strip().splitlines()[-1:]})")


if __name__ == "__main__":
    main()
