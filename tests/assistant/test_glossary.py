"""The glossary's one-pass scan finds exactly what its patterns, one by one, would find."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import PACKAGE_DIR
from assistant.engine import Engine
from assistant.glossary import Glossary, Phrase, Term, Topic, words_pattern
from indexer.lexical import fold


def _reference_expansions(glossary: Glossary, text: str) -> list[str]:
    folded = fold(text)
    extra = [w for p in glossary.phrases if p.pattern.regex.search(folded) for w in p.expand]
    extra += [w for t in glossary.terms if t.pattern.regex.search(folded) for w in (t.term, t.full)]
    return list(dict.fromkeys(extra))


def _small_glossary() -> Glossary:
    def term(name: str, *aliases: str) -> Term:
        pattern = words_pattern([name, *aliases], prefix=False)
        return Term(term=name, full=name, aliases=aliases, explanation="", pattern=pattern)

    return Glossary(
        [term("pgb", "persoonsgebonden budget"), term("opp")],
        [
            Phrase(pattern=words_pattern(["zorg"], prefix=True), expand=("zorg",)),
            Phrase(pattern=words_pattern(["zorgplicht", "zo"], prefix=True), expand=("plicht",)),
        ],
        [Topic(name="geld", terms=("pgb", "budget"), pattern=words_pattern(["pgb"], prefix=True))],
    )


@pytest.mark.parametrize(
    ("text", "expansions"),
    [
        # Alternatives that are prefixes of each other, at one word start, all count.
        ("De zorgplicht van de school", ["zorg", "plicht"]),
        ("zorgen", ["zorg", "plicht"]),
        # A whole-word term needs the word to end; a prefix phrase does not.
        ("een pgbaanvraag", []),
        ("een pgb, of een persoonsgebonden budget?", ["pgb"]),
        # Only where a word starts.
        ("de thuiszorg", []),
        ("het OPP en (opp)", ["opp"]),
        ("", []),
    ],
)
def test_the_scan_finds_overlapping_and_whole_word_alternatives(
    text: str, expansions: list[str]
) -> None:
    glossary = _small_glossary()
    assert glossary.expansions(text) == expansions
    assert glossary.expansions(text) == _reference_expansions(glossary, text)


def test_topic_counts_are_the_patterns_occurrences() -> None:
    glossary = _small_glossary()
    assert glossary.topic_scores("pgb of pgbs, geen apgb") == {"geld": 2}
    assert [t.term for t in glossary.terms_in("Het pgb en het opp.")] == ["pgb", "opp"]


def test_an_empty_glossary_or_pattern_finds_nothing() -> None:
    empty = Glossary([], [], [])
    assert empty.expansions("Mag de school mijn zoon weigeren?") == []
    assert empty.topic_scores("pgb") == {}
    assert empty.terms_in("pgb") == []
    nothing = Phrase(pattern=words_pattern(["", "\u0301"], prefix=True), expand=("x",))
    assert nothing.pattern.alternatives == ()
    assert Glossary([], [nothing], []).expansions("wat dan ook") == []


@pytest.mark.slow
def test_on_the_corpus_and_the_bank_the_scan_finds_what_the_patterns_find(engine: Engine) -> None:
    glossary = Glossary.load(Path(PACKAGE_DIR / "data" / "glossary.toml"))
    texts = [c.text for c in engine.store.chunks] + list(engine.store.bank.questions)
    assert len(texts) > 1000
    found = 0
    for text in texts:
        folded = fold(text)
        assert glossary.expansions(text) == _reference_expansions(glossary, text), text
        terms = [t for t in glossary.terms if t.pattern.regex.search(folded)]
        assert glossary.terms_in(text) == terms, text
        topics = {t.name: len(t.pattern.regex.findall(folded)) for t in glossary.topics}
        assert glossary.topic_scores(text) == topics, text
        found += len(terms) + sum(topics.values())
    assert found > len(texts)  # the patterns do find things
