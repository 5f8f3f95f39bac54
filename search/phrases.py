"""What a query must cover, and its verbatim phrases (precision on top of ``querying``).

``parse_query`` adds two things to the units of ``querying.parse_units``:

* **weight**: the characters of the query that carry meaning — its units,
  each counted up to ``MAX_UNIT_WEIGHT`` characters (particles, auxiliaries,
  light verbs and hiragana adverbs weigh nothing).
  ``engine`` drops documents whose matched units cover less than
  ``MIN_COVERAGE`` of it: 「あいうえおかきくけこ」 is not answered by articles
  matching 「こ」, nor 「旋盤 火星」 by articles about lathes only.
* **phrases**: each run of word characters of 2+ characters, verbatim, and
  the same run with a synonym substituted inside it (見学申し込み書 →
  見学申込書). A document containing a phrase verbatim matches every unit
  inside it, however the morphology split the query or the document
  (「ねじ切り」: verbs in the query, a noun in the document).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from search import synonyms
from search.morph import analyse
from search.normalize import fold_kana, word_runs
from search.querying import Unit, clean_query, parse_units

MAX_VARIANTS = 12
MAX_UNIT_WEIGHT = 3
# Longer runs are sentences: substitutions inside them are not looked up (cost grows with length²).
MAX_VARIANT_RUN = 24
SYNONYM_PHRASE_BOOST = 0.8


@dataclass(frozen=True)
class Phrase:
    """Documents containing ``text`` (folded) verbatim match every unit in ``mask``."""

    text: str
    required: tuple[str, ...]  # bigrams a candidate must have in the index
    mask: int
    boost: float


@dataclass
class ParsedQuery:
    units: list[Unit]
    phrases: list[Phrase] = field(default_factory=list)
    weight: int = 0

    def chars(self, mask: int) -> int:
        return sum(unit_weight(unit) for bit, unit in enumerate(self.units) if mask >> bit & 1)


def unit_weight(unit: Unit) -> int:
    """A unit's share of the query: its length, capped so one long word cannot outweigh the rest."""
    return min(len(unit.span), MAX_UNIT_WEIGHT)


def parse_query(query) -> ParsedQuery:
    text = clean_query(query)
    units = parse_units(text)
    weight = sum(unit_weight(unit) for unit in units)
    return ParsedQuery(units, _phrases(text, units), weight)


def from_units(units: list[Unit]) -> ParsedQuery:
    """A query of given units only (no phrases; the weight is the units' own)."""
    return ParsedQuery(list(units), [], sum(unit_weight(unit) for unit in units))


def _phrases(text: str, units: list[Unit]) -> list[Phrase]:
    phrases: dict[str, Phrase] = {}
    for chunk in text.split(" "):
        for run in word_runs(chunk):
            mask = sum(1 << bit for bit, unit in enumerate(units) if unit.span in run)
            if len(run) < 2 or not mask:
                continue
            one_unit = _is_one_unit(run, units)
            own = [] if one_unit else [(run, 1.0)]
            for variant, boost in own + [(v, SYNONYM_PHRASE_BOOST) for v in _variants(run, whole=not one_unit)]:
                phrase = _phrase(variant, mask, boost)
                if phrase is not None and phrase.text not in phrases:
                    phrases[phrase.text] = phrase
    return list(phrases.values())


def _is_one_unit(run: str, units: list[Unit]) -> bool:
    """A run that is exactly one unit is already checked verbatim by the unit's own bigrams."""
    return any(unit.span == run for unit in units)


def _variants(run: str, whole: bool) -> list[str]:
    """The run with one synonym substituted for a part of it (longest parts first).

    Parts are whole morphemes or runs of them (「申し」「込み」 → 申し込み), never
    pieces of a word: ロボト must not become ロボットト. ``whole=False``: the run
    is one unit, whose own synonyms are already searched.
    """
    found: list[str] = []
    if len(run) > MAX_VARIANT_RUN:
        return found
    bounds = sorted({0, len(run)} | {m.end for m in analyse(run)})
    parts = sorted(((a, b) for i, a in enumerate(bounds) for b in bounds[i + 1:] if whole or (a, b) != (0, len(run))),
                   key=lambda part: part[0] - part[1])
    for start, end in parts:
        if end - start < 2:
            continue
        for other in synonyms.alternatives(run[start:end]):
            variant = run[:start] + other.replace(" ", "") + run[end:]
            if variant != run and variant not in found:
                found.append(variant)
            if len(found) >= MAX_VARIANTS:
                return found
    return found


def _phrase(text: str, mask: int, boost: float) -> Phrase | None:
    folded = fold_kana(text)
    if len(folded) < 2:
        return None
    # Two hiragana as written are not indexed in article bodies (grammar); the check
    # against the document's text covers them, the other bigrams find the candidates.
    pairs = [(text[i:i + 2], folded[i:i + 2]) for i in range(len(text) - 1)]
    required = tuple(dict.fromkeys(gram for written, gram in pairs if not _all_hiragana(written)))
    if not required:
        return None
    return Phrase(folded, required, mask, boost)


def _all_hiragana(text: str) -> bool:
    return all("\u3041" <= char <= "\u309f" for char in text)
