"""The kind of answer a question asks for, and whether a sentence can be such an answer.

The classic "expected answer type" check of question answering: "hoe lang" wants a duration,
"welk bedrag" an amount of money, "hoeveel procent" a percentage. A sentence that holds no such
expression does not answer the question, however many of its words it shares. Policy prose
rarely states the exact figure a worried parent asks for, so this check is what lets the
assistant say "dit staat niet in de bronnen" instead of citing a sentence about the subject.

When a question asks several things, the first one asked decides.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

AnswerType = Literal["duration", "hours", "money", "percentage", "count", "contact", "any"]
ANSWER_TYPES: tuple[AnswerType, ...] = get_args(AnswerType)

_NUMBER_WORDS = (
    r"een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|vijftien|twintig|"
    r"dertig|veertig|vijftig|zestig|honderd|duizend|enkele|half|halve|anderhalf|kwart"
)
# A figure: digits not glued to a word, to a sentence's closing punctuation (". ? ! ;"), to a
# closing quote mark after a word or such punctuation, or to a colon after a word: footnote
# markers such as "wetgeving.44", "school.”51" and "onderwijs:12" are not figures, while
# "“6 weken”", "8:30" and "1.200" are; or a number word.
_FIGURE = (
    r"(?:(?<![\w.?!;])(?<![\w.,;:!?)][”’\"'])(?<![^\W\d]:)\d+(?:[.,]\d+)?"
    rf"|\b(?:{_NUMBER_WORDS})\b)"
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")


def _phrases(pattern: str) -> re.Pattern[str]:
    """A case-insensitive pattern of whole words and phrases."""
    return re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)


# What each question type asks, in Dutch question words; at equal starts the first type listed
# (the more specific) wins: "hoeveel uur" asks for hours, not for any count.
_ASKS: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    ("contact", _phrases(r"telefoonnummer|e-?mailadres|mailadres|postadres|bezoekadres")),
    ("percentage", _phrases(r"hoeveel procent|welke? (?:streef)?percentage|percentage")),
    (
        "money",
        _phrases(
            r"hoeveel (?:geld|euro)|wat kost|hoeveel kost|wat zijn de kosten|"
            r"(?:welke?|wat is het|wat is de|hoe hoog is het|hoe hoog is de) "
            r"(?:bedrag|normbedrag|eigen bijdrage)|hoeveel is dat"
        ),
    ),
    ("hours", _phrases(r"hoeveel (?:les|klok|school)?(?:uur|uren)")),
    (
        "duration",
        _phrases(
            r"hoe lang|hoelang|binnen welke termijn|welke termijn|hoeveel tijd|"
            r"hoeveel (?:dagen|weken|maanden|jaar|jaren|schooljaren)"
        ),
    ),
    ("count", _phrases(r"hoeveel|hoe (?:vaak|oud|groot|veel)|welk aantal|welke leeftijd")),
)

_TIME_UNIT = r"(?:school|werk|kalender)?(?:dag|dagen|week|weken|maand|maanden|jaar|jaren)"
_ANSWERS: dict[AnswerType, re.Pattern[str]] = {
    "contact": re.compile(r"@|www\.|https?://|\b0\d{2,3}[\s-]?\d{6,7}\b"),
    "percentage": re.compile(rf"{_FIGURE}\s*(?:%|procent)", re.IGNORECASE),
    "money": re.compile(rf"€\s*\d|\beuro\b|{_FIGURE}\s*(?:euro|miljoen|miljard)\b", re.IGNORECASE),
    "hours": re.compile(rf"{_FIGURE}\s+(?:les|klok)?(?:uur|uren)\b", re.IGNORECASE),
    "duration": re.compile(
        rf"{_FIGURE}\s+{_TIME_UNIT}\b|\b(?:jaarlijks|elk (?:school)?jaar|per (?:school)?jaar|"
        r"voor onbepaalde tijd|tot (?:de|het) (?:leerling|kind|einde))",
        re.IGNORECASE,
    ),
}
_FIGURE_RE = re.compile(_FIGURE, re.IGNORECASE)


def answer_type(question: str) -> AnswerType:
    """What kind of answer a question asks for: the type asked first, or "any"."""
    found = [
        (m.start(), order, kind)
        for order, (kind, pattern) in enumerate(_ASKS)
        if (m := pattern.search(question))
    ]
    return min(found)[2] if found else "any"


def fits_answer_type(sentence: str, wanted: AnswerType) -> bool:
    """Whether a sentence holds the kind of expression a question of type `wanted` asks for."""
    if wanted == "any":
        return True
    if wanted == "count":
        # "een" is mostly the article: a count needs a figure that is neither it nor a year.
        return any(
            m.group().lower() != "een" and not _YEAR.match(m.group())
            for m in _FIGURE_RE.finditer(sentence)
        )
    return bool(_ANSWERS[wanted].search(sentence))
