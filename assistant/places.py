"""Which municipality a sentence tells about: a local example, not a national rule.

The research report and the government's documents illustrate with one municipality's way of
working ("De gemeente Amersfoort heeft het proces zo ingeregeld, dat …", "Zo vindt een
leerrechtpilot plaats in Rotterdam …"). Quoted to a parent without a word, such a sentence
reads as how it goes everywhere. An answer sentence that names a municipality carries it
(`AnswerSentence.municipality`) and the chat says it is one municipality's example.

The municipalities are the corpus's own: the names it writes after "gemeente" ("gemeente
Sittard-Geleen", "gemeente Utrechtse Heuvelrug"), never a word it also writes in lower case
("… de gemeente" / "In …" is no name; web addresses aside). A sentence tells about one when it
names it as a municipality or as a place: "gemeente Utrecht", "in Rotterdam"; not in a name
("Hogeschool Utrecht") or an aside ("denk aan SWV Rotterdam"), where the sentence may state a
general rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NAME = r"[A-Z][\w'’-]*[\w'’](?:\s+Heuvelrug)?"
_AFTER_MUNICIPALITY = re.compile(rf"\b[Gg]emeente\s+({_NAME})")
_WORD = re.compile(r"[\w'’-]+")
_WEB_ADDRESS = re.compile(r"https?://\S+|www\.\S+")


def municipalities(texts: Iterable[str]) -> frozenset[str]:
    """The names the texts write right after "gemeente", and never as a lower-case word."""
    named: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        named.update(" ".join(m.split()) for m in _AFTER_MUNICIPALITY.findall(text))
        words = _WORD.findall(_WEB_ADDRESS.sub(" ", text))
        lower.update(w for w in words if w[:1].islower())
    return frozenset(n for n in named if n.split()[0].lower() not in lower)


class Gazetteer:
    """Finds the municipality a sentence names, among those the corpus names (`municipalities`).

    Usage:
        gazetteer = Gazetteer(municipalities(chunk.text for chunk in store.chunks))
        gazetteer.named("Zo vindt een leerrechtpilot plaats in Rotterdam.")  # "Rotterdam"
    """

    def __init__(self, names: Iterable[str]) -> None:
        # Longest first: "Utrechtse Heuvelrug" before a shorter name it might hold.
        ordered = sorted(set(names), key=lambda n: (-len(n), n))
        names = "|".join(re.escape(n) for n in ordered)
        self._pattern = (
            re.compile(rf"\b(?:[Gg]emeente|[Ii]n)\s+({names})(?![\w-])") if ordered else None
        )

    def named(self, sentence: str) -> str | None:
        """The first municipality `sentence` names as one or as a place, or None."""
        if self._pattern is None:
            return None
        found = self._pattern.search(" ".join(sentence.split()))
        return found.group(1) if found else None
