"""Which municipality a sentence tells about: a local example, not a national rule.

The research report and the government's documents illustrate with one municipality's way of
working ("De gemeente Amersfoort heeft het proces zo ingeregeld, dat …", "Zo vindt een
leerrechtpilot plaats in Rotterdam …"). Quoted to a parent without a word, such a sentence
reads as how it goes everywhere. An answer sentence that names a municipality carries it
(`AnswerSentence.municipality`) and the chat says it is one municipality's example.

The municipalities are the corpus's own: the names it writes after "gemeente" on the same line
("gemeente Sittard-Geleen", "gemeente Utrechtse Heuvelrug", "gemeente Bergen op Zoom"), in
Dutch municipalities' shapes, never an acronym ("gemeente SWV") or a word broken at a line's
end ("gemeente Sittard-"), and never a name whose last word the corpus also writes in lower case
("… de gemeente" / "In …", "gemeente Leiden" / "leiden"; web and e-mail addresses aside).

A sentence tells about one when it names it as a municipality or as a place, "gemeente
Utrecht", "in Rotterdam", outside brackets; not in a name ("Hogeschool Utrecht") or an aside
("denk aan SWV Rotterdam", "(bv. Stichting MEES in Breda)"), where the sentence may state a
general rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD_PART = r"[A-Z][\w'’]*(?:-[A-Z][\w'’]*)*"
# The shapes of Dutch municipalities' names, longest first: "'s-Hertogenbosch", "Den Haag",
# "Utrechtse Heuvelrug", "Bergen op Zoom", "Alphen aan den Rijn", "Hof van Twente", "Breda".
_NAME = (
    rf"'s-{_WORD_PART}"
    rf"|(?:Den|De|Het)[ \t]+{_WORD_PART}"
    rf"|{_WORD_PART}se[ \t]+{_WORD_PART}"
    rf"|{_WORD_PART}(?:[ \t]+(?:op|aan|van|den|de|der)){{1,3}}[ \t]+{_WORD_PART}"
    rf"|{_WORD_PART}"
)
_AFTER_MUNICIPALITY = re.compile(rf"\b[Gg]emeente[ \t]+({_NAME})(?![\w-])")
_WORD = re.compile(r"[\w'’-]+")
_ADDRESS = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|\S+\.(?:nl|com|org|net|eu|be)\b\S*")


def municipalities(texts: Iterable[str]) -> frozenset[str]:
    """The names the texts write right after "gemeente", as the module docstring says."""
    named: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        named.update(_AFTER_MUNICIPALITY.findall(text))
        words = _WORD.findall(_ADDRESS.sub(" ", text))
        lower.update(w for w in words if w[:1].islower())
    return frozenset(
        " ".join(name.split())
        for name in named
        if not name.isupper() and name.split()[-1].lower() not in lower
    )


class Gazetteer:
    """Finds the municipalities a sentence tells about, among those the corpus names.

    Usage:
        gazetteer = Gazetteer(municipalities(chunk.text for chunk in store.chunks))
        gazetteer.named("Zo vindt een leerrechtpilot plaats in Rotterdam.")  # "Rotterdam"
    """

    def __init__(self, names: Iterable[str]) -> None:
        # Longest first: "Utrechtse Heuvelrug" before a shorter name it might hold.
        ordered = sorted(set(names), key=lambda n: (-len(n), n))
        names_pattern = "|".join(re.escape(n) for n in ordered)
        self._pattern = (
            re.compile(rf"\b(?:[Gg]emeente|[Ii]n)\s+({names_pattern})(?![\w-])")
            if ordered
            else None
        )

    def named(self, sentence: str) -> str | None:
        """The municipalities `sentence` names as such or as a place, outside brackets.

        Several are joined as Dutch lists them ("Rotterdam en Utrecht"); None when it names
        none.
        """
        if self._pattern is None:
            return None
        text = " ".join(sentence.split())
        found = [
            m.group(1)
            for m in self._pattern.finditer(text)
            if text.count("(", 0, m.start()) <= text.count(")", 0, m.start())
        ]
        return dutch_list(list(dict.fromkeys(found))) or None


def dutch_list(items: list[str]) -> str:
    """The items as Dutch lists them: a; a en b; a, b en c (empty for none)."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} en {items[-1]}"
