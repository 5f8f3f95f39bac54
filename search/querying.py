"""User text → query units → clauses over the index's terms.

Any text is a valid query: Whoosh syntax characters, quotes and emoji are just
characters, normalised away like all punctuation (no query parser is
involved). The text is cut into
*units*: whitespace-separated chunks, further split by morphology into
compounds (adjacent nouns stay together: 「3Dプリンタ」「奨学金返還」) and
single verbs/adjectives. A unit matches a document through its words (all of
them, anywhere) or through its characters (all of its bigrams), or through
one of its synonyms: ``unit_clauses``. How many units must match, and the
scores, are decided in ``engine``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice

from search import synonyms
from search.morph import Morpheme, analyse, content_morphemes
from search.normalize import fold_kana, normalize, word_runs

MAX_QUERY_CHARS = 200
MAX_UNITS = 10
SHORT_KANA_CHUNK = 8
WORD_BOOST = 1.0
GRAM_BOOST = 0.7
READING_BOOST = 0.8
SYNONYM_BOOST = 0.8
_KANA = set(chr(c) for c in range(0x3041, 0x3097)) | set(chr(c) for c in range(0x30A1, 0x30FB)) | {"ー"}


@dataclass
class Unit:
    span: str  # normalised characters, e.g. "3dプリンタ"
    words: tuple[str, ...]  # morphological terms; empty when analysis did not cover the span
    alternatives: list[Unit] = field(default_factory=list)
    # A lone character may match inside longer words (「鉄」 in 製鉄); within a longer
    # query a one-character word (「人」) is just that word.
    prefix_ok: bool = True

    def surfaces(self) -> list[str]:
        """Strings worth highlighting for this unit (itself and its synonyms)."""
        return [self.span] + [alt.span for alt in self.alternatives]


def clean_query(query) -> str:
    """Normalised, length-capped query text (also what the KPI log stores)."""
    text = normalize(query if isinstance(query, str) else "")
    return text[:MAX_QUERY_CHARS].strip()


def _is_short_kana(chunk: str) -> bool:
    return len(chunk) <= SHORT_KANA_CHUNK and all(char in _KANA for char in chunk)


def _covering_words(chunk: str) -> tuple[str, ...]:
    """Words of a chunk only if the analysis used every character (else it mis-split)."""
    morphemes = content_morphemes(chunk)
    return tuple(m.norm for m in morphemes) if "".join(m.surface for m in morphemes) == chunk else ()


def _groups(morphemes: list[Morpheme]) -> list[list[Morpheme]]:
    groups: list[list[Morpheme]] = []
    for morpheme in morphemes:
        previous = groups[-1][-1] if groups else None
        if previous and previous.joins_compound and morpheme.joins_compound and previous.end == morpheme.start:
            groups[-1].append(morpheme)
        else:
            groups.append([morpheme])
    return groups


def _query_morphemes(chunk: str) -> list[Morpheme]:
    """Content words, plus adverbs not written in hiragana (ピカピカ: a reader means them).

    Adverbs are not indexed as words; such a unit matches through its bigrams.
    Hiragana adverbs (とても, ゆっくり) weigh no more than particles.
    """
    morphemes = content_morphemes(chunk)
    adverbs = [m for m in analyse(chunk) if m.pos == "副詞" and len(m.surface) > 1
               and not all("\u3041" <= char <= "\u309f" for char in m.surface)]
    if not adverbs:
        return morphemes
    return sorted(morphemes + [Morpheme(m.surface, m.surface, m.pos, m.start, m.end) for m in adverbs],
                  key=lambda m: m.start)


def _chunk_units(chunk: str) -> list[Unit]:
    if _is_short_kana(chunk):
        return [Unit(chunk, _covering_words(chunk))]
    morphemes = _query_morphemes(chunk)
    if not morphemes:
        return [Unit(run, ()) for run in word_runs(chunk)]
    return [
        Unit(chunk[group[0].start:group[-1].end], tuple(m.norm for m in group if m.pos != "副詞"))
        for group in _groups(morphemes)
    ]


def _with_synonyms(unit: Unit) -> Unit:
    for term in synonyms.alternatives(unit.span):
        unit.alternatives.append(Unit(term, _covering_words(term) or tuple(m.norm for m in content_morphemes(term))))
    return unit


def parse_units(query) -> list[Unit]:
    """Query units of user text (at most MAX_UNITS, duplicates removed)."""
    units: dict[str, Unit] = {}
    for chunk in clean_query(query).split(" "):
        for unit in _chunk_units(chunk):
            if unit.span and word_runs(unit.span) and unit.span not in units:
                units[unit.span] = _with_synonyms(unit)
    chosen = list(islice(units.values(), MAX_UNITS))
    if len(chosen) > 1:
        for unit in chosen:
            unit.prefix_ok = not unit.words
    return chosen


@dataclass(frozen=True)
class Clause:
    """Documents containing all ``terms`` of ``field`` (or, for a prefix, any term starting with it)."""

    field: str  # "words" or "grams"
    terms: tuple[str, ...]
    boost: float
    prefix: bool = False
    # Bigrams carry no positions: documents found only through this clause must
    # contain these folded runs verbatim (「123」 is not 「12」 + 「23」).
    verify: tuple[str, ...] = ()


def _gram_clauses(span: str, boost: float, prefix_ok: bool = True) -> list[Clause]:
    runs = word_runs(fold_kana(span))
    if not runs:
        return []
    if len(runs) == 1 and len(runs[0]) == 1:
        return [Clause("grams", (runs[0],), boost * GRAM_BOOST, prefix=True)] if prefix_ok else []
    grams = [run[i:i + 2] for run in runs for i in range(len(run) - 1)] + [run for run in runs if len(run) == 1]
    verify = tuple(run for run in runs if len(run) > 2)
    return [Clause("grams", tuple(dict.fromkeys(grams)), boost * GRAM_BOOST, verify=verify)]


def _own_clauses(unit: Unit, boost: float = 1.0) -> list[Clause]:
    clauses = _gram_clauses(unit.span, boost, unit.prefix_ok)
    if unit.words:
        clauses.insert(0, Clause("words", tuple(dict.fromkeys(unit.words)), boost * WORD_BOOST))
    # Readings are for words typed in hiragana (「せんばん」 → 旋盤). A katakana word is
    # usually a loanword: サッカー must not find 作家 (さっか) through its reading.
    if len(unit.span) > 1 and all(char in _KANA for char in unit.span) and not _all_katakana(unit.span):
        clauses.append(Clause("reads", (fold_kana(unit.span),), boost * READING_BOOST))
    return clauses


def _all_katakana(text: str) -> bool:
    return all("\u30a1" <= char <= "\u30fc" for char in text)


def unit_clauses(unit: Unit) -> list[Clause]:
    """How a unit can match: its words, its bigrams, and the same for each synonym.

    A document's unit score is the sum over the clauses it satisfies, so a
    document matching both words and characters (the usual case for a real
    hit) outranks one matching only bigrams by coincidence.
    """
    clauses = _own_clauses(unit)
    for alternative in unit.alternatives:
        clauses += _own_clauses(alternative, SYNONYM_BOOST)
    strongest: dict[tuple, Clause] = {}
    for clause in clauses:  # a synonym repeating the unit's own words adds nothing but cost
        key = (clause.field, frozenset(clause.terms), clause.prefix)
        if key not in strongest or clause.boost > strongest[key].boost:
            strongest[key] = clause
    return list(strongest.values())
