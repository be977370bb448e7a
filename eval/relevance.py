"""Which passages count as relevant: evidence quotes located in the original document text.

Chunk text is cleaned (words hyphenated over a line break are joined, furniture dropped), while
an evidence quote keeps the source's spelling. Relevance is therefore judged on spans of the
*original* document text, which every passage carries as `char_start`/`char_end`.

A quote is located by collapsing every whitespace run to one space in both the document and the
quote, finding all its occurrences in the collapsed document, and mapping each occurrence back
to original offsets. A passage is relevant to a quote when its original span overlaps an
occurrence by at least `min(30, len(quote))` characters, so a quote split across two adjacent
chunks counts for both.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TypeAlias

# Shortest overlap (in characters) that makes a passage relevant to a long quote.
MIN_OVERLAP_CHARS = 30
# A cleaned sentence that is not found verbatim in the original (a hyphenated word joined, a
# repeated line dropped) is located by its matching blocks when they hold this share of it.
_MIN_MATCHED_SHARE = 0.6
_MIN_BLOCK_CHARS = 6

_WHITESPACE = re.compile(r"\s+")

# Gives the original text of a document by its id, or None for an unknown document.
DocumentTexts: TypeAlias = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range [start, end) of an original document text."""

    start: int
    end: int

    def overlap(self, other: Span) -> int:
        """Number of characters this span shares with `other`."""
        return max(0, min(self.end, other.end) - max(self.start, other.start))


@dataclass(frozen=True, slots=True)
class CollapsedText:
    """A text with whitespace runs collapsed to one space, and the map back to the original.

    `origin[i]` is the offset in the original text of collapsed character i.
    """

    text: str
    origin: tuple[int, ...]

    def original_span(self, start: int, end: int) -> Span:
        """The original span that collapsed span [start, end) was made from (end > start)."""
        return Span(self.origin[start], self.origin[end - 1] + 1)


@dataclass(frozen=True, slots=True)
class Evidence:
    """An evidence quote of a question and where it occurs in its document (original offsets)."""

    doc: str
    quote: str
    occurrences: tuple[Span, ...]

    @property
    def min_overlap(self) -> int:
        """Characters a passage must share with an occurrence to be relevant to this quote."""
        return min(MIN_OVERLAP_CHARS, len(collapse_whitespace(self.quote)))


def collapse_whitespace(text: str) -> str:
    """Collapse whitespace runs to one space and strip the ends."""
    return _WHITESPACE.sub(" ", text).strip()


def collapse_with_origin(text: str) -> CollapsedText:
    """Collapse whitespace runs of `text` to one space, keeping the offset map to `text`.

    Unlike `collapse_whitespace` the ends are not stripped: a leading or trailing whitespace
    run becomes one space, as with the question-set README's normalisation.
    """
    parts: list[str] = []
    origin: list[int] = []
    position = 0
    for match in _WHITESPACE.finditer(text):
        parts.append(text[position : match.start()])
        origin.extend(range(position, match.start()))
        parts.append(" ")
        origin.append(match.start())
        position = match.end()
    parts.append(text[position:])
    origin.extend(range(position, len(text)))
    return CollapsedText(text="".join(parts), origin=tuple(origin))


def find_occurrences(document: CollapsedText, quote: str) -> tuple[Span, ...]:
    """All occurrences of `quote` in a collapsed document, as spans of the original text.

    Overlapping occurrences are all reported. An empty quote occurs nowhere.
    """
    needle = collapse_whitespace(quote)
    if not needle:
        return ()
    spans: list[Span] = []
    index = document.text.find(needle)
    while index >= 0:
        spans.append(document.original_span(index, index + len(needle)))
        index = document.text.find(needle, index + 1)
    return tuple(spans)


@dataclass(slots=True)
class QuoteLocator:
    """Locates quotes in documents, collapsing each document's text once.

    Args:
        texts: Gives a document's original text by id, or None when the id is unknown.
    """

    texts: DocumentTexts
    _cache: dict[str, CollapsedText | None] = field(default_factory=dict)

    def document(self, doc_id: str) -> CollapsedText | None:
        """The collapsed text of a document, or None when the document is unknown."""
        if doc_id not in self._cache:
            text = self.texts(doc_id)
            self._cache[doc_id] = None if text is None else collapse_with_origin(text)
        return self._cache[doc_id]

    def locate(self, doc_id: str, quote: str) -> tuple[Span, ...] | None:
        """Original spans of `quote` in document `doc_id`; None when the document is unknown."""
        document = self.document(doc_id)
        return None if document is None else find_occurrences(document, quote)

    def locate_within(self, doc_id: str, within: Span, text: str) -> Span | None:
        """The original span of `text` (a sentence of a passage) inside the passage's span.

        None when the document is unknown or the text cannot be found there.
        """
        document = self.document(doc_id)
        return None if document is None else locate_in_span(document, within, text)


def locate_in_span(document: CollapsedText, within: Span, text: str) -> Span | None:
    """Where cleaned `text` stands in the original text, looking only inside `within`.

    A passage's text is cleaned (hyphenated words joined, repeated lines dropped), so a sentence
    of it is not always a verbatim substring of the original: then the span runs from its first
    to its last block matching the original, if the blocks cover most of the sentence.
    """
    needle = collapse_whitespace(text)
    if not needle:
        return None
    start = bisect.bisect_left(document.origin, within.start)
    end = bisect.bisect_left(document.origin, within.end)
    segment = document.text[start:end]
    found = segment.find(needle)
    if found >= 0:
        return document.original_span(start + found, start + found + len(needle))
    matcher = SequenceMatcher(None, segment, needle, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= _MIN_BLOCK_CHARS]
    if sum(b.size for b in blocks) < _MIN_MATCHED_SHARE * len(needle):
        return None
    first, last = blocks[0], blocks[-1]
    return document.original_span(start + first.a, start + last.a + last.size)


def covers_quote(doc_id: str, span: Span, evidence: Evidence) -> bool:
    """Whether a passage (document and original span) is relevant to one evidence quote."""
    if doc_id != evidence.doc:
        return False
    needed = evidence.min_overlap
    return any(span.overlap(occurrence) >= needed for occurrence in evidence.occurrences)


def covered_quotes(doc_id: str, span: Span, evidence: Sequence[Evidence]) -> frozenset[int]:
    """Indices of the evidence quotes a passage is relevant to."""
    return frozenset(i for i, item in enumerate(evidence) if covers_quote(doc_id, span, item))


def is_relevant(doc_id: str, span: Span, evidence: Sequence[Evidence]) -> bool:
    """Whether a passage is relevant to any evidence quote of a question."""
    return any(covers_quote(doc_id, span, item) for item in evidence)


def relevant_chunk_ids(
    chunks: Iterable[tuple[str, str, Span]], evidence: Sequence[Evidence]
) -> frozenset[str]:
    """Ids of the chunks relevant to any quote, from `(chunk_id, doc_id, span)` triples."""
    return frozenset(
        chunk_id for chunk_id, doc_id, span in chunks if is_relevant(doc_id, span, evidence)
    )
