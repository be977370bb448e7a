"""Typing mistakes in a question, read as the documents' words ("basischool" → "basisschool").

Parents type fast, on a phone, and a mistyped word is lost to BM25 and the glossary: their
analysis finds no such term. A word is read as another only when all of these hold:

- it has 5 to 40 letters, only letters, and is not a stop word;
- the documents' vocabulary (`Speller.for_index`: the BM25 analyser's words, the question
  bank's and the glossary's) does not know it, and a general Dutch word list
  (pyspellchecker's, counted in OpenSubtitles; 343,000 words) does not either, or only as
  one of its rarest words (counted 100 times or less: the list starts at 50, where
  subtitles' own typos such as "eigelijk" sit). Such a rare word is only read as a word
  at least 1000 times as common;
- it is no known word with an "s" ("iemand onafhankelijks", "iets moois");
- it is not a compound of known words ("zorgklas", "thuishoud"): Dutch writes compounds as
  one word, and a compound nobody wrote before is no mistake. A part counts when the
  documents hold it or Dutch uses it at least 100 times in the list, so that rare words
  ("schol", the fish) do not make a compound of "basisschol";
- a word of the documents' vocabulary lies one edit away (a letter left out, added or
  replaced, or two neighbours swapped). Of several, the most common in Dutch is taken; at a
  tie the word is left as typed.

A word is only ever replaced by a word of the documents: a correction towards general Dutch
would not help retrieval, and a wrong one would mislead it. The word is written as Dutch
writes it ("financiele" as "financiële") in the case it was typed in.
"""

from __future__ import annotations

import gzip
import json
import re
import string
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import accumulate

from indexer.lexical import STOPWORDS, fold, words

_MIN_LETTERS = 5
# Longer runs of letters are no word anyone meant: the compound check is quadratic in length.
_MAX_LETTERS = 40
_MIN_PART = 4  # the shortest part of a compound ("klas" in "zorgklas")
_MIN_PART_COUNT = 100  # a part only the documents or this common Dutch word can be
_RARE_COUNT = 100  # a word the Dutch list counts this often or less may still be a typo
_RARE_RATIO = 1000  # ... if a document word one edit away is this many times as common
_LINKERS = ("s", "e", "en")
_LETTERS = re.compile(r"[^\W\d_]+")
_ALPHABET = string.ascii_lowercase  # the vocabulary is folded: no diacritics
# An entry of pyspellchecker's word list: "word": count
_ENTRY = re.compile(rb'"((?:[^"\\]|\\.)*)": (\d+)')


@dataclass(frozen=True, slots=True)
class Correction:
    """A word as typed and the documents' word it is read as."""

    typed: str
    read_as: str


@dataclass(frozen=True, slots=True)
class Corrected:
    """A text with its mistyped words replaced (`corrections`, in order of occurrence)."""

    text: str
    corrections: tuple[Correction, ...] = ()


class WordCounts:
    """How often each word occurs, in little memory: 343,000 Dutch words in 6.6 MB.

    The folded words are sorted into one byte string and found by bisection (a few
    microseconds); their counts sit in a parallel array.

    Usage:
        counts = WordCounts({"school": 72092, "basisschool": 683})
        counts.get("school"), counts.get("schol"), "school" in counts   # 72092, 0, True
    """

    def __init__(self, counts: Mapping[str, int] | Iterable[tuple[str, int]]) -> None:
        folded: dict[bytes, int] = {}
        # How a folded word is written where that differs ("financiele": "financiële"), and
        # how often: the most common writing wins.
        self._written: dict[str, tuple[str, int]] = {}
        for word, count in counts.items() if isinstance(counts, Mapping) else counts:
            plain = fold(word)
            key = plain.encode("utf-8")
            folded[key] = max(count, folded.get(key, 0))  # "geïntegreerd" and "geintegreerd"
            if plain != word and count > self._written.get(plain, ("", 0))[1]:
                self._written[plain] = (word, count)
        ordered = sorted(folded)
        self._blob = b"".join(ordered)
        self._ends = array("i", accumulate(len(w) for w in ordered))
        self._counts = array("i", (folded[w] for w in ordered))

    def __len__(self) -> int:
        return len(self._counts)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) > 0

    def get(self, word: str) -> int:
        """The count of a folded word; 0 for a word not in the list."""
        key = word.encode("utf-8")
        lo, hi = 0, len(self._counts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._word(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return self._counts[lo] if lo < len(self._counts) and self._word(lo) == key else 0

    def written(self, word: str) -> str:
        """How a folded word is written most often: with its diacritics ("financiële")."""
        written, count = self._written.get(word, (word, 0))
        return written if count >= self.get(word) else word

    def _word(self, index: int) -> bytes:
        return self._blob[self._ends[index - 1] if index else 0 : self._ends[index]]


@cache
def dutch_frequencies() -> WordCounts:
    """The Dutch word counts of pyspellchecker (read once a process: about 0.7 s)."""
    return read_word_counts(
        gzip.decompress((files("spellchecker") / "resources" / "nl.json.gz").read_bytes())
    )


def read_word_counts(text: bytes) -> WordCounts:
    """Word counts from a JSON object of words and counts, read entry by entry.

    Parsed whole as JSON into a dict, the Dutch list took 35 MB of every worker; read this
    way into `WordCounts`, a worker grows by 15 MB.
    """
    return WordCounts((_json_string(word), int(count)) for word, count in _ENTRY.findall(text))


def _json_string(raw: bytes) -> str:
    """A JSON string's text, given between its quotes."""
    return str(json.loads(b'"' + raw + b'"')) if b"\\" in raw else raw.decode("utf-8")


class Speller:
    """Reads mistyped words of a question as words of the documents.

    Usage:
        speller = Speller(["basisschool", "leerplicht"], dutch_frequencies())
        speller.correct("Mag de basischool dat?").text   # 'Mag de basisschool dat?'
    """

    def __init__(self, vocabulary: Iterable[str], dutch: WordCounts) -> None:
        self.vocabulary = frozenset(fold(w) for w in vocabulary if w.isalpha())
        self._dutch = dutch

    @classmethod
    def for_index(cls, vocabulary: Iterable[str], texts: Iterable[str]) -> Speller:
        """A speller over `vocabulary` and every word of `texts`, with the Dutch word list."""
        known = set(vocabulary)
        for text in texts:
            known.update(words(text))
        return cls(known, dutch_frequencies())

    def correct(self, text: str) -> Corrected:
        """`text` with each mistyped word replaced by the documents' word, in the typed case."""
        parts: list[str] = []
        corrections: list[Correction] = []
        end = 0
        for match in _LETTERS.finditer(text):
            typed = match.group()
            found = self.correction(fold(typed))
            if found is None:
                continue
            read_as = _in_case_of(typed, self._dutch.written(found))
            parts += [text[end : match.start()], read_as]
            corrections.append(Correction(typed=typed, read_as=read_as))
            end = match.end()
        if not corrections:
            return Corrected(text)
        return Corrected("".join([*parts, text[end:]]), tuple(corrections))

    def correction(self, word: str) -> str | None:
        """The documents' word a folded `word` was meant to be, or None: it stands as typed."""
        if not self._mistyped(word):
            return None
        floor = _RARE_RATIO * self._dutch.get(word)  # 0 for a word the list lacks
        candidates = {c for c in edits(word) & self.vocabulary if self._dutch.get(c) >= floor}
        if not candidates:
            return None
        ranked = sorted(candidates, key=self._dutch.get, reverse=True)
        if len(ranked) > 1 and self._dutch.get(ranked[0]) == self._dutch.get(ranked[1]):
            return None  # two equally likely readings: leave the word as typed
        return ranked[0]

    def _mistyped(self, word: str) -> bool:
        """Whether a folded word could be a typing mistake (the module docstring's rules)."""
        return (
            _MIN_LETTERS <= len(word) <= _MAX_LETTERS
            and word.isalpha()
            and word not in STOPWORDS
            and word not in self.vocabulary
            and self._dutch.get(word) <= _RARE_COUNT
            and not (word.endswith("s") and self._known(word[:-1]))
            and not self._compound(word)
        )

    def _known(self, word: str) -> bool:
        return word in self.vocabulary or word in self._dutch

    def _part(self, word: str) -> bool:
        """Whether a word can be a part of a compound: the documents' or common Dutch."""
        return word in self.vocabulary or self._dutch.get(word) >= _MIN_PART_COUNT

    def _head(self, word: str) -> bool:
        """Whether a word can start a compound, with or without a linking s, e or en."""
        heads = [word] + [word[: -len(s)] for s in _LINKERS if word.endswith(s)]
        return any(len(h) >= _MIN_PART and self._part(h) for h in heads)

    def _compound(self, word: str) -> bool:
        """Whether `word` is two or more parts (`_part`, `_head`) run together.

        `joined[i]` says whether `word[i:]` is one part or several: filled from the end, each
        tail is decided once (the check is quadratic in the word's length, never exponential).
        """
        n = len(word)
        joined = [False] * (n + 1)
        for i in range(n - _MIN_PART, -1, -1):
            joined[i] = self._part(word[i:]) or any(
                joined[j] and self._head(word[i:j]) for j in range(i + _MIN_PART, n - _MIN_PART + 1)
            )
        return any(joined[j] and self._head(word[:j]) for j in range(_MIN_PART, n - _MIN_PART + 1))


def edits(word: str) -> set[str]:
    """Every word one edit from `word`: a letter left out, added or replaced, neighbours swapped.

    Over the folded alphabet; about 54 per letter, looked up in the vocabulary only for a word
    no one knows (a handful of questions in a hundred).
    """
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {a + b[1:] for a, b in splits if b}
    found |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    found |= {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    found |= {a + c + b for a, b in splits for c in _ALPHABET}
    found.discard(word)
    return found


def _in_case_of(typed: str, word: str) -> str:
    """`word` in the case of `typed`: all capitals, a capital first, or as it is."""
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word
