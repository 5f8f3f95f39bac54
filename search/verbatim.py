"""Verbatim phrases: documents containing a query run as written (see ``search.phrases``).

Candidates come from the bigram postings (every required bigram present, any
order); each candidate that does not already match all the phrase's units is
confirmed against its folded text (the ``hay`` column), so a phrase never
matches by coincidence of scattered bigrams.
"""
from __future__ import annotations

from search.phrases import Phrase
from search.postings import SearcherData
from search.querying import GRAM_BOOST

# Candidates confirmed per phrase at most (each costs one column read, ~10 µs).
MAX_CONFIRMED = 4000


def phrase_candidates(data: SearcherData, phrase: Phrase) -> dict[int, float]:
    """docnum → summed bigram score of documents holding every required bigram."""
    per_gram = sorted((data.scores("grams", gram) for gram in phrase.required), key=len)
    if not per_gram or not per_gram[0]:
        return {}
    keys = set(per_gram[0])
    for scores in per_gram[1:]:
        keys.intersection_update(scores.keys())
        if not keys:
            return {}
    return {docnum: sum(scores[docnum] for scores in per_gram) for docnum in keys}


def add_phrase_matches(data: SearcherData, phrase: Phrase, combined: dict[int, list]) -> None:
    """Mark the phrase's units as matched (and add its score) for documents holding it verbatim.

    ``combined``: docnum → [mask of matched units, score], updated in place.
    """
    boost = phrase.boost * GRAM_BOOST
    confirmed = 0
    for docnum, score in phrase_candidates(data, phrase).items():
        entry = combined.get(docnum)
        if entry is not None and entry[0] & phrase.mask == phrase.mask:
            continue  # matched all these units already; nothing to add
        if confirmed >= MAX_CONFIRMED:
            break
        confirmed += 1
        if not data.contains(docnum, (phrase.text,)):
            continue
        if entry is None:
            combined[docnum] = [phrase.mask, score * boost]
        else:
            entry[0] |= phrase.mask
            entry[1] += score * boost
