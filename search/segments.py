"""Writing a rebuild's segments with postings grouped by term as documents arrive.

Whoosh's ``SegmentWriter`` turns every posting into a tuple in a pool, sorts
all of them when the segment is committed and then feeds them one at a time
to the postings writer: about half of a rebuild's CPU time went there (≈ 400
postings per article). ``BulkSegmentWriter`` appends each posting to its
term's arrays instead (ids, weights, frequencies), sorts only the distinct
terms at the end, and hands each term's postings to the codec block by block.
The bytes on disk are the ones Whoosh writes itself
(``tests/search/test_index_store.py`` compares both writers posting by posting).

Only what our schema uses is supported (no vectors, no spelling fields, no
boosts); anything else is refused when the writer is created. The block path
relies on attributes of whoosh-reloaded 2.7's ``W3PostingsWriter`` (the pinned
version, as ``search.postings`` does for reading) and falls back to the public
per-posting API for any other postings writer.
"""
from __future__ import annotations

import shutil
from array import array
from pathlib import Path
from sys import byteorder

from whoosh.index import TOC, clean_files
from whoosh.writing import SegmentWriter

from search.schema import WeightedTerms

_BLOCK_API = ("_ids", "_weights", "_values", "_maxweight", "_write_block", "_blocklimit")


class _Postings:
    """One term's postings in this segment, in docnum order."""

    __slots__ = ("ids", "weights", "freqs")

    def __init__(self) -> None:
        self.ids = array("I")
        # Doubles: a block's max weight is taken before the float32 rounding of its weights, as in Whoosh.
        self.weights = array("d")
        self.freqs: array | None = None


class BulkSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` for fresh segments of our schema (see the module docstring)."""

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: vectors and spelling fields are not supported here")
        # fieldname → term → postings. Replaces Whoosh's PostingPool (never used). Terms of
        # WeightedTerms fields are kept as str and encoded once per segment (UTF-8 bytes sort
        # in code point order, so sorting either gives the same order).
        self._terms: dict[str, dict[bytes, _Postings]] = {}
        self._texts: dict[str, dict[str, _Postings]] = {}
        self._fields = [(name, self.schema[name]) for name in sorted(self.schema.names())]

    def add_document(self, **fields) -> None:
        self._check_state()
        unknown = fields.keys() - self.schema.names()
        if unknown:
            raise ValueError(f"unknown field(s) {sorted(unknown)}")
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        try:
            for name, field in self._fields:
                value = fields.get(name)
                if value is None:
                    continue
                length = 0
                if isinstance(field, WeightedTerms):
                    length = self._add_table(name, docnum, value, field.scorable)
                elif field.indexed:
                    length = self._add_items(name, docnum, field.index(value), field.scorable)
                perdoc.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        except BaseException:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _add_table(self, name: str, docnum: int, table: dict, scorable: bool) -> int:
        """A ``WeightedTerms`` value: ``{term: [frequency, weight]}``. Returns the field length."""
        terms = self._texts.setdefault(name, {})
        get = terms.get
        length = 0
        for term, (frequency, weight) in table.items():
            postings = get(term)
            if postings is None:
                postings = terms[term] = _Postings()
                postings.freqs = array("I")
            postings.ids.append(docnum)
            postings.weights.append(weight)
            postings.freqs.append(frequency)
            length += frequency
        return length if scorable else 0

    def _add_items(self, name: str, docnum: int, items, scorable: bool) -> int:
        """Postings of any other indexed field (ids, numbers: no per-posting values)."""
        terms = self._terms.setdefault(name, {})
        length = 0
        for tbytes, frequency, weight, vbytes in items:
            if vbytes:
                raise ValueError(f"field {name!r}: posting values are only supported for WeightedTerms")
            postings = terms.get(tbytes)
            if postings is None:
                postings = terms[tbytes] = _Postings()
            postings.ids.append(docnum)
            postings.weights.append(weight)
            length += frequency
        return length if scorable else 0

    def finish_segment(self):
        """Write this writer's segment without committing it (a parallel build's part).

        Returns the Whoosh segment; ``commit_segments`` makes a set of them the index.
        """
        self._check_state()
        try:
            return self._finalize_segment()
        finally:
            self.is_closed = True  # no table of contents, no lock; the temp folder goes with the build

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        for name, texts in self._texts.items():
            self._terms.setdefault(name, {}).update((text.encode("utf-8"), postings) for text, postings in texts.items())
        self._texts = {}
        writer = self.fieldwriter
        for name in sorted(self._terms):
            terms = self._terms[name]
            if not terms:
                continue
            writer.start_field(name, self.schema[name])
            for key in sorted(terms):
                writer.start_term(key)
                _write_postings(writer, terms.pop(key))
                writer.finish_term()
            writer.finish_field()
        writer.close()
        self._terms = {}


def _frequency_bytes(freqs: array) -> bytes:
    """Frequencies as Whoosh's Frequency format stores them (``pack_uint``: 4 bytes, big-endian)."""
    if byteorder == "little":
        freqs = array("I", freqs)
        freqs.byteswap()
    return freqs.tobytes()


def _write_postings(writer, postings: _Postings) -> None:
    """One term's postings into the field writer's current term."""
    target = writer._postwriter
    values = _frequency_bytes(postings.freqs) if postings.freqs is not None else None
    if not all(hasattr(target, name) for name in _BLOCK_API) or array("I").itemsize != 4:
        width = 4 if values is not None else 0
        for i, (docnum, weight) in enumerate(zip(postings.ids, postings.weights)):
            writer.add(docnum, weight, values[i * width:(i + 1) * width] if values is not None else b"", 0)
        return
    ids, weights, limit = postings.ids, postings.weights, target._blocklimit
    for start in range(0, len(ids), limit):
        end = start + limit
        # What add_posting() leaves in the block buffer, filled in one go. The last
        # (partial) block stays buffered: finish_term() writes it, as Whoosh does.
        target._ids = ids[start:end]
        block_weights = weights[start:end]
        target._weights = array("f", block_weights)
        target._values = [values[start * 4:end * 4]] if values is not None else []
        target._maxweight = max(0, max(block_weights))
        target._minlength, target._maxlength = None, 0
        if end < len(ids):
            target._write_block()


def commit_segments(ix, segments: list) -> None:
    """Make ``segments`` (from ``finish_segment`` in other processes), in this order, the index's content.

    For a fresh index only (its own folder, no other writer): the previous
    table of contents, if any, is replaced.
    """
    generation = ix.latest_generation() + 1
    TOC(ix.schema, segments, generation).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, generation, segments)
    shutil.rmtree(Path(ix.storage.folder) / f"{ix.indexname}.tmp", ignore_errors=True)
