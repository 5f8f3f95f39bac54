"""Measure the candidate Japanese morphological analysers (figures in search/README.md).

Speed and memory (each backend in its own clean subprocess)::

    .venv/bin/python bench/searchkit/tokenizers.py

Result quality: the relevance set of ``tests/search`` run with each analyser
plugged into the real engine (needs the project installed, plus the
candidates: ``pip install fugashi unidic-lite``; janome and SudachiPy are
dependencies)::

    .venv/bin/python bench/searchkit/tokenizers.py --quality

fugashi/unidic-lite are imported here and nowhere else.
"""
from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[2] / "tests")]

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "content" / "demo" / "articles"
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


# --- result quality ---------------------------------------------------------------
# Adapters giving janome and fugashi the interface of search.morph.SudachiBackend.
IPADIC_POS = {"接頭詞": "接頭辞", "フィラー": "感動詞"}


class JanomeBackend:
    name = "janome"

    def __init__(self) -> None:
        from janome.tokenizer import Tokenizer

        self._tokenizer = Tokenizer()

    def _tokens(self, text):
        start = 0
        for token in self._tokenizer.tokenize(text):
            pos = token.part_of_speech.split(",")
            major = "接尾辞" if pos[0] == "名詞" and pos[1] == "接尾" else IPADIC_POS.get(pos[0], pos[0])
            base = token.base_form if token.base_form != "*" else token.surface
            reading = token.reading if token.reading != "*" else ""
            begin = text.index(token.surface, start)
            start = begin + len(token.surface)
            yield major, base, token.surface, reading, begin

    def analyse(self, text):
        from search.morph import Morpheme

        return [Morpheme(s, b, p, i, i + len(s)) for p, b, s, _, i in self._tokens(text)]

    def terms(self, text):
        return [(p, b, s, r) for p, b, s, r, _ in self._tokens(text)]


class FugashiBackend:
    name = "fugashi-unidic-lite"

    def __init__(self) -> None:
        import fugashi

        self._tagger = fugashi.Tagger()

    def _tokens(self, text):
        start = 0
        for word in self._tagger(text):
            lemma = (word.feature.lemma or word.surface).split("-")[0]
            begin = text.index(word.surface, start)
            start = begin + len(word.surface)
            yield word.feature.pos1, lemma, word.surface, word.feature.kana or "", begin

    def analyse(self, text):
        from search.morph import Morpheme

        return [Morpheme(s, b, p, i, i + len(s)) for p, b, s, _, i in self._tokens(text)]

    def terms(self, text):
        return [(p, b, s, r) for p, b, s, r, _ in self._tokens(text)]


# Spelling variants the synonym list does not cover: only the analyser can join them.
VARIANT_PROBES = [
    ("子供 STEAM", ["school-steam-ota"]), ("こども ロケット", ["series-product-rocket-pen-stand"]),
    ("モノ作り アート", ["art-monozukuri-ota"]), ("ようせつ 転職", ["series-people-welder"]),
    ("けんま 医療", ["medical-engineering-ota"]), ("しょうがくきん", ["scholarship-repayment-support"]),
    ("きかい 宇宙", ["space-industry-ota"]), ("マシニングセンター", ["space-industry-ota"]),
    ("面接会 しゅうしょく", ["employment-support"]), ("さんぎょうぷらざ", ["local-kaleidoscope-workshop"]),
]


def _recall(rows) -> tuple[float, float]:
    from core.db import db
    from search.service import search

    recall, reciprocal = [], []
    for query, expected in rows:
        slugs = [hit.slug for hit in search(db.session, query, per_page=5, log=False).results]
        recall.append(sum(slug in slugs for slug in expected) / len(expected))
        reciprocal.append(next((1 / (i + 1) for i, slug in enumerate(slugs) if slug in expected), 0))
    return round(sum(recall) / len(recall), 3), round(sum(reciprocal) / len(reciprocal), 3)


def _use_backend(backend_name: str) -> None:
    from search import morph

    if backend_name != "sudachipy":
        morph.set_backend(JanomeBackend() if backend_name == "janome" else FugashiBackend())
    morph._index_term.cache_clear()


def quality(backend_name: str) -> dict:
    """recall@5 and MRR of the relevance set with one analyser (fresh database and index)."""
    import tempfile

    import yaml
    from alembic import command

    import content.importer
    from content.demo import import_demo_content
    from core.db import db
    from core.migrate import alembic_config
    from testkit import make_test_app

    _use_backend(backend_name)
    content.importer.store_renditions = lambda _image, _media, slug: (slug, [])
    rows = yaml.safe_load((ROOT / "tests" / "search" / "relevance_queries.yaml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/db.sqlite3"
        command.upgrade(alembic_config(url), "head")
        app = make_test_app(url, Path(folder) / "instance")
        with app.app_context():
            import_demo_content(app)
            relevance = _recall([(row["query"], row["expected"]) for row in rows])
            variants = _recall(VARIANT_PROBES)
            db.session.remove()
    return {"backend": backend_name, "relevance recall@5/MRR": relevance, "variant probes recall@5/MRR": variants}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--quality-of":
        print(json.dumps(quality(sys.argv[2]), ensure_ascii=False))
        return
    if len(sys.argv) == 2 and sys.argv[1] == "--quality":
        for name in BACKENDS:
            run = subprocess.run([sys.executable, __file__, "--quality-of", name], capture_output=True, text=True)
            print(run.stdout.strip().splitlines()[-1] if run.stdout.strip() else f"{name}: failed {run.stderr[-500:]}")
        return
    if len(sys.argv) == 2:
        print(json.dumps(measure(sys.argv[1]), ensure_ascii=False))
        return
    for name in BACKENDS:
        run = subprocess.run([sys.executable, __file__, name], capture_output=True, text=True)
        print(run.stdout.strip() or f"{name}: not available ({run.stderr.strip().splitlines()[-1:]})")


if __name__ == "__main__":
    main()
