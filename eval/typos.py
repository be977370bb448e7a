"""Question sets with typing mistakes: how much does a typo cost retrieval?

`with_typos` gives every question one typing mistake in one of its content words (5 letters
or more, not a stop word), the way fast typing on a phone makes them: a letter left out, a
letter typed twice, two neighbours swapped, or a neighbouring key hit (QWERTY). The first
letter is kept. The word and the mistake are drawn from a generator seeded with the seed and
the question's id, so a set reads the same on every run and a question the same in every set.

Usage:
    python -m eval run --questions eval/questions/dev.jsonl --typos 1,2,3,4,5
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from eval.questions import Question
from indexer.lexical import STOPWORDS

_MIN_LETTERS = 5
_WORD = re.compile(r"[^\W\d_]+")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
# The keys left and right of every key on its row.
_NEIGHBOURS = {
    key: row[max(0, i - 1) : i] + row[i + 1 : i + 2] for row in _ROWS for i, key in enumerate(row)
}


def with_typos(questions: Sequence[Question], seeds: Sequence[int]) -> tuple[Question, ...]:
    """The questions, each with one typing mistake where it has a content word to make it in.

    With several seeds, the set once per seed, one after the other (ids get "~s<seed>"): a
    report over it is the mean over the seeds.
    """
    return tuple(
        replace(
            q,
            id=q.id if len(seeds) == 1 else f"{q.id}~s{seed}",
            question=mistype(q.question, random.Random(f"{seed}:{q.id}")),
        )
        for seed in seeds
        for q in questions
    )


def mistype(text: str, rng: random.Random) -> str:
    """`text` with one mistake in one content word drawn by `rng`; as it is without one."""
    spans = [
        m.span()
        for m in _WORD.finditer(text)
        if len(m.group()) >= _MIN_LETTERS and m.group().lower() not in STOPWORDS
    ]
    if not spans:
        return text
    start, end = rng.choice(spans)
    mistake = rng.choice(_MISTAKES)
    return text[:start] + mistake(text[start:end], rng) + text[end:]


def _leave_out(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word))
    return word[:at] + word[at + 1 :]


def _type_twice(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word))
    return word[: at + 1] + word[at:]


def _swap(word: str, rng: random.Random) -> str:
    # Neighbours that differ in more than case: swapping "Jj" would change nothing.
    places = [i for i in range(1, len(word) - 1) if word[i].lower() != word[i + 1].lower()]
    if not places:  # no two different neighbours after the first letter: leave one out
        return _leave_out(word, rng)
    at = rng.choice(places)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def _neighbouring_key(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word))
    keys = _NEIGHBOURS.get(word[at].lower())
    if not keys:  # a letter off the QWERTY rows (é, ë): leave it out instead
        return word[:at] + word[at + 1 :]
    return word[:at] + rng.choice(keys) + word[at + 1 :]


_MISTAKES: tuple[Callable[[str, random.Random], str], ...] = (
    _leave_out,
    _type_twice,
    _swap,
    _neighbouring_key,
)
