"""Synonyms from ``search/synonyms.txt`` (editable data, re-read when the file changes).

Two line forms, as in Solr: ``a, b, c`` (all equivalent) and ``a => b, c``
(searching ``a`` also searches ``b`` and ``c``). Keys are compared after the
same normalisation as queries, plus the kana fold, so one entry covers
full-/half-width and katakana/hiragana spellings.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from search.normalize import fold_kana, normalize

log = logging.getLogger(__name__)
SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")

_lock = threading.Lock()
_cache: dict[str, object] = {"key": None, "table": {}}


def synonym_key(text: str) -> str:
    return fold_kana(normalize(text)).replace(" ", "")


def _terms(part: str) -> list[str]:
    return [normalize(term) for term in part.split(",") if normalize(term)]


def _add(table: dict[str, list[str]], source: str, targets: list[str]) -> None:
    key = synonym_key(source)
    known = table.setdefault(key, [])
    for target in targets:
        if synonym_key(target) != key and target not in known:
            known.append(target)


def parse(text: str) -> dict[str, list[str]]:
    """Synonym table: key → other terms to search as well."""
    table: dict[str, list[str]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=>" in line:
            left, _, right = line.partition("=>")
            sources, targets = _terms(left), _terms(right)
        else:
            sources = targets = _terms(line)
        if not sources or len(targets) < (1 if "=>" in line else 2):
            log.warning("synonyms.txt line %d ignored: %r", number, raw)
            continue
        for source in sources:
            _add(table, source, targets)
    return table


def table(path: Path | None = None) -> dict[str, list[str]]:
    """The current table, re-read only when the file's mtime or size changes."""
    path = path or SYNONYMS_FILE
    try:
        stat = os.stat(path)
    except OSError:
        return {}
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if _cache["key"] != key:
            _cache["table"] = parse(path.read_text(encoding="utf-8"))
            _cache["key"] = key
        return _cache["table"]  # type: ignore[return-value]


def alternatives(text: str) -> list[str]:
    return list(table().get(synonym_key(text), []))
