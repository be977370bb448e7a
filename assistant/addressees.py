"""Whom a part of a document gives its suggestions to, read from the part's headings.

The government's werkagenda closes each theme with "Suggesties op schoolniveau" and "Suggesties
voor scholen": what schools could do ("Profileer als school op het gebied van inclusief
onderwijs", "Wijs één contactpersoon aan vanuit school"). Quoted to a parent without a word,
such a sentence reads as a rule or as something the parent should do. An answer sentence from
such a part carries its addressee (`AnswerSentence.addressed_to`), the chat labels it, and it
is never one of a parent's next steps.

Only the headings count: a sentence's own words cannot tell a suggestion to schools from a
rule for schools, and these parts hold both ("… wordt de school vanaf 2024 verplicht …").

A numbered part ("9.3.3. Suggesties op schoolniveau") runs on over the unnumbered headings
after it under the same parent ("Warm overdragen", a chart's label the extraction took for a
heading): the extraction puts those beside the numbered heading rather than under it. It ends
at the next numbered heading, at a heading under another parent, at an appendix's or the
notes' heading, or where the index lacks the passage in between. An unnumbered part
("Suggesties voor scholen") is its own section only: in a document without numbers, the
heading after it ("Wat kunt u als ouder doen?") is another part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.places import dutch_list
from indexer.chunking import SECTION_SEPARATOR, Chunk
from indexer.headings import section_number

PARENTS = "ouders"

# The parties a heading can give suggestions to, and what each is called in the answer.
_PARTIES = {
    "scholen": "scholen",
    "school": "scholen",
    "schoolbesturen": "schoolbesturen",
    "schoolbestuur": "schoolbesturen",
    "gemeenten": "gemeenten",
    "gemeente": "gemeenten",
    "samenwerkingsverbanden": "samenwerkingsverbanden",
    "samenwerkingsverband": "samenwerkingsverbanden",
    "leraren": "leraren",
    "leraar": "leraren",
    "docenten": "leraren",
    "ouders": PARENTS,
}
_LEVELS = {"school": "scholen", "gemeente": "gemeenten"}
_PARTY = "|".join(sorted(_PARTIES, key=len, reverse=True))
# The deepest heading of a section path ("9. Werkagenda … › 9.2.3. Suggesties op schoolniveau"),
# after its number, names the suggestions and whom they are for: "op schoolniveau" (at school
# level), "voor scholen", "aan de gemeente en het samenwerkingsverband". "Suggesties voor
# actienemer(s)" names no one.
_SUGGESTIONS = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:suggesties?|tips?|adviezen|advies|aanbevelingen?)\s+"
    rf"(?:op\s+(?P<level>school|gemeente)niveau\b"
    rf"|(?:voor|aan)\s+(?P<parties>(?:(?:de|het)\s+)?(?:{_PARTY})\b"
    rf"(?:\s*(?:,|en|of)\s+(?:(?:de|het)\s+)?(?:{_PARTY})\b)*))",
    re.IGNORECASE,
)
_PARTY_WORD = re.compile(rf"\b(?:{_PARTY})\b", re.IGNORECASE)
# Headings that end every part: the appendices, the notes and the sources.
_BACK_MATTER = re.compile(
    r"^(?:bijlage\w*|voetnoten|noten|literatuur\w*|bronnen|bronvermelding|referenties|colofon)\b",
    re.IGNORECASE,
)
_LIST_SEPARATOR = re.compile(r", | en ")


def addressed_to(section: str) -> str | None:
    """Whom the deepest heading of `section` gives suggestions to ("scholen"), or None.

    Several parties are listed as the heading names them ("ouders en scholen").

    >>> addressed_to("9. Werkagenda route › 9.2.3. Suggesties op schoolniveau")
    'scholen'
    >>> addressed_to("Tips voor ouders, de gemeente en de school")
    'ouders, gemeenten en scholen'
    >>> addressed_to("Suggesties voor actienemer(s)") is None
    True
    """
    found = _SUGGESTIONS.match(_deepest(section))
    if found is None:
        return None
    if found["level"]:
        return _LEVELS[found["level"].lower()]
    parties = [_PARTIES[p.lower()] for p in _PARTY_WORD.findall(found["parties"])]
    return dutch_list(list(dict.fromkeys(parties)))


def addresses_others(addressee: str | None) -> bool:
    """Whether an addressee (`addressed_to`) leaves parents out: their steps are not theirs."""
    return addressee is not None and PARENTS not in _LIST_SEPARATOR.split(addressee)


def sentence_addressees(chunks: Iterable[Chunk]) -> dict[str, tuple[str | None, ...]]:
    """Per chunk id, whom the part each of its sentences stands in gives suggestions to.

    Chunks are read in document order; a numbered part runs on as the module docstring says.
    """
    by_document: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_document.setdefault(chunk.doc_id, []).append(chunk)
    found: dict[str, tuple[str | None, ...]] = {}
    for document in by_document.values():
        part: _Part | None = None
        ordinal: int | None = None
        for chunk in sorted(document, key=lambda c: c.ordinal):
            if ordinal is not None and chunk.ordinal != ordinal + 1:
                part = None  # a passage the index lacks lies between
            ordinal = chunk.ordinal
            sentences: list[str | None] = []
            for index in range(len(chunk.sentences)):
                section = chunk.sentence_section(index)
                part = _Part.after(section, part)
                sentences.append(addressed_to(section) or (part.addressee if part else None))
            found[chunk.chunk_id] = tuple(sentences)
    return found


@dataclass(frozen=True, slots=True)
class _Part:
    """A numbered part given suggestions: its heading's parent path and its addressee."""

    parent: str
    addressee: str

    @classmethod
    def after(cls, section: str, part: _Part | None) -> _Part | None:
        """The numbered part `section` stands in, given the one the sentence before stood in."""
        parent, _, heading = section.rpartition(SECTION_SEPARATOR)
        if section_number(heading):
            addressee = addressed_to(section)
            return cls(parent, addressee) if addressee else None
        if part is None or parent != part.parent or _BACK_MATTER.match(heading.strip()):
            return None
        return part


def _deepest(section: str) -> str:
    return section.rsplit(SECTION_SEPARATOR, 1)[-1].strip()
