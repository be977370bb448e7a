"""Lines of extracted text, and how a line ends.

A line keeps its offset in the original text and whether a page break came before it, so that
cleaning (`indexer.cleaning`) can map what it keeps back to the original; the recognition of
headings and titles (`indexer.headings`) reads the same lines. How a line ends decides much of
both: a finished sentence, a sentence ended by its footnote's number, or a word that no
sentence, heading or title ends with.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A sentence's or a clause's end, after any closing quote marks or brackets.
TERMINAL = re.compile(r"[.!?:;]['’”\")]*\s*$")
# A sentence ended by its footnote's number ("… die op deze punten al lopen.20"; not "5.3").
_NOTED_END = re.compile(r"(?<=[a-zà-ÿ])[.!?]['’”\")]*\d{1,3}\s*$")
# Words a heading does not end with: the line is a fragment of a sentence ("…, de", "… in" /
# "Brunssum …"). A title ending in a verb's particle ("Wat houdt passend onderwijs in") is
# taken for one too: a title left in its paragraph's sentence does less harm than a sentence
# cut in two.
OPEN_ENDINGS = frozenset(
    {"de", "het", "een", "en", "of", "van", "voor", "met", "aan", "in", "op", "te", "tot", "die"}
)
# The word after a hyphen that ends a line, when the hyphen suspends a compound ("wet-" /
# "en regelgeving") rather than breaking a word or a title over the line.
SUSPENDED_COMPOUND_NEXT = frozenset({"en", "of", "tot", "noch", "dan", "als"})


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the extracted text."""

    text: str  # without the line break
    start: int  # offset of text[0] in the original
    page_break_before: bool


def split_lines(text: str) -> Iterator[Line]:
    """The lines of `text`; a form feed marks the next line as the first of a page."""
    offset, page_break = 0, False
    for raw in re.split(r"(\n|\f)", text):
        if raw == "\f":
            page_break = True
        elif raw != "\n":
            yield Line(text=raw, start=offset, page_break_before=page_break)
            page_break = False
        offset += len(raw)


def ends(text: str) -> bool:
    """Whether a line's text ends a sentence, or ends in the number of its footnote."""
    return bool(TERMINAL.search(text) or _NOTED_END.search(text))
