"""Whom a part of a document gives its suggestions to, read from the part's headings.

The government's werkagenda closes each theme with "Suggesties op schoolniveau" and "Suggesties
voor scholen": what schools could do ("Profileer als school op het gebied van inclusief
onderwijs", "Wijs één contactpersoon aan vanuit school"). Quoted to a parent without a word,
such a sentence reads as a rule or as something the parent should do. An answer sentence from
such a part carries its addressee (`AnswerSentence.addressed_to`), the chat labels it, and it
is never one of a parent's next steps.

Only the headings count: a sentence's own words cannot tell a suggestion to schools from a
rule for schools, and these parts hold both ("… wordt de school vanaf 2024 verplicht …").

A part runs from its heading to the next numbered heading: the unnumbered headings inside it
("Warm overdragen", a chart's label the extraction took for a heading) do not end it, since
the extraction puts them beside the numbered heading rather than under it. An appendix's or
the notes' heading ends it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from indexer.chunking import SECTION_SEPARATOR, Chunk
from indexer.cleaning import section_number

PARENTS = "ouders"

# The parties a heading can give suggestions to, and what each is called in the answer.
_PARTIES = {
    "scholen": "scholen",
    "school": "scholen",
    "schoolbesturen": "schoolbesturen",
    "schoolbestuur": "schoolbesturen",
    "besturen": "schoolbesturen",
    "bestuur": "schoolbesturen",
    "gemeenten": "gemeenten",
    "gemeente": "gemeenten",
    "samenwerkingsverbanden": "samenwerkingsverbanden",
    "samenwerkingsverband": "samenwerkingsverbanden",
    "leraren": "leraren",
    "leraar": "leraren",
    "docenten": "leraren",
    "ouders": PARENTS,
}
_LEVELS = {"school": "scholen", "bestuurs": "schoolbesturen", "gemeente": "gemeenten"}
_PARTY = "|".join(sorted(_PARTIES, key=len, reverse=True))
# The deepest heading of a section path ("9. Werkagenda … › 9.2.3. Suggesties op schoolniveau"),
# after its number, names the suggestions and whom they are for: "op schoolniveau" (at school
# level), "voor scholen", "aan de gemeente en het samenwerkingsverband". "Suggesties voor
# actienemer(s)" names no one.
_SUGGESTIONS = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:suggesties?|tips?|adviezen|advies|aanbevelingen?)\s+"
    rf"(?:op\s+(?P<level>school|bestuurs|gemeente)niveau\b"
    rf"|(?:voor|aan)\s+(?P<parties>(?:(?:de|het)\s+)?(?:{_PARTY})\b"
    rf"(?:\s*(?:,|en|of)\s+(?:(?:de|het)\s+)?(?:{_PARTY})\b)*))",
    re.IGNORECASE,
)
_PARTY_WORD = re.compile(rf"\b(?:{_PARTY})\b", re.IGNORECASE)
# Headings that end every part: the appendices and the notes.
_BACK_MATTER = re.compile(r"^(?:bijlage[ns]?|voetnoten|noten|literatuur|colofon)\b", re.IGNORECASE)


def addressed_to(section: str) -> str | None:
    """Whom the deepest heading of `section` gives suggestions to ("scholen"), or None.

    Several parties are named as the heading names them ("ouders en scholen").

    >>> addressed_to("9. Werkagenda route › 9.2.3. Suggesties op schoolniveau")
    'scholen'
    >>> addressed_to("Tips voor ouders en de school")
    'ouders en scholen'
    >>> addressed_to("Suggesties voor actienemer(s)") is None
    True
    """
    found = _SUGGESTIONS.match(_deepest(section))
    if found is None:
        return None
    if found["level"]:
        return _LEVELS[found["level"].lower()]
    parties = [_PARTIES[p.lower()] for p in _PARTY_WORD.findall(found["parties"])]
    return " en ".join(dict.fromkeys(parties))


def addresses_others(addressee: str | None) -> bool:
    """Whether an addressee (`addressed_to`) names a party other than parents."""
    return addressee is not None and addressee != PARENTS


def sentence_addressees(chunks: Iterable[Chunk]) -> dict[str, tuple[str | None, ...]]:
    """Per chunk id, whom the part each of its sentences stands in gives suggestions to.

    A part given suggestions to runs from its heading to the next numbered heading, or an
    appendix's or the notes' (module docstring); chunks are read in document order.
    """
    by_document: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_document.setdefault(chunk.doc_id, []).append(chunk)
    found: dict[str, tuple[str | None, ...]] = {}
    for document in by_document.values():
        current: str | None = None
        previous = ""
        for chunk in sorted(document, key=lambda c: c.ordinal):
            sentences: list[str | None] = []
            for index in range(len(chunk.sentences)):
                section = chunk.section_at(chunk.sentences[index][0])
                if section != previous:
                    current = _after_heading(section, current)
                    previous = section
                sentences.append(current)
            found[chunk.chunk_id] = tuple(sentences)
    return found


def _after_heading(section: str, current: str | None) -> str | None:
    """Whom the part that `section`'s deepest heading opens, or goes on with, is given to."""
    addressee = addressed_to(section)
    if addressee is not None:
        return addressee
    heading = _deepest(section)
    if section_number(heading) or _BACK_MATTER.match(heading) or not heading:
        return None
    return current


def _deepest(section: str) -> str:
    return section.rsplit(SECTION_SEPARATOR, 1)[-1].strip()
