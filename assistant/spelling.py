"""Typing mistakes in a question, read as the documents' words ("basischool" → "basisschool").

Parents type fast, on a phone, and a mistyped word is lost to BM25 and the glossary: their
analysis finds no such term. A word is read as another only when all of these hold:

- it has 5 letters or more, only letters, and is not a stop word;
- neither the documents' vocabulary (`Speller.for_index`: the BM25 analyser's words, the
  question bank's and the glossary's) nor a general Dutch word list knows it
  (pyspellchecker's, counted in OpenSubtitles; 343,000 words);
- it is not a compound of known words ("zorgklas", "thuishoud"): Dutch writes compounds as
  one word, and a compound nobody wrote before is no mistake;
- a word of the documents' vocabulary lies one edit away (a letter left out, added or
  replaced, or two neighbours swapped). Of several, the most common in Dutch is taken; at a
  tie the word is left as typed.

A word is only ever replaced by a word of the documents: a correction towards general Dutch
would not help retrieval, and a wrong one would mislead it.
"""

from __future__ import annotations

import gzip
import json
import re
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import accumulate

from indexer.lexical import STOPWORDS, fold, words

_MIN_LETTERS = 5
_MIN_PART = 4  # the shortest part of a compound ("klas" in "zorgklas")
_LINKERS = ("s", "e", "en")
_LETTERS = re.compile(r"[^\W\d_]+")
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
        for word, count in counts.items() if isinstance(counts, Mapping) else counts:
            key = fold(word).encode("utf-8")
            folded[key] = max(count, folded.get(key, 0))  # "geïntegreerd" and "geintegreerd"
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

    def _word(self, index: int) -> bytes:
        return self._blob[self._ends[index - 1] if index else 0 : self._ends[index]]


@cache
def dutch_frequencies() -> WordCounts:
    """The Dutch word counts of pyspellchecker (read once a process: about 0.7 s).

    The file is read as text, entry by entry, into `WordCounts`: a worker grows by 15 MB.
    Parsed whole as JSON into a dict, the list took 35 MB of every worker.
    """
    text = gzip.decompress((files("spellchecker") / "resources" / "nl.json.gz").read_bytes())
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
        # Symmetric deletes: every word under itself and under each of its one-letter
        # deletions. Two words one edit apart share a key, so a mistyped word finds its
        # candidates by a lookup per deletion instead of a scan of the vocabulary.
        by_key: defaultdict[str, set[str]] = defaultdict(set)
        for word in self.vocabulary:
            for key in _deletions(word):
                by_key[key].add(word)
        self._by_key = {key: frozenset(found) for key, found in by_key.items()}

    @classmethod
    def for_index(cls, vocabulary: Iterable[str], texts: Iterable[str]) -> Speller:
        """A speller over `vocabulary` and every word of `texts`, with the Dutch word list."""
        known = set(vocabulary)
        for text in texts:
            known.update(words(text))
        return cls(known, dutch_frequencies())

    def correct(self, text: str) -> Corrected:
        """`text` with each mistyped word replaced by the documents' word (case kept)."""
        parts: list[str] = []
        corrections: list[Correction] = []
        end = 0
        for match in _LETTERS.finditer(text):
            typed = match.group()
            found = self.correction(fold(typed))
            if found is None:
                continue
            read_as = found.capitalize() if typed[0].isupper() else found
            parts += [text[end : match.start()], read_as]
            corrections.append(Correction(typed=typed, read_as=read_as))
            end = match.end()
        if not corrections:
            return Corrected(text)
        return Corrected("".join([*parts, text[end:]]), tuple(corrections))

    def correction(self, word: str) -> str | None:
        """The documents' word a folded `word` was meant to be, or None: it stands as typed."""
        if not self._unknown(word) or self._compound(word):
            return None
        candidates = {
            found
            for key in _deletions(word)
            for found in self._by_key.get(key, ())
            if one_edit_apart(word, found)
        }
        if not candidates:
            return None
        ranked = sorted(candidates, key=self._dutch.get, reverse=True)
        if len(ranked) > 1 and self._dutch.get(ranked[0]) == self._dutch.get(ranked[1]):
            return None  # two equally likely readings: leave the word as typed
        return ranked[0]

    def _known(self, word: str) -> bool:
        return word in self.vocabulary or word in self._dutch

    def _unknown(self, word: str) -> bool:
        return (
            len(word) >= _MIN_LETTERS
            and word.isalpha()
            and word not in STOPWORDS
            and not self._known(word)
        )

    def _compound(self, word: str) -> bool:
        """Whether `word` is two known words, or a known word and a compound, run together."""
        for at in range(_MIN_PART, len(word) - _MIN_PART + 1):
            head, tail = word[:at], word[at:]
            heads = [head] + [head[: -len(s)] for s in _LINKERS if head.endswith(s)]
            if any(len(h) >= _MIN_PART and self._known(h) for h in heads) and (
                self._known(tail) or self._compound(tail)  # only after a known head: no blow-up
            ):
                return True
        return False


def _deletions(word: str) -> set[str]:
    """The word itself and every word with one of its letters left out."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def one_edit_apart(a: str, b: str) -> bool:
    """Whether `b` is `a` with one letter left out, added or replaced, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if len(a) < len(b):  # one letter added
        return a[start:] == b[start + 1 :]
    if a[start + 1 :] == b[start + 1 :]:  # one replaced
        return True
    return (  # two neighbours swapped
        start + 1 < len(a)
        and a[start] == b[start + 1]
        and a[start + 1] == b[start]
        and a[start + 2 :] == b[start + 2 :]
    )
