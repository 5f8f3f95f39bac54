"""Fast, exact access to postings and per-document values of one Whoosh searcher.

Scoring term-at-a-time over whole posting lists (``search.engine``) needs the
posting ids and weights of a term as plain lists. Whoosh's public matcher API
yields them one call at a time (about 0.7 µs per posting); its leaf matcher
keeps each decoded block as arrays, which we read block by block (about
0.2 µs). The block path relies on attributes of whoosh-reloaded 2.7's
``W3LeafMatcher`` (the pinned version) and falls back to the public API for
any other matcher. Deleted documents are filtered here.

``SearcherData`` is built once per searcher (it is replaced when the index
changes; one per process, shared by its threads) and caches the scored postings of recently used terms.
"""
from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from itertools import accumulate
from sys import byteorder

from whoosh import columns
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from search.scoring import K1

BM25_B = 0.75
# Scored postings kept per process (one shared reader): about 100 bytes each as
# Python dict entries, so these bound the caches to roughly 10 MB + 5 MB
# (measured: 200k + 100k cost a 10k-document worker about 30 MB).
TERM_CACHE_POSTINGS = 100_000
UNIT_CACHE_POSTINGS = 50_000
_LENGTH_OF_BYTE = [0] + [byte_to_length(value) for value in range(1, 256)]
_BLOCK_API = ("_data", "_read_data", "_read_weights", "_next_block", "_byteids")


def _leaf_lists(matcher) -> tuple[list[int], list[float]]:
    ids: list[int] = []
    weights: list[float] = []
    if all(hasattr(matcher, name) for name in _BLOCK_API) and not matcher._byteids:
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            # A block stores its ids as deltas; Whoosh undoes them in a Python generator.
            block_ids = list(accumulate(matcher._data[0]))
            matcher._read_weights()
            start = matcher._i
            ids.extend(block_ids[start:] if start else block_ids)
            weights.extend(matcher._weights[start:])
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
        # Per-document values, each segment's column read in one go (per document, a 10k
        # index took ~30,000 small reads: a third of a second before a fresh worker's first query).
        self.lengths = [length for leaf, _, _ in self.leaves for length in _leaf_lengths(leaf, "words")]
        self.avg_length = searcher.avg_field_length("words") or 1.0
        # BM25's length part, K1·(1 − B + B·length/avg), once per document instead of per posting.
        base, norm = K1 * (1 - BM25_B), K1 * BM25_B / self.avg_length
        self.length_terms = [base + norm * length for length in self.lengths]
        self.published = [value for leaf, _, _ in self.leaves for value in _leaf_values(leaf, "published")]
        self.category = [value for leaf, _, _ in self.leaves for value in _leaf_values(leaf, "category")]
        self._term_cache = _SizedCache(TERM_CACHE_POSTINGS)
        # Unit results: paging through a query, or a popular query, is not scored twice.
        self.unit_cache = _SizedCache(UNIT_CACHE_POSTINGS)
        self._recency: dict = {}
        self._hay = _column_reader(reader, "hay", count)

    def contains(self, docnum: int, needles: tuple[str, ...]) -> bool:
        """Whether the document's folded text holds every needle verbatim (``hay`` column)."""
        if self._hay is None:
            return False
        hay = self._hay[docnum].decode("utf-8")
        return all(needle in hay for needle in needles)

    def clear_caches(self) -> None:
        """Forget cached term and unit scores (the bench measures cold queries this way)."""
        self._term_cache = _SizedCache(TERM_CACHE_POSTINGS)
        self.unit_cache = _SizedCache(UNIT_CACHE_POSTINGS)

    def recency(self, now: int, max_boost: float, half_life_days: float) -> list[float]:
        """Per-document recency factors at ``now`` (cached for the hour: they change slowly)."""
        key = (now // 3600, max_boost, half_life_days)
        cached = self._recency.get(key)
        if cached is None:
            decay = 1 / (half_life_days * 86400)
            cached = [1.0 + max_boost * 0.5 ** (max(0, now - published) * decay) for published in self.published]
            self._recency = {key: cached}
        return cached

    # --- raw postings ----------------------------------------------------------
    def postings(self, field: str, term: str) -> tuple[list[int], list[float]]:
        ids: list[int] = []
        weights: list[float] = []
        key = term.encode("utf-8")
        for leaf, offset, deleted in self.leaves:
            if (field, key) not in leaf:
                continue
            leaf_ids, leaf_weights = _leaf_lists(_unfiltered(leaf.postings(field, key)))
            if deleted is None:
                ids.extend(docnum + offset for docnum in leaf_ids) if offset else ids.extend(leaf_ids)
                weights.extend(leaf_weights)
                continue
            for docnum, weight in zip(leaf_ids, leaf_weights):
                if docnum not in deleted:
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
        cached = self._term_cache.get(key)
        if cached is None:
            cached = self._score(field, term)
            self._term_cache.put(key, cached)
        return cached

    def _score(self, field: str, term: str) -> dict[int, float]:
        ids, weights = self.postings(field, term)
        if not ids:
            return {}
        idf = self.searcher.idf(field, term)
        k1p = K1 + 1
        scale = idf * k1p
        if field == "words":
            length_terms = self.length_terms
            return {d: scale * w / (w + length_terms[d]) for d, w in zip(ids, weights)}
        return {d: scale * w / (w + K1) for d, w in zip(ids, weights)}


class _SizedCache:
    """LRU of dict values, bounded by their total number of entries (thread-safe)."""

    def __init__(self, limit: int) -> None:
        self._items: OrderedDict = OrderedDict()
        self._size = 0
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value: dict) -> None:
        with self._lock:
            if key in self._items or len(value) > self._limit // 4:
                return
            self._items[key] = value
            self._size += len(value)
            while self._size > self._limit and self._items:
                self._size -= len(self._items.popitem(last=False)[1])


def _deleted(leaf) -> set[int] | None:
    if not leaf.has_deletions():
        return None
    return set(range(leaf.doc_count_all())) - set(leaf.all_doc_ids())


def _column_reader(reader, field: str, count: int):
    if count == 0 or not reader.has_column(field):
        return None
    return reader.column_reader(field)


def _leaf_values(leaf, field: str) -> list:
    """A sortable field's value for each document of one segment."""
    count = leaf.doc_count_all()
    if count == 0:  # an empty segment has no columns at all
        return []
    column = leaf.column_reader(field)
    values = _bulk(column, count)
    return values if values is not None else [column[docnum] for docnum in range(count)]


def _leaf_lengths(leaf, field: str) -> list[int]:
    """The field length (terms) of each document of one segment."""
    count = leaf.doc_count_all()
    perdoc, name = getattr(leaf, "_perdoc", None), _lenfield(field)
    if count and perdoc is not None and perdoc.has_column(name):
        raw = _bulk(perdoc.column_reader(name, LENGTHS_COLUMN), count)
        if raw is not None:
            return [_LENGTH_OF_BYTE[value] for value in raw]
    return [leaf.doc_field_length(docnum, field, 1) or 0 for docnum in range(count)]


def _bulk(column, count: int) -> list | None:
    """Every value of a column reader from one read, or None for a kind of column not handled here.

    Relies on the readers of whoosh-reloaded 2.7's fixed-size numeric and
    variable-length byte columns (the pinned version); the caller falls back to
    reading document by document.
    """
    translate = None
    if isinstance(column, columns.TranslatingColumnReader):
        translate, column = column._translate, column._reader
    if type(column) is columns.NumericColumn.Reader:
        if array(column._typecode).itemsize != column._fixedlen:
            return None
        present = min(column._count, count)
        raw = array(column._typecode, column._dbfile.get(column._basepos, present * column._fixedlen))
        if byteorder == "little" and raw.itemsize > 1:
            raw.byteswap()  # stored big-endian
        values = raw.tolist() + [column._default] * (count - present)
    elif type(column) is columns.VarBytesColumn.Reader:
        spans = list(zip(column._offsets, column._lengths))
        data = column._dbfile.get(column._basepos, max((start + size for start, size in spans), default=0))
        values = [data[start:start + size] for start, size in spans]
    else:
        return None
    return [translate(value) for value in values] if translate is not None else values
