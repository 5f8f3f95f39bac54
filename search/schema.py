"""The Whoosh schema: one document per published article (events ride on their article).

Analysis happens in our own code (``search.normalize`` / ``search.morph``); the
index only splits pre-analysed text on spaces. The pickled schema therefore
references nothing but Whoosh itself, so an index stays openable whatever we
rename, and the same terms are produced for indexing and for queries.

Three searchable fields hold everything: ``words`` (morphological terms),
``reads`` (hiragana readings of kanji words, for queries typed in kana) and
``grams`` (character bigrams). All are ``WeightedTerms`` fields, indexed from
term → (frequency, weight) tables that ``search.documents`` builds: each
occurrence adds its logical field's weight (titles and tags count most), so
BM25F works on one field and a query needs one matcher per term, not one per
term per logical field. Building the postings directly also skips Whoosh's
per-token analysis pipeline, which dominated indexing time.

Bigrams carry no positions: positions doubled index size and build time.
Instead, a document found only through bigrams is confirmed against its
``hay`` column (the folded text): 「123」 must occur as such, not as 「12」 and
「23」 somewhere.
"""
from __future__ import annotations

from collections import Counter

from whoosh import columns, fields
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.system import pack_uint

# Bump when analysis or schema changes: an index of another format is rebuilt.
INDEX_FORMAT = "7"

# Logical fields → term weight in both searchable fields. Titles and tags count most.
FIELD_WEIGHTS: dict[str, float] = {"title": 5.0, "tags": 4.0, "lead": 1.8, "body": 1.0, "meta": 1.5}


class WeightedTerms(fields.TEXT):
    """A text field whose value is ``{term: [frequency, weight]}`` (already analysed)."""

    def __init__(self, scorable: bool = True) -> None:
        super().__init__(analyzer=SpaceSeparatedTokenizer(), phrase=False)
        self.scorable = scorable  # False: no field lengths stored (see search.scoring)

    def index(self, value, **kwargs):
        for term, (frequency, weight) in value.items():
            yield term.encode("utf-8"), frequency, weight, pack_uint(frequency)


def weighted_terms(parts: list[tuple[list[str], float]]) -> dict[str, list]:
    """A WeightedTerms value from (terms, weight) pairs: each occurrence adds its weight."""
    table: dict[str, list] = {}
    for terms, weight in sorted(parts, key=lambda part: -len(part[0])):  # the longest (body) in one go
        if not terms:
            continue
        counts = Counter(terms)
        if not table:
            table = {term: [count, count * weight] for term, count in counts.items()}
            continue
        get = table.get
        for term, count in counts.items():
            entry = get(term)
            if entry is None:
                table[term] = [count, count * weight]
            else:
                entry[0] += count
                entry[1] += count * weight
    return table


def build_schema() -> fields.Schema:
    spec = {
        "doc_id": fields.ID(unique=True, stored=True, sortable=True),
        "slug": fields.STORED(),
        "title": fields.STORED(),
        "kind": fields.STORED(),
        "category": fields.ID(stored=True, sortable=True),
        "published": fields.NUMERIC(int, bits=64, stored=True, sortable=True),
        "event_starts": fields.STORED(),
        "image": fields.STORED(),
        "text": fields.STORED(),
        "stamp": fields.ID(sortable=True),
        # Every searchable text of the document, normalised and kana-folded (UTF-8), read
        # one document at a time to confirm that a bigram match is the verbatim text
        # (``search.verbatim``): a column, so no other stored field is unpickled for it.
        "hay": fields.COLUMN(columns.VarBytesColumn()),
    }
    spec["words"] = WeightedTerms()
    spec["reads"] = WeightedTerms(scorable=False)
    spec["grams"] = WeightedTerms(scorable=False)
    return fields.Schema(**spec)
