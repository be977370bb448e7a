"""Whom a part of a document gives its suggestions to, read from the part's headings.

The government's werkagenda closes each theme with "Suggesties op schoolniveau" and "Suggesties
voor scholen": what schools could do ("Profileer als school op het gebied van inclusief
onderwijs", "Wijs één contactpersoon aan vanuit school"). Quoted to a parent without a word,
such a sentence reads as a rule or as something the parent should do. An answer sentence from
such a part carries its addressee (`AnswerSentence.addressed_to`), the chat labels it, and it
is never one of a parent's next steps.

Only the headings count: a sentence's own words cannot tell a suggestion to schools from a
rule for schools, and these parts hold both ("… wordt de school vanaf 2024 verplicht …").
"""

from __future__ import annotations

import re

# The deepest heading of a section path ("9. Werkagenda … › 9.2.3. Suggesties op schoolniveau"),
# after its number, names the suggestions and whom they are for: "op schoolniveau" (at school
# level), "voor scholen", "aan gemeenten". "Suggesties voor actienemer(s)" names no one.
_SUGGESTIONS = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:suggesties?|tips?|adviezen|advies|aanbevelingen?)\s+"
    r"(?:op\s+(?P<level>school|bestuurs|gemeente)niveau"
    r"|(?:voor|aan)\s+(?:de\s+)?(?P<party>scholen|schoolbesturen|besturen|gemeenten|"
    r"samenwerkingsverbanden|leraren|ouders))\b",
    re.IGNORECASE,
)
_LEVELS = {"school": "scholen", "bestuurs": "schoolbesturen", "gemeente": "gemeenten"}
PARENTS = "ouders"
_SECTION_SEPARATOR = " › "


def addressed_to(section: str) -> str | None:
    """Whom the deepest heading of `section` gives suggestions to ("scholen"), or None.

    >>> addressed_to("9. Werkagenda route › 9.2.3. Suggesties op schoolniveau")
    'scholen'
    >>> addressed_to("9.3. Organiseren van dekkend aanbod › Suggesties voor scholen")
    'scholen'
    >>> addressed_to("Suggesties voor actienemer(s)") is None
    True
    """
    heading = section.rsplit(_SECTION_SEPARATOR, 1)[-1].strip()
    found = _SUGGESTIONS.match(heading)
    if found is None:
        return None
    if found["level"]:
        return _LEVELS[found["level"].lower()]
    return found["party"].lower()


def addresses_others(section: str) -> bool:
    """Whether `section` gives suggestions to a party other than parents."""
    addressee = addressed_to(section)
    return addressee is not None and addressee != PARENTS
