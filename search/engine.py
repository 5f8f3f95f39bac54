"""Ranking: score each unit over all its matches, combine, filter, facet, paginate.

Scoring is term-at-a-time over whole posting lists (``search.postings``), so
every matching document gets its exact score and the total and the facet
counts come for free. Whoosh's collectors are not used for ranking at all:
in whoosh-reloaded 2.7.5 an ``Or`` of ``Or``s searched with a small ``limit``
can prune the best document (block-quality matcher replacement), so page 1
with ``per_page=1`` must equal the head of the full ranking —
``tests/search/test_ranking.py`` checks exactly that, and checks our scores
against Whoosh's own unlimited scoring of the equivalent query.

Scoring: per unit, the sum over its satisfied clauses (words: BM25F with
titles and tags weighted up, see ``schema``; bigrams: saturated tf·idf);
summed over matched units, times (matched/units)² so documents matching all
of a multi-word query come first, times a mild recency boost (at most +15 %,
halving every year).
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from search.postings import SearcherData
from search.querying import Clause, Unit, unit_clauses

RECENCY_MAX_BOOST = 0.15
RECENCY_HALF_LIFE_DAYS = 365.0
# A one-character unit matches every bigram starting with it; cap the expansion.
MAX_PREFIX_TERMS = 300


@dataclass
class Ranked:
    docnum: int
    score: float


@dataclass
class EngineResult:
    total: int = 0
    facets: dict[str, int] = field(default_factory=dict)
    page: list[Ranked] = field(default_factory=list)


def required_matches(units: int) -> int:
    """How many units a document must match (the rest may be missing)."""
    if units <= 2:
        return units
    if units <= 4:
        return units - 1
    return math.ceil(units * 0.6)


def recency_factor(published: int, now: int) -> float:
    age_days = max(0.0, (now - published) / 86400)
    return 1.0 + RECENCY_MAX_BOOST * 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)


def _clause_scores(data: SearcherData, clause: Clause) -> dict[int, float]:
    """docnum → boosted score for documents satisfying the clause."""
    if clause.prefix:  # the best of the words starting with the character, not their sum
        terms = data.expand_prefix(clause.field, clause.terms[0], MAX_PREFIX_TERMS)
        best: dict[int, float] = {}
        for term in terms:
            for docnum, score in data.scores(clause.field, term).items():
                if score > best.get(docnum, 0.0):
                    best[docnum] = score
        return {docnum: score * clause.boost for docnum, score in best.items()}
    per_term = sorted((data.scores(clause.field, term) for term in clause.terms), key=len)
    if not per_term or not per_term[0]:
        return {}
    keys = per_term[0].keys()
    for scores in per_term[1:]:
        keys = keys & scores.keys()
    return {docnum: clause.boost * sum(scores[docnum] for scores in per_term) for docnum in keys}


def unit_scores(data: SearcherData, unit: Unit) -> dict[int, float]:
    """docnum → score of one unit: the sum over the clauses each document satisfies."""
    total: dict[int, float] = {}
    for clause in unit_clauses(unit):
        for docnum, score in _clause_scores(data, clause).items():
            total[docnum] = total.get(docnum, 0.0) + score
    return total


def _combine(unit_scores: list[dict[int, float]]) -> dict[int, tuple[int, float]]:
    combined: dict[int, tuple[int, float]] = {}
    for scores in unit_scores:
        for docnum, score in scores.items():
            matched, total = combined.get(docnum, (0, 0.0))
            combined[docnum] = (matched + 1, total + score)
    return combined


def split_compounds(units: list[Unit]) -> list[Unit]:
    """Each word of a compound unit as a unit of its own (a last resort before "no results")."""
    parts: dict[str, Unit] = {}
    for unit in units:
        pieces = [Unit(word, (word,), prefix_ok=False) for word in unit.words] if len(unit.words) > 1 else [unit]
        for piece in pieces:
            parts.setdefault(piece.span, piece)
    return list(parts.values())


def _select(combined: dict[int, tuple[int, float]], units: int) -> dict[int, tuple[int, float]]:
    """Documents matching enough units; if none do, every partial match (better than nothing)."""
    need = required_matches(units)
    strict = {d: v for d, v in combined.items() if v[0] >= need}
    return strict or combined


def rank(data: SearcherData, units: list[Unit], *, now: int, category: str | None, offset: int,
         limit: int) -> EngineResult:
    """Ranked documents visible at ``now`` (epoch seconds); facets ignore ``category``."""
    if not units:
        return EngineResult()
    published, categories = data.published, data.category
    selected = _select(_combine([unit_scores(data, unit) for unit in units]), len(units))
    if not selected and any(len(unit.words) > 1 for unit in units):
        units = split_compounds(units)  # 「宇宙開発」 finds nothing: try 「宇宙」「開発」 separately
        selected = _select(_combine([unit_scores(data, unit) for unit in units]), len(units))
    visible = {d: v for d, v in selected.items() if published[d] <= now}
    facets = Counter(categories[d] for d in visible)
    ranked = [
        Ranked(d, total * (matched / len(units)) ** 2 * recency_factor(published[d], now))
        for d, (matched, total) in visible.items()
        if not category or categories[d] == category
    ]
    ranked.sort(key=lambda r: (-r.score, -published[r.docnum], r.docnum))
    return EngineResult(total=len(ranked), facets=dict(facets), page=ranked[offset:offset + limit])
