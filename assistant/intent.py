"""What a question asks: permission or duty, who, what to do, a definition, a figure, examples.

The kind of question decides which kind of sentence answers it: the rule for a yes/no question,
a party that acts for "wie", an action or a place to turn to for "wat kan ik doen", a definition
for "wat is", a figure for "hoeveel" (`assistant.answer_types`), a case for "een voorbeeld".

What is asked is read from the sentence that asks it: in "Mijn zoon kan maar 3 uur per dag naar
school. Mag dat?" the figure is told, not asked; "Mag dat?" asks for permission. A follow-up
such as "En wie betaalt dat dan?" leaves its subject to the earlier turns (`needs_context`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.answer_types import AnswerType, answer_type

QuestionKind = Literal["yes_no", "who", "action", "definition", "figure", "example", "open"]
QUESTION_KINDS: tuple[QuestionKind, ...] = (
    "yes_no",
    "who",
    "action",
    "definition",
    "figure",
    "example",
    "open",
)


@dataclass(frozen=True, slots=True)
class Intent:
    """What a question asks; `figure` is the kind of figure for a "figure" question."""

    kind: QuestionKind
    figure: AnswerType = "any"


def _phrases(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)


# Tried in this order on the asking sentence; the first that matches decides.
_KINDS: tuple[tuple[QuestionKind, re.Pattern[str]], ...] = (
    (
        "example",
        _phrases(
            r"(?:een |als )?voorbeeld(?:en)?|bestaan er|zijn er (?:al )?(?:scholen|plekken|"
            r"initiatieven|voorzieningen|projecten)|ervaring(?:en)?|hoe doen andere"
        ),
    ),
    (
        "action",
        _phrases(
            r"wat (?:kan|kunnen|moet|moeten|mag) (?:ik|we|wij|je|u|ouders|de ouders)(?: dan| nu)? "
            r"(?:doen|regelen|ondernemen)|wat nu|"
            r"waar (?:kan|moet|kunnen|moeten) (?:ik|we|wij|je|u)|"
            r"bij wie (?:kan|moet|kunnen) (?:ik|we|wij|je|u)|waar vind ik|hoe (?:kan|kunnen|moet|"
            r"moeten) (?:ik|we|wij|je|u)|hoe (?:vraag|regel|krijg|meld) (?:ik|je|u)|"
            r"(?:kan|kunnen) (?:ik|we|wij|je|u) ergens|wie kan (?:ons|mij|me) helpen|"
            r"wat (?:zijn|is) de (?:stappen|procedure)|hoe gaat dat|hoe werkt (?:dat|het)"
        ),
    ),
    (
        "who",
        _phrases(
            r"wie|welke (?:instantie|partij|organisatie)|door wie|bij wie|"
            r"wat (?:doet|betaalt) (?:de |het )?"
            r"(?:gemeente|school|samenwerkingsverband|zorgkantoor|zorgverzekeraar)"
        ),
    ),
    (
        "definition",
        _phrases(
            r"wat (?:is|zijn|betekent|betekenen) (?:een |het |de )?|wat houdt|wat wordt (?:er )?"
            r"(?:bedoeld|verstaan)|wat versta"
        ),
    ),
)
# A question that opens with a finite verb asks yes or no: "Mag de school …", "Heeft mijn kind …".
_YES_NO_OPENER = _phrases(
    r"mag|mogen|moet|moeten|kan|kunnen|is|zijn|heeft|hebben|krijgt|krijgen|wordt|worden|"
    r"valt|vallen|telt|tellen|geldt|gelden|hoeft|hoeven|bestaat|klopt|zou|zouden|blijft|gaat|"
    r"betaalt|vergoedt|wil|willen"
)
_YES_NO_PHRASE = _phrases(
    r"is (?:het|dat) (?:wel )?(?:toegestaan|normaal|mogelijk|verplicht|legaal)|mag (?:dat|dit)|"
    r"kan (?:dat|dit)|klopt (?:het|dat)|is dat zo|mag (?:de|een|het|mijn|ons|onze) |"
    r"moet (?:de|een|het|mijn|ons|onze|ik|we|wij|u) "
)
# A parent asks about their own child, in the first person and often typed in lower case.
_PERSONAL_WORDS = _phrases(r"mijn|m'n|ons|onze|ik|we|wij|mij|me|zoon|dochter")
_QUESTION_SENTENCE = re.compile(r"[^.!?]*\?|[^.!?]+$")
_FOLLOW_UP_WORDS = _phrases(
    r"dat|dit|die|deze|dan|daar|daarvoor|daarvan|daarbij|ervoor|hij|zij|ze|hem|haar|zijn|"
    r"dezelfde|zo'n|zoiets|hetzelfde"
)
_FOLLOW_UP_OPENER = re.compile(r"^\s*(?:en|maar|of|ook|dus|oké|ok|en als|stel)\b", re.IGNORECASE)
_SELF_CONTAINED_WORDS = 8


def asks_personally(question: str) -> bool:
    """Whether `question` reads as a parent's: first-person words, or a lower-case start.

    Usage:
        >>> asks_personally("mag de school mijn zoon weigeren")
        True
        >>> asks_personally("Wanneer ontstaat de zorgplicht van het schoolbestuur?")
        False
    """
    return bool(_PERSONAL_WORDS.search(question)) or question.lstrip()[:1].islower()


def asking_sentence(question: str) -> str:
    """The sentence of `question` that asks: the last one ending in "?", else the last one."""
    asked = [m.group().strip() for m in _QUESTION_SENTENCE.finditer(question) if m.group().strip()]
    marked = [s for s in asked if s.endswith("?")]
    if marked:
        return marked[-1]
    return asked[-1] if asked else question.strip()


def classify(question: str) -> Intent:
    """What `question` asks (see the module docstring).

    Usage:
        >>> classify("Mijn zoon kan maar 3 uur per dag naar school. Mag dat?").kind
        'yes_no'
        >>> classify("Hoeveel uur onderwijs moet een kind krijgen?")
        Intent(kind='figure', figure='hours')
    """
    asked = asking_sentence(question)
    figure = answer_type(asked)
    if figure != "any":
        return Intent("figure", figure)
    for kind, pattern in _KINDS:
        if pattern.search(asked):
            return Intent(kind)
    if _YES_NO_OPENER.match(asked.lstrip("“\"' ")) or _YES_NO_PHRASE.search(asked):
        return Intent("yes_no")
    return Intent("open")


def needs_context(question: str) -> bool:
    """Whether a follow-up leaves what it is about to the earlier turns.

    "En wie betaalt dat dan?" does; "Wie betaalt de verpleging op school?" does not: the new
    question decides what is asked, the earlier turns only fill in what it leaves open.
    """
    words = question.split()
    if _FOLLOW_UP_OPENER.match(question):
        return True
    return len(words) <= _SELF_CONTAINED_WORDS and bool(_FOLLOW_UP_WORDS.search(question))


def follow_up_context(question: str, history: Sequence[str]) -> str:
    """The earlier questions a follow-up leans on: none for a question that stands alone.

    The last earlier question fills in what `question` leaves open; when that one was a
    follow-up itself, the question it followed fills in too.
    """
    if not history or not needs_context(question):
        return ""
    turns = [history[-1]]
    if len(history) > 1 and needs_context(history[-1]):
        turns.insert(0, history[-2])
    return " ".join(turns)
