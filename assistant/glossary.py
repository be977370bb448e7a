"""The domain glossary (data in `data/glossary.toml`): jargon, parents' words, topic vocabulary.

It serves three purposes:
- query expansion: parents' words map to the documents' words, abbreviations both ways;
- topic recognition: each topic has a vocabulary;
- explanations: the web chat shows a plain explanation of a term on hover or focus.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.lexical import fold

OTHER_TOPIC = "overig"


@dataclass(frozen=True, slots=True)
class Term:
    """A jargon term with its full form, aliases and a plain-language explanation."""

    term: str
    full: str
    aliases: tuple[str, ...]
    explanation: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words a parent would use (`pattern`) and what the documents call it (`expand`)."""

    pattern: re.Pattern[str]
    expand: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic and the vocabulary that signals it."""

    name: str
    terms: tuple[str, ...]
    pattern: re.Pattern[str]


class Glossary:
    """Lookup over the glossary file.

    Usage:
        glossary = Glossary.load(Path("assistant/data/glossary.toml"))
        glossary.expansions("Mogen ze haar afwijzen?")   # ['weigeren', 'toelaten', ...]
    """

    def __init__(self, terms: list[Term], phrases: list[Phrase], topics: list[Topic]) -> None:
        self.terms = tuple(terms)
        self.phrases = tuple(phrases)
        self.topics = tuple(topics)

    @classmethod
    def load(cls, path: Path) -> Glossary:
        """Read and compile the glossary file."""
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(
            [_term(t) for t in data.get("terms", [])],
            [_phrase(p) for p in data.get("phrases", [])],
            [_topic(name, t) for name, t in data.get("topics", {}).items()],
        )

    def expansions(self, text: str) -> list[str]:
        """Document words for the parents' words and abbreviations found in `text`."""
        folded = fold(text)
        extra: list[str] = []
        for phrase in self.phrases:
            if phrase.pattern.search(folded):
                extra.extend(phrase.expand)
        for term in self.terms:
            if term.pattern.search(folded):
                extra.extend([term.term, term.full])
        return list(dict.fromkeys(extra))

    def topic_scores(self, text: str) -> dict[str, int]:
        """How many words of each topic's vocabulary occur in `text`."""
        folded = fold(text)
        return {t.name: len(t.pattern.findall(folded)) for t in self.topics}

    def terms_in(self, text: str) -> list[Term]:
        """The glossary terms that occur in `text`, in glossary order."""
        folded = fold(text)
        return [t for t in self.terms if t.pattern.search(folded)]


def _words_pattern(words: list[str], *, prefix: bool) -> re.Pattern[str]:
    alternatives = sorted({re.escape(fold(w)) for w in words if w.strip()}, key=len, reverse=True)
    end = "" if prefix else r"(?![\w])"
    return re.compile(rf"(?<![\w])(?:{'|'.join(alternatives)}){end}")


def _term(table: Mapping[str, Any]) -> Term:
    aliases = tuple(table.get("aliases", []))
    return Term(
        term=table["term"],
        full=table.get("full", table["term"]),
        aliases=aliases,
        explanation=table["explanation"],
        pattern=_words_pattern([table["term"], table.get("full", ""), *aliases], prefix=False),
    )


def _phrase(table: Mapping[str, Any]) -> Phrase:
    return Phrase(
        pattern=_words_pattern(table["match"], prefix=True), expand=tuple(table["expand"])
    )


def _topic(name: str, table: Mapping[str, Any]) -> Topic:
    terms = tuple(table["terms"])
    return Topic(name=name, terms=terms, pattern=_words_pattern(list(terms), prefix=True))
