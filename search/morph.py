"""Morphological analysis for the word field (SudachiPy, chosen by measurement: README).

Input is text already passed through ``normalize``. Output is content words in
Sudachi's *normalised form*, which folds orthographic variants into one term
(子ども/子供/こども → 子供, ものづくり/モノづくり/物づくり → 物作り,
プリンタ/プリンター → プリンター). Split mode A (shortest units) gives the best
recall; exact phrases are the bigram field's job.

Sudachi tokenizers are not thread-safe, so each thread gets its own; the
dictionary itself is loaded once per process (memory-mapped) on first use.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from search.normalize import fold_kana, strip_long_vowel

# Parts of speech that carry meaning for search (UniDic-style names used by Sudachi).
CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "接尾辞", "接頭辞", "代名詞", "記号"}
# Parts of speech that join with neighbours into one compound ("3D" + "プリンタ").
COMPOUND_POS = {"名詞", "接尾辞", "接頭辞", "記号"}
# Light verbs and formal nouns: they appear everywhere and say nothing about a topic.
STOP_WORDS = frozenset(
    "する 為る 出来る できる 居る いる 有る ある 在る 成る なる れる られる せる させる 来る くる "
    "行く いく 致す 頂く 下さる 事 こと 様 よう 為 ため 物 もの 方 かた 中 ところ 所 これ それ あれ 此れ 其れ "
    "彼 何 なに 私 ぼく 僕 呉れる くれる 貰う もらう 下さる くださる".split()
)
_KANJI = re.compile(r"[\u3005\u4e00-\u9fff\uf900-\ufaff]")
# Sudachi refuses very long input; articles are analysed in pieces of this size.
CHUNK_CHARS = 2000
# Dictionary words whose indexed form is kept by word id (about 150 bytes each).
KNOWN_WORDS = 100_000


@dataclass(frozen=True)
class Morpheme:
    surface: str
    norm: str
    pos: str
    start: int
    end: int

    @property
    def joins_compound(self) -> bool:
        return self.pos in COMPOUND_POS


class SudachiBackend:
    name = "sudachipy"

    def __init__(self) -> None:
        self._local = threading.local()
        # word id → () or (term, reading term): see index_terms. Bounded; shared by threads.
        self._known: dict[int, tuple] = {}

    @staticmethod
    @lru_cache(maxsize=1)
    def _dictionary():
        from sudachipy import Dictionary

        return Dictionary(dict="core")

    def _tokenizer(self):
        tokenizer = getattr(self._local, "tokenizer", None)
        if tokenizer is None:
            from sudachipy import SplitMode

            fields = {"pos", "normalized_form", "reading_form"}
            tokenizer = self._dictionary().tokenizer(mode=SplitMode.A, fields=fields)
            self._local.tokenizer = tokenizer
        return tokenizer

    @staticmethod
    @lru_cache(maxsize=1)
    def _majors() -> list[str]:
        """Major part of speech by POS id (the dictionary numbers its POS densely from 0)."""
        dictionary, majors = SudachiBackend._dictionary(), []
        while (pos := dictionary.pos_of(len(majors))) is not None:
            majors.append(pos[0])
        return majors

    def analyse(self, text: str) -> list[Morpheme]:
        majors = self._majors()
        return [
            Morpheme(m.surface(), m.normalized_form(), majors[m.part_of_speech_id()], m.begin(), m.end())
            for m in self._tokenizer().tokenize(text)
        ]

    @staticmethod
    @lru_cache(maxsize=1)
    def _content_ids() -> frozenset[int]:
        return frozenset(pos_id for pos_id, major in enumerate(SudachiBackend._majors()) if major in CONTENT_POS)

    def index_terms(self, text: str) -> tuple[list[str], list[str]]:
        """``index_terms`` for one piece of text: the indexing fast path.

        A dictionary word's indexed term and reading depend only on its entry, so
        they are kept by word id: a word seen before costs one attribute read
        (instead of four and two cache lookups). Out-of-vocabulary words share
        word ids per part of speech and are never kept.
        """
        known = self._known
        words: list[str] = []
        readings: list[str] = []
        for m in self._tokenizer().tokenize(text):
            entry = known.get(m.word_id())
            if entry is None:
                entry = self._entry(m)
            if entry:
                words.append(entry[0])
                if entry[1]:
                    readings.append(entry[1])
        return words, readings

    def _entry(self, m) -> tuple:
        """() for a word that is not indexed, else (term, reading term or None)."""
        pos_id = m.part_of_speech_id()
        entry: tuple = ()
        if pos_id in self._content_ids():
            term = _index_term(self._majors()[pos_id], m.normalized_form())
            if term is not None:
                entry = (term, _reading_term(m.surface(), m.reading_form()))
        if not m.is_oov():
            if len(self._known) >= KNOWN_WORDS:
                self._known.clear()
            self._known[m.word_id()] = entry
        return entry

    def terms(self, text: str) -> list[tuple[str, str, str, str]]:
        """(major POS, normalised form, surface, reading) of content words: the indexing fast path.

        Particles and auxiliaries (about half of all morphemes) are skipped before
        any of their attributes is read.
        """
        majors, content = self._majors(), self._content_ids()
        words = []
        for m in self._tokenizer().tokenize(text):
            pos_id = m.part_of_speech_id()
            if pos_id in content:
                words.append((majors[pos_id], m.normalized_form(), m.surface(), m.reading_form()))
        return words


_backend = SudachiBackend()


def set_backend(backend) -> None:
    """Swap the analyser (used only by the tokenizer measurement script)."""
    global _backend
    _backend = backend


def backend_name() -> str:
    return _backend.name


@lru_cache(maxsize=100_000)
def _index_term(pos: str, norm: str) -> str | None:
    """The indexed term for one analysed word, or None when it carries no meaning."""
    term = strip_long_vowel(norm.casefold())
    if pos not in CONTENT_POS or not term.strip() or " " in term or term in STOP_WORDS:
        return None
    if pos == "記号" and not term.isalnum():
        return None
    return term


def _chunks(text: str, size: int = CHUNK_CHARS):
    """(offset, piece) pieces cut after 。 or a space, short enough for the analyser."""
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = max(text.rfind("。", start, end), text.rfind(" ", start, end))
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


def analyse(text: str) -> list[Morpheme]:
    """Every morpheme of normalised text (major part of speech, Sudachi normalised form)."""
    return list(_analyse(text)) if text else []


def _analyse(text: str):
    for offset, piece in _chunks(text):
        for m in _backend.analyse(piece):
            yield Morpheme(m.surface, m.norm, m.pos, m.start + offset, m.end + offset)


def content_morphemes(text: str) -> list[Morpheme]:
    """Content words of normalised text, with ``norm`` ready to index or query."""
    if not text:
        return []
    words = []
    for morpheme in _analyse(text):
        term = _index_term(morpheme.pos, morpheme.norm)
        if term is not None:
            words.append(Morpheme(morpheme.surface, term, morpheme.pos, morpheme.start, morpheme.end))
    return words


def index_terms(text: str) -> tuple[list[str], list[str]]:
    """Word terms and reading terms of normalised text (the ``words`` and ``reads`` fields).

    Readings (in hiragana) are kept for words written with kanji only: they let
    a query typed in kana (「せんばん」) find 旋盤. Kana words need no reading,
    the bigram field already folds katakana and hiragana.
    """
    words, readings = [], []
    fast = getattr(_backend, "index_terms", None)
    for _, piece in _chunks(text or ""):
        if fast is not None:
            piece_words, piece_readings = fast(piece)
            words += piece_words
            readings += piece_readings
            continue
        for pos, norm, surface, reading in _backend.terms(piece):
            term = _index_term(pos, norm)
            if term is None:
                continue
            words.append(term)
            reading_term = _reading_term(surface, reading)
            if reading_term:
                readings.append(reading_term)
    return words, readings


@lru_cache(maxsize=100_000)
def _reading_term(surface: str, reading: str) -> str | None:
    return fold_kana(reading) if reading and _KANJI.search(surface) else None


def word_terms(text: str) -> list[str]:
    """Word terms of normalised text, in order (the ``words`` field's input)."""
    return index_terms(text)[0]
