"""Pure metric functions: ranking quality, answer checks and latency percentiles.

A ranked list is given as `relevant`: one boolean per returned passage, best first. Gains are
binary. The ranking metrics follow the trec_eval definitions (checked against ir-measures):

- `success_at_k`: 1 if any relevant passage is in the top k (hit rate; "recall@k" in reports);
- `recall_at_k`: share of all relevant passages that are in the top k;
- `reciprocal_rank`: 1 / rank of the first relevant passage within the top k, else 0;
- `ndcg_at_k`: DCG with gain 1 and discount 1/log2(rank + 1), divided by the DCG of an ideal
  list holding min(n_relevant, k) relevant passages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence

import numpy as np

_WORD = re.compile(r"\w+")
# A term word matches an answer word sharing a prefix of max(4, len(word) - 2) characters.
_MIN_PREFIX = 4
_INFLECTION_SLACK = 2


def first_relevant_rank(relevant: Sequence[bool], k: int | None = None) -> int | None:
    """The 1-based rank of the first relevant passage within the top k, or None."""
    top = relevant if k is None else relevant[:k]
    return next((rank for rank, flag in enumerate(top, start=1) if flag), None)


def success_at_k(relevant: Sequence[bool], k: int) -> float:
    """1.0 when a relevant passage is among the top k, else 0.0."""
    return 1.0 if any(relevant[:k]) else 0.0


def recall_at_k(relevant: Sequence[bool], n_relevant: int, k: int) -> float:
    """Share of the `n_relevant` relevant passages found in the top k (0.0 without any)."""
    if n_relevant <= 0:
        return 0.0
    return sum(relevant[:k]) / n_relevant


def reciprocal_rank(relevant: Sequence[bool], k: int = 10) -> float:
    """1 / rank of the first relevant passage within the top k, or 0.0 when there is none."""
    rank = first_relevant_rank(relevant, k)
    return 0.0 if rank is None else 1.0 / rank


def dcg_at_k(relevant: Sequence[bool], k: int) -> float:
    """Discounted cumulative gain of the top k with binary gains."""
    return sum(1.0 / math.log2(rank + 1) for rank, flag in enumerate(relevant[:k], 1) if flag)


def ndcg_at_k(relevant: Sequence[bool], n_relevant: int, k: int = 10) -> float:
    """DCG of the top k divided by the DCG of min(n_relevant, k) relevant passages in a row."""
    ideal = dcg_at_k([True] * min(n_relevant, k), k)
    return 0.0 if ideal == 0.0 else dcg_at_k(relevant, k) / ideal


def quote_recall_at_k(covered: Sequence[Collection[int]], n_quotes: int, k: int) -> float:
    """Share of a question's `n_quotes` evidence quotes covered by a passage in the top k.

    Args:
        covered: For each returned passage, best first, the indices of the quotes it covers.
        n_quotes: Number of evidence quotes of the question.
        k: Cutoff.

    Returns:
        The share, 0.0 when the question has no quotes.
    """
    if n_quotes <= 0:
        return 0.0
    found: set[int] = set()
    for indices in covered[:k]:
        found.update(indices)
    return len(found) / n_quotes


def term_mentioned(term: str, text: str) -> bool:
    """Whether a must-mention term occurs in `text`, case-insensitively, allowing inflection.

    The term matches when it is a substring of the lowercased text (whitespace collapsed), or
    when each of its words matches some word of the text: words of four or more characters
    by a shared prefix of at least max(4, len(word) - 2) characters, shorter words exactly.
    """
    needle = " ".join(term.lower().split())
    haystack = " ".join(text.lower().split())
    if not needle:
        return True
    if needle in haystack:
        return True
    term_words = _WORD.findall(needle)
    text_words = set(_WORD.findall(haystack))
    return bool(term_words) and all(_word_in(word, text_words) for word in term_words)


def _word_in(word: str, text_words: Iterable[str]) -> bool:
    if len(word) < _MIN_PREFIX:
        return word in text_words
    need = max(_MIN_PREFIX, len(word) - _INFLECTION_SLACK)
    return any(_common_prefix(word, candidate) >= need for candidate in text_words)


def _common_prefix(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def must_mention_coverage(terms: Sequence[str], text: str) -> float | None:
    """Share of `terms` mentioned in `text` (see `term_mentioned`); None without terms."""
    if not terms:
        return None
    return sum(term_mentioned(term, text) for term in terms) / len(terms)


def mean(values: Iterable[float | None]) -> float | None:
    """Arithmetic mean of the values that are not None; None when there are none."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def ratio(numerator: int, denominator: int) -> float | None:
    """The quotient numerator / denominator, or None when the denominator is 0."""
    return numerator / denominator if denominator else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100, linear interpolation) of `values`; None when empty."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))
