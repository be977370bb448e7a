"""The lexical side of the index: Dutch analysis and BM25 (bm25s).

Text is lower-cased, stripped of diacritics, split into words (a footnote's number glued to a
word dropped), stop words removed, compounds split into their known parts
("leerplichtontheffing" also yields "leerplicht" and "ontheffing") and Snowball-stemmed.
Queries go through the same analyser, with the same vocabulary of known words, so both sides
agree.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache, partial
from pathlib import Path

import bm25s
import numpy as np
import numpy.typing as npt
import Stemmer
from bm25s.stopwords import STOPWORDS_DUTCH

from indexer.chunking import Chunk

_TOKEN = re.compile(r"[a-z0-9]+")
_MIN_PART = 4
_MIN_COMPOUND = 9
# Longer "words" (a typed run of letters) are analysed but not kept in the word cache.
_MAX_CACHED_WORD = 40
_LINKERS = ("s", "e", "en")
# A footnote's marker glued to the word it follows ("de Variawet42 ingevoerd", "onderwijstijd11"):
# the word is analysed without it, or BM25 would not match "variawet" there. As the chat reads
# such markers (`static/footnotes.js`): one to three digits after three letters or more, so
# "nt2", "co2" and "m2" keep their figure. Codes of three letters and a digit ("SKA2") lose it,
# in the question as in the text; the chat, which sees capitals, keeps such acronyms as typed.
_GLUED_MARKER = re.compile(r"([a-z]{3,})[0-9]{1,3}")
VOCABULARY_FILE = "vocabulary.json"
# Snowball's Dutch stop words, plus the fillers, pronouns and family words of web-chat
# questions ("mag mijn zoon eigenlijk gewoon ..."): they match story passages, not rules.
# fmt: off
STOPWORDS = frozenset(STOPWORDS_DUTCH) | frozenset((
    "mag", "mee", "eigenlijk", "gewoon", "zomaar", "echt", "even", "wel", "nog", "zeker",
    "graag", "heel", "erg", "tijdens", "steeds", "gaan", "gaat", "ging", "welk", "welke",
    "waar", "wanneer", "waarom", "hoeveel", "jullie", "jij", "jou", "jouw", "onze", "we",
    "zoon", "zoontje", "dochter", "dochtertje", "kindje", "dus", "ofzo", "hè", "hoor",
))
# fmt: on
# Snowball's Dutch stemmer drops the "ge" of participles ("gefinancierd" -> "financier"), which
# also merges words that only look like participles: "begeleiding" with "beleid" (guidance with
# policy), "gebied" with "bieden", "aangewezen" with "aanwezig". A word holding one of these
# is cut right after it instead.
_PROTECTED_STEMS = ("begeleid", "gebied", "aangewez")
# Sentences per BM25 window: a passage also scores its best run of this many consecutive
# sentences (`assistant.retrieval.Retriever.window_scores`).
WINDOW_SENTENCES = 3


def fold(text: str) -> str:
    """Lower-case and strip diacritics ("geïntegreerd" → "geintegreerd")."""
    lowered = text.lower()
    if lowered.isascii():  # NFKD leaves ASCII as it is
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    # The distinct characters, not every character, are looked up: this runs per question.
    marks = {ord(c): None for c in set(decomposed) if unicodedata.combining(c)}
    return decomposed.translate(marks) if marks else decomposed


def words(text: str) -> list[str]:
    """The folded words of a text, stop words included."""
    return _TOKEN.findall(fold(text))


def without_marker(word: str) -> str:
    """A folded word without a footnote's marker glued to it ("variawet42" -> "variawet")."""
    if not word[-1:].isdigit():  # most words: no pattern to run
        return word
    glued = _GLUED_MARKER.fullmatch(word)
    return word if glued is None else glued.group(1)


class DutchAnalyzer:
    """Turns text into BM25 terms; knows the corpus vocabulary for compound splitting.

    Usage:
        texts = ["leerplicht en ontheffing", "leerplichtontheffing"]
        analyzer = DutchAnalyzer.from_texts(texts, min_count=1)
        analyzer.terms("leerplichtontheffing")   # ['leerplichtonthef', 'leerplicht', 'onthef']
    """

    def __init__(self, vocabulary: Iterable[str] = ()) -> None:
        self.vocabulary = frozenset(vocabulary)
        # A cache per analyzer: one shared cache keyed on the vocabulary compared a reloaded
        # index's (equal, but another) vocabulary set element by element on every lookup.
        self._split = lru_cache(maxsize=65536)(partial(_split, vocabulary=self.vocabulary))
        self._stem = _LockedStemmer()
        self._stopwords = STOPWORDS
        # A word's terms depend on the word alone: the corpus has tens of thousands of words
        # and millions of occurrences (at 100x, 5 of the 68 s the service took to load).
        self._analyse_word = partial(
            _word_terms, split=self._split, stem=self._stem, stopwords=self._stopwords
        )
        self._word_terms = lru_cache(maxsize=131_072)(self._analyse_word)

    @classmethod
    def from_texts(cls, texts: Iterable[str], *, min_count: int = 2) -> DutchAnalyzer:
        """Learn the vocabulary (words seen at least `min_count` times) from the corpus."""
        counts: Counter[str] = Counter()
        for word, n in Counter(w for text in texts for w in words(text)).items():
            counts[without_marker(word)] += n  # per distinct word: "variawet42" is "variawet"
        return cls(w for w, n in counts.items() if n >= min_count and len(w) >= _MIN_PART)

    @classmethod
    def load(cls, directory: Path) -> DutchAnalyzer:
        """Read the vocabulary saved by `save`."""
        return cls(json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8")))

    def save(self, directory: Path) -> None:
        """Write the vocabulary next to the BM25 files."""
        (directory / VOCABULARY_FILE).write_text(
            json.dumps(sorted(self.vocabulary), ensure_ascii=False), encoding="utf-8"
        )

    def terms(self, text: str) -> list[str]:
        """Stemmed terms of a text, with the parts of split compounds after each compound."""
        out: list[str] = []
        for word in words(text):
            if word in self._stopwords:
                continue
            if len(word) <= _MAX_CACHED_WORD:
                out += self._word_terms(word)
            else:  # a typed run of letters: not worth keeping
                out += self._analyse_word(word)
        return out

    def split_compound(self, word: str) -> tuple[str, ...]:
        """The two known parts of a compound word, or () when it is not one."""
        return self._split(word)


class _LockedStemmer:
    """The Snowball stemmer, one call at a time: PyStemmer's must not be called concurrently."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("dutch")
        self._lock = threading.Lock()

    def __call__(self, forms: list[str]) -> list[str]:
        with self._lock:
            return list(self._stemmer.stemWords(forms))


def _word_terms(
    word: str,
    *,
    split: Callable[[str], tuple[str, ...]],
    stem: Callable[[list[str]], list[str]],
    stopwords: frozenset[str],
) -> tuple[str, ...]:
    """The stem of `word` (without a glued footnote marker), then its compound parts' (`split`)."""
    word = without_marker(word)
    if word in stopwords:  # "voor12"
        return ()
    forms = [word, *split(word)]
    return tuple(_protected_stem(w) or s for w, s in zip(forms, stem(forms), strict=True))


def _protected_stem(word: str) -> str | None:
    """The word up to the end of a protected stem it holds ("jeugdbegeleiding" -> ...begeleid)."""
    for stem in _PROTECTED_STEMS:
        at = word.find(stem)
        if at >= 0:
            return word[: at + len(stem)]
    return None


def _split(word: str, vocabulary: frozenset[str]) -> tuple[str, ...]:
    if len(word) < _MIN_COMPOUND:
        return ()
    best: tuple[str, ...] = ()
    best_score = 0
    for i in range(_MIN_PART, len(word) - _MIN_PART + 1):
        head, tail = word[:i], word[i:]
        if tail not in vocabulary:
            continue
        for linker in ("", *_LINKERS):
            if linker and not head.endswith(linker):
                continue
            stem = head[: len(head) - len(linker)] if linker else head
            if (
                len(stem) >= _MIN_PART
                and stem in vocabulary
                and min(len(stem), len(tail)) > best_score
            ):
                best, best_score = (stem, tail), min(len(stem), len(tail))
    return best


class LexicalIndex:
    """BM25 over chunk texts; `scores` gives every chunk's score for a query."""

    def __init__(self, analyzer: DutchAnalyzer, bm25: bm25s.BM25) -> None:
        self.analyzer = analyzer
        self._bm25 = bm25

    @classmethod
    def build(cls, texts: Sequence[str], analyzer: DutchAnalyzer | None = None) -> LexicalIndex:
        """Index `texts`; row i of the index is text i.

        Without an `analyzer`, one is made that knows the vocabulary of `texts`.
        """
        analyzer = analyzer or DutchAnalyzer.from_texts(texts)
        bm25 = bm25s.BM25()
        bm25.index([analyzer.terms(t) for t in texts], show_progress=False)
        return cls(analyzer, bm25)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        """Load an index written by `save`."""
        bm25 = bm25s.BM25.load(str(directory), mmap=False, show_progress=False, verbosity=0)
        return cls(DutchAnalyzer.load(directory), bm25)

    def save(self, directory: Path) -> None:
        """Write the BM25 matrices and the vocabulary into `directory`."""
        directory.mkdir(parents=True, exist_ok=True)
        self._bm25.save(str(directory), show_progress=False)
        self.analyzer.save(directory)

    def __len__(self) -> int:
        """How many texts are indexed."""
        return int(self._bm25.scores["num_docs"])

    def scores(self, query: str | Sequence[str]) -> npt.NDArray[np.float32]:
        """BM25 score of every indexed text for a query (text, or terms already analysed)."""
        terms = self.analyzer.terms(query) if isinstance(query, str) else list(query)
        known = [t for t in terms if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(len(self), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)


def sentence_windows(chunks: Sequence[Chunk], size: int = WINDOW_SENTENCES) -> list[str]:
    """Every run of up to `size` consecutive sentences of each chunk, in chunk order.

    Window i starts at sentence i of the index (chunk by chunk), so its chunk is that
    sentence's.
    """
    return [
        " ".join(chunk.text[a:b] for a, b in chunk.sentences[first : first + size])
        for chunk in chunks
        for first in range(len(chunk.sentences))
    ]


def window_index(chunks: Sequence[Chunk], analyzer: DutchAnalyzer) -> LexicalIndex:
    """BM25 over the `sentence_windows` of `chunks`, with the passages' analyser."""
    return LexicalIndex.build(sentence_windows(chunks), analyzer)
