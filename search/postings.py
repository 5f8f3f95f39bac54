"""Fast, exact access to postings and per-document values of one Whoosh searcher.

Scoring term-at-a-time over whole posting lists (``search.engine``) needs the
posting ids and weights of a term as plain lists. Whoosh's public matcher API
yields them one call at a time (about 0.7 µs per posting); its leaf matcher
keeps each decoded block as arrays, which we read block by block (about
0.2 µs). The block path relies on attributes of whoosh-reloaded 2.7's
``W3LeafMatcher`` (the pinned version) and falls back to the public API for
any other matcher. Deleted documents are filtered here.

``SearcherData`` is built once per searcher (it is replaced when the index
changes) and caches the scored postings of recently used terms.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from search.scoring import K1

BM25_B = 0.75
CACHE_POSTINGS = 400_000  # scored postings kept per searcher (a few tens of MB at most)
_BLOCK_API = ("_read_ids", "_read_weights", "_next_block")


def _leaf_lists(matcher) -> tuple[list[int], list[float]]:
    ids: list[int] = []
    weights: list[float] = []
    if all(hasattr(matcher, name) for name in _BLOCK_API):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids[matcher._i:])
            weights.extend(matcher._weights[matcher._i:])
            matcher._next_block()
        return ids, weights
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def _unfiltered(matcher):
    """The leaf matcher under Whoosh's deletion filter (we filter deletions ourselves)."""
    return getattr(matcher, "child", matcher)


class SearcherData:
    def __init__(self, searcher) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self.leaves = [(leaf, offset, _deleted(leaf)) for leaf, offset in reader.leaf_readers()]
        count = reader.doc_count_all()
        self.lengths = [reader.doc_field_length(docnum, "words", 1) for docnum in range(count)]
        self.avg_length = searcher.avg_field_length("words") or 1.0
        self.published = list(_column(reader, "published", count))
        self.category = list(_column(reader, "category", count))
        self._cache: OrderedDict = OrderedDict()
        self._cached = 0
        self._lock = threading.Lock()

    # --- raw postings ----------------------------------------------------------
    def postings(self, field: str, term: str) -> tuple[list[int], list[float]]:
        ids: list[int] = []
        weights: list[float] = []
        key = term.encode("utf-8")
        for leaf, offset, deleted in self.leaves:
            if (field, key) not in leaf:
                continue
            leaf_ids, leaf_weights = _leaf_lists(_unfiltered(leaf.postings(field, key)))
            for docnum, weight in zip(leaf_ids, leaf_weights):
                if deleted is None or docnum not in deleted:
                    ids.append(docnum + offset)
                    weights.append(weight)
        return ids, weights

    def expand_prefix(self, field: str, prefix: str, limit: int) -> list[str]:
        terms = []
        for term in self.searcher.reader().expand_prefix(field, prefix):
            terms.append(term.decode("utf-8") if isinstance(term, bytes) else term)
            if len(terms) >= limit:
                break
        return terms

    # --- scored postings ---------------------------------------------------------
    def scores(self, field: str, term: str) -> dict[int, float]:
        """docnum → score of one term (BM25 for words, saturated tf·idf for grams)."""
        key = (field, term)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        scored = self._score(field, term)
        self._remember(key, scored)
        return scored

    def _score(self, field: str, term: str) -> dict[int, float]:
        ids, weights = self.postings(field, term)
        if not ids:
            return {}
        idf = self.searcher.idf(field, term)
        k1p = K1 + 1
        if field == "words":
            lengths, norm = self.lengths, K1 * BM25_B / self.avg_length
            base = K1 * (1 - BM25_B)
            return {d: idf * w * k1p / (w + base + norm * lengths[d]) for d, w in zip(ids, weights)}
        return {d: idf * w * k1p / (w + K1) for d, w in zip(ids, weights)}

    def _remember(self, key, scored: dict[int, float]) -> None:
        with self._lock:
            if key in self._cache or len(scored) > CACHE_POSTINGS // 4:
                return
            self._cache[key] = scored
            self._cached += len(scored)
            while self._cached > CACHE_POSTINGS and self._cache:
                _, dropped = self._cache.popitem(last=False)
                self._cached -= len(dropped)


def _deleted(leaf) -> set[int] | None:
    if not leaf.has_deletions():
        return None
    return set(range(leaf.doc_count_all())) - set(leaf.all_doc_ids())


def _column(reader, field: str, count: int):
    if count == 0:  # an empty index has no columns at all
        return iter(())
    column = reader.column_reader(field)
    return (column[docnum] for docnum in range(count))
