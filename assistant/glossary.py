"""The domain glossary (data in `data/glossary.toml`): jargon, parents' words, topic vocabulary.

It serves three purposes:
- query expansion: parents' words map to the documents' words, abbreviations both ways;
- topic recognition: each topic has a vocabulary;
- explanations: the web chat shows a plain explanation of a term on hover or focus.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.lexical import fold

OTHER_TOPIC = "overig"

_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class WordsPattern:
    """Words or phrases that occur where a word starts (and, `whole_words`, end where one ends).

    `regex` is the same as one regular expression: the reference, and what counts occurrences.
    """

    alternatives: tuple[str, ...]  # folded, longest first
    whole_words: bool
    regex: re.Pattern[str]


class _Scanner:
    """Every glossary pattern's alternatives in one regular expression, tried once per word start.

    At each word start the expression finds the longest alternative there (grouped by first
    character, longest first). Every other alternative that occurs there is a prefix of it, so
    those are looked up, not searched: one pass over a question instead of ~130 patterns.
    """

    def __init__(self, patterns: Sequence[WordsPattern]) -> None:
        owners: dict[str, list[tuple[int, bool]]] = defaultdict(list)
        for index, pattern in enumerate(patterns):
            for alternative in pattern.alternatives:
                owners[alternative].append((index, pattern.whole_words))
        self._owners = {a: tuple(o) for a, o in owners.items()}
        self._prefixes = {
            a: tuple(a[:n] for n in range(len(a), 0, -1) if a[:n] in owners) for a in owners
        }
        by_first: dict[str, list[str]] = defaultdict(list)
        for alternative in sorted(owners, key=len, reverse=True):
            by_first[alternative[0]].append(re.escape(alternative[1:]))
        branches = "|".join(
            f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in by_first.items()
        )
        # Without any word (an empty glossary) nothing is found: `(?!)` never matches.
        self._regex = re.compile(rf"(?<![\w])(?=({branches}))" if branches else "(?!)")

    def found(self, folded: str) -> frozenset[int]:
        """The indexes of the patterns that occur in `folded` (a `fold`ed text)."""
        hits: set[int] = set()
        for match in self._regex.finditer(folded):
            start = match.start()
            for alternative in self._prefixes[match.group(1)]:
                end = start + len(alternative)
                for index, whole_words in self._owners[alternative]:
                    if not whole_words or not _WORD_CHAR.match(folded, end):
                        hits.add(index)
        return frozenset(hits)


@dataclass(frozen=True, slots=True)
class Term:
    """A jargon term with its full form, aliases and a plain-language explanation."""

    term: str
    full: str
    aliases: tuple[str, ...]
    explanation: str
    pattern: WordsPattern


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words a parent would use (`pattern`) and what the documents call it (`expand`)."""

    pattern: WordsPattern
    expand: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic and the vocabulary that signals it."""

    name: str
    terms: tuple[str, ...]
    pattern: WordsPattern


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
        # One scan finds them all; a pattern's index: terms, then phrases, then topics.
        self._scanner = _Scanner(
            [
                *(t.pattern for t in terms),
                *(p.pattern for p in phrases),
                *(t.pattern for t in topics),
            ]
        )
        self._first_phrase = len(terms)
        self._first_topic = len(terms) + len(phrases)

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
        found = self._scanner.found(fold(text))
        extra: list[str] = []
        for index, phrase in enumerate(self.phrases, start=self._first_phrase):
            if index in found:
                extra.extend(phrase.expand)
        for index, term in enumerate(self.terms):
            if index in found:
                extra.extend([term.term, term.full])
        return list(dict.fromkeys(extra))

    def topic_scores(self, text: str) -> dict[str, int]:
        """How many words of each topic's vocabulary occur in `text`."""
        folded = fold(text)
        found = self._scanner.found(folded)
        return {
            topic.name: len(topic.pattern.regex.findall(folded)) if index in found else 0
            for index, topic in enumerate(self.topics, start=self._first_topic)
        }

    def words(self) -> list[str]:
        """The glossary's whole words: terms, full forms, aliases, and the phrases' expansions.

        The phrases' and topics' own words are left out: they match as prefixes (stems).
        """
        found = [w for t in self.terms for w in (t.term, t.full, *t.aliases)]
        return found + [w for p in self.phrases for w in p.expand]

    def terms_in(self, text: str) -> list[Term]:
        """The glossary terms that occur in `text`, in glossary order."""
        found = self._scanner.found(fold(text))
        return [term for index, term in enumerate(self.terms) if index in found]


def words_pattern(words: list[str], *, prefix: bool) -> WordsPattern:
    """`words` where a word starts; `prefix`: also as the start of a longer word."""
    folded = tuple(sorted({fold(w) for w in words if w.strip()} - {""}, key=lambda w: (-len(w), w)))
    alternatives = "|".join(re.escape(w) for w in folded)
    end = "" if prefix else r"(?![\w])"
    return WordsPattern(
        alternatives=folded,
        whole_words=not prefix,
        # No words, no match (an empty alternation would match everywhere).
        regex=re.compile(rf"(?<![\w])(?:{alternatives}){end}" if folded else "(?!)"),
    )


def _term(table: Mapping[str, Any]) -> Term:
    aliases = tuple(table.get("aliases", []))
    return Term(
        term=table["term"],
        full=table.get("full", table["term"]),
        aliases=aliases,
        explanation=table["explanation"],
        pattern=words_pattern([table["term"], table.get("full", ""), *aliases], prefix=False),
    )


def _phrase(table: Mapping[str, Any]) -> Phrase:
    return Phrase(pattern=words_pattern(table["match"], prefix=True), expand=tuple(table["expand"]))


def _topic(name: str, table: Mapping[str, Any]) -> Topic:
    terms = tuple(table["terms"])
    return Topic(name=name, terms=terms, pattern=words_pattern(list(terms), prefix=True))
