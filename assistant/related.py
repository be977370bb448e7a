"""Questions from the bank to offer next: related to an answer, and examples for the start page."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from indexer.bank import BankIndex
from indexer.chunking import Chunk

_NON_LETTERS = re.compile(r"[\W\d_]+")
# A bank question this close (word-set Jaccard) to something asked counts as asked.
_ASKED_JACCARD = 0.5


@dataclass(frozen=True, slots=True)
class Example:
    """A question for the start page, with its topic."""

    topic: str
    question: str


def letter_words(text: str) -> list[str]:
    """Lowercased words in order, split on everything that is not a letter."""
    return [w for w in _NON_LETTERS.split(text.lower()) if w]


def word_set(text: str) -> frozenset[str]:
    """The set of `letter_words`."""
    return frozenset(letter_words(text))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared words over all words of the two sets (0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def related_questions(
    bank: BankIndex,
    chunks: Sequence[Chunk],
    cited_rows: Sequence[int],
    asked: Iterable[str],
    *,
    limit: int = 4,
) -> list[str]:
    """Up to `limit` parents' questions to ask next, leaving out what was asked already.

    One per entry, from the entries of the cited passages, then of their neighbours; only the
    short `parents` questions, never an entry's situations (a long message is no button).
    """
    asked_sets = [word_set(a) for a in asked]
    chosen: list[str] = []
    seen_entries: set[int] = set()
    for row in _with_neighbours(chunks, cited_rows):
        for index in bank.entries_of(row):
            if index in seen_entries or len(chosen) == limit:
                continue
            seen_entries.add(index)
            question = _first_not_asked(bank.entries[index].entry.parents, asked_sets, chosen)
            if question is not None:
                chosen.append(question)
    return chosen


def _with_neighbours(chunks: Sequence[Chunk], rows: Sequence[int]) -> list[int]:
    ordered = list(dict.fromkeys(rows))
    for row in list(ordered):
        for near in (row - 1, row + 1):
            if 0 <= near < len(chunks) and chunks[near].doc_id == chunks[row].doc_id:
                ordered.append(near)
    return list(dict.fromkeys(ordered))


def _first_not_asked(
    questions: Sequence[str], asked: Sequence[frozenset[str]], chosen: Sequence[str]
) -> str | None:
    taken = [*asked, *(word_set(c) for c in chosen)]
    for question in questions:
        words = word_set(question)
        if all(jaccard(words, other) < _ASKED_JACCARD for other in taken):
            return question
    return None


def example_questions(bank: BankIndex, *, per_topic: int = 2) -> list[Example]:
    """The first (short) parents' question of the first `per_topic` entries of every topic.

    Topics in the order they first appear in the bank; "overig" is left out.
    """
    by_topic: dict[str, list[str]] = {}
    for anchored in bank.entries:
        entry = anchored.entry
        picked = by_topic.setdefault(entry.topic, [])
        if entry.topic != "overig" and len(picked) < per_topic:
            picked.append(entry.parents[0])
    return [Example(t, q) for t, qs in by_topic.items() for q in qs]
