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

import heapq
import math
from collections import Counter
from dataclasses import dataclass, field

from search.phrases import ParsedQuery, from_units
from search.postings import SearcherData
from search.querying import Clause, Unit, unit_clauses
from search.verbatim import add_phrase_matches

RECENCY_MAX_BOOST = 0.15
RECENCY_HALF_LIFE_DAYS = 365.0
# A one-character unit matches every bigram starting with it; cap the expansion.
MAX_PREFIX_TERMS = 300
# Share of a query's meaningful characters a document's matches must exceed (search.phrases):
# 「チャットボット 質問 サービス」 without サービス (5 of 8) passes, 「野球チーム」 by チーム alone (3 of 5),
# 「旋盤 火星」 by 旋盤 alone (2 of 4) do not.
MIN_COVERAGE = 0.6


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
    return _intersect(per_term, clause.boost)


def _intersect(per_term: list[dict[int, float]], boost: float) -> dict[int, float]:
    """Documents in every dict, with the boosted sum of their scores (rarest term first)."""
    first, rest = per_term[0], per_term[1:]
    if not rest:
        return {docnum: score * boost for docnum, score in first.items()}
    keys = first.keys() & rest[0].keys()
    for scores in rest[1:]:
        keys &= scores.keys()
    if len(rest) == 1:
        second = rest[0]
        return {docnum: (first[docnum] + second[docnum]) * boost for docnum in keys}
    combined = {docnum: first[docnum] for docnum in keys}
    for scores in rest:
        for docnum in keys:
            combined[docnum] += scores[docnum]
    return {docnum: score * boost for docnum, score in combined.items()}


def unit_scores(data: SearcherData, unit: Unit) -> dict[int, float]:
    """docnum → score of one unit: the sum over the clauses each document satisfies (read-only)."""
    clauses = tuple(unit_clauses(unit))
    cached = data.unit_cache.get(clauses)
    if cached is not None:
        return cached
    per_clause = [(clause, _clause_scores(data, clause)) for clause in clauses]
    trusted = set().union(*(scores.keys() for clause, scores in per_clause if not clause.verify))
    total: dict[int, float] = {}
    for clause, scores in per_clause:
        if clause.verify:
            scores = _verified(data, scores, trusted, clause.verify)
        get = total.get
        for docnum, score in scores.items():
            total[docnum] = get(docnum, 0.0) + score
    data.unit_cache.put(clauses, total)
    return total


def _verified(data: SearcherData, scores: dict[int, float], trusted: set[int],
              needles: tuple[str, ...]) -> dict[int, float]:
    """Bigram matches that another clause confirms or whose text holds ``needles`` verbatim."""
    return {docnum: score for docnum, score in scores.items()
            if docnum in trusted or data.contains(docnum, needles)}


def _combine(unit_scores: list[dict[int, float]]) -> dict[int, list]:
    """docnum → [mask of matched units, summed score]."""
    combined: dict[int, list] = {}
    for bit, scores in enumerate(unit_scores):
        flag = 1 << bit
        for docnum, score in scores.items():
            entry = combined.get(docnum)
            if entry is None:
                combined[docnum] = [flag, score]
            else:
                entry[0] |= flag
                entry[1] += score
    return combined


def split_compounds(units: list[Unit]) -> list[Unit]:
    """Each word of a compound unit as a unit of its own (a last resort before "no results")."""
    parts: dict[str, Unit] = {}
    for unit in units:
        pieces = [Unit(word, (word,), prefix_ok=False) for word in unit.words] if len(unit.words) > 1 else [unit]
        for piece in pieces:
            parts.setdefault(piece.span, piece)
    return list(parts.values())


def _select(combined: dict[int, list], query: ParsedQuery) -> dict[int, list]:
    """Documents covering enough of the query; those matching enough units first.

    A document must cover more than ``MIN_COVERAGE`` of the query's meaningful characters
    (see ``search.phrases``); among those, documents matching the required
    number of units are preferred, the others shown only if none do.
    """
    weight = max(1, query.weight)
    need = required_matches(len(query.units))
    covered: dict[int, bool] = {}

    def covers(mask: int) -> bool:
        if mask not in covered:
            covered[mask] = query.chars(mask) / weight > MIN_COVERAGE
        return covered[mask]

    eligible = {d: v for d, v in combined.items() if covers(v[0])}
    strict = {d: v for d, v in eligible.items() if v[0].bit_count() >= need}
    return strict or eligible


def _matches(data: SearcherData, query: ParsedQuery) -> dict[int, list]:
    combined = _combine([unit_scores(data, unit) for unit in query.units])
    for phrase in query.phrases:
        add_phrase_matches(data, phrase, combined)
    return _select(combined, query)


def rank(data: SearcherData, query: ParsedQuery | list[Unit], *, now: int, category: str | None, offset: int,
         limit: int) -> EngineResult:
    """Ranked documents visible at ``now`` (epoch seconds); facets ignore ``category``.

    ``query``: ``search.phrases.parse_query(text)`` (a bare list of units is
    searched without phrases, its units being the whole query).
    """
    if not isinstance(query, ParsedQuery):
        query = from_units(query)
    if not query.units:
        return EngineResult()
    selected = _matches(data, query)
    if not selected and any(len(unit.words) > 1 for unit in query.units):
        # 「宇宙開発」 finds nothing: try 「宇宙」「開発」 separately (the same share to cover).
        query = from_units(split_compounds(query.units))
        selected = _matches(data, query)
    units = len(query.units)
    published, categories = data.published, data.category
    visible = [docnum for docnum in selected if published[docnum] <= now]
    facets = Counter(categories[docnum] for docnum in visible)
    if category:
        visible = [docnum for docnum in visible if categories[docnum] == category]
    coordination = [(matched / units) ** 2 for matched in range(units + 1)]
    recency = data.recency(now, RECENCY_MAX_BOOST, RECENCY_HALF_LIFE_DAYS)
    scored = [(selected[d][1] * coordination[selected[d][0].bit_count()] * recency[d], published[d], -d)
              for d in visible]
    head = heapq.nlargest(offset + limit, scored)[offset:]
    return EngineResult(total=len(visible), facets=dict(facets), page=[Ranked(-d, score) for score, _, d in head])
