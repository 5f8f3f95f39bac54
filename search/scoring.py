"""Weighting: BM25F for words; saturated tf × idf without length for bigrams.

The ``grams`` field stores no field lengths (``scorable=False``): writing the
length of every posting was a third of the indexing time, and bigrams are a
secondary signal whose score needs no length normalisation. Whoosh would
score such a field by raw weight (no idf), letting common bigrams like 「工場」
outweigh rare ones, so this model gives them BM25's saturation and idf with
B = 0.
"""
from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec
from whoosh.scoring import BM25F, BaseScorer

K1 = 1.2


class SaturatedIdfScorer(BaseScorer):
    def __init__(self, searcher, fieldname: str, text: bytes, model: BM25F, k1: float, qf: float = 1.0) -> None:
        self._idf = model.idf(searcher, fieldname, text) * qf
        self._k1 = k1
        self._max = self._score(searcher.term_info(fieldname, text).max_weight())

    def _score(self, weight: float) -> float:
        return self._idf * weight * (self._k1 + 1) / (weight + self._k1)

    def supports_block_quality(self) -> bool:
        return True

    def score(self, matcher) -> float:
        return self._score(matcher.weight())

    def max_quality(self) -> float:
        return self._max

    def block_quality(self, matcher) -> float:
        return self._score(matcher.block_max_weight())


class SearchWeighting(BM25F):
    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return SaturatedIdfScorer(searcher, fieldname, text, self, self.K1, qf)
        return super().scorer(searcher, fieldname, text, qf=qf)


WEIGHTING = SearchWeighting(B=0.75, K1=K1)


class BulkCodec(W3Codec):
    """Whoosh's codec without per-term length statistics, with large uncompressed blocks.

    Length statistics (shortest/longest document per term) only feed Whoosh's
    block-quality shortcuts, which ``search.engine`` never uses; computing them
    costs a field-length lookup per posting — about half of a full rebuild.
    Document lengths for BM25 are still stored. ``search.engine`` reads whole
    posting lists, so per-block zlib and decoding overhead is pure cost there.
    """

    length_stats = False

    def __init__(self) -> None:
        super().__init__(blocklimit=1024, compression=0)
