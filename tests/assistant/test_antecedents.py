"""A short answer never opens with a sentence that points back at one the reader did not get."""

from __future__ import annotations

import pytest

from assistant.answering import Answer, AnswerComposer, chunk_units
from assistant.engine import Engine
from assistant.intent import classify

# Written from the AEF report's passage on admission: "Het schoolbestuur bepaalt of het kind
# wordt toegelaten. Deze kan een kind weigeren indien er geen plek is."
FULL_CLASS = "Mag het schoolbestuur mijn kind weigeren als er geen plek is?"
WHO = "Het schoolbestuur bepaalt of het kind wordt toegelaten."
POINTS_BACK = "Deze kan een kind weigeren indien er geen plek is."


def _compose(engine: Engine, question: str) -> Answer:
    """The answer as composed now (not from the answer cache)."""
    query = engine.retriever.prepare(question)
    return engine.composer.compose(query, engine.retriever.retrieve(query, reorder=False))


def _leaning(engine: Engine, answer: Answer) -> tuple[int, list[str]]:
    """Short-answer sentences that point back: how many stand right after the sentence before
    them in their passage, and which do not although that sentence is a candidate (a case
    story is one only for a question that asks for an example)."""
    kind = classify(answer.question).kind
    by_n = {c.n: c.chunk for c in answer.citations}
    shown = [s.text for s in answer.short_answer]
    with_context, without = 0, []
    for position, sentence in enumerate(answer.short_answer):
        chunk = by_n[sentence.citations[0]]
        units = chunk_units(chunk, engine.composer.analyzer)
        unit = next(u for u in units if chunk.text[u.span[0] : u.span[1]] == sentence.text)
        ending_before = [
            u
            for u in units
            if u.last == unit.first - 1 and (u.role != "narrative" or kind == "example")
        ]
        before = min(ending_before, key=lambda u: u.first, default=None)  # a whole list
        if not unit.leans_back or before is None:
            continue
        if position > 0 and shown[position - 1] == chunk.text[before.span[0] : before.span[1]]:
            with_context += 1
        else:
            without.append(sentence.text)
    return with_context, without


def test_the_sentence_that_says_who_comes_right_before_the_one_that_points_back(
    engine: Engine,
) -> None:
    answer = _compose(engine, FULL_CLASS)
    short = [s.text for s in answer.short_answer]
    assert short[short.index(POINTS_BACK) - 1] == WHO
    everything = [s.text for s in answer.sentences]
    assert len(everything) == len(set(everything))  # moved, not repeated


def test_without_the_rule_the_two_sentences_part(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        AnswerComposer, "_with_antecedents", lambda self, short, scored, explanation, steps: short
    )
    everything = [s.text for s in _compose(engine, FULL_CLASS).sentences]
    assert everything.index(POINTS_BACK) != everything.index(WHO) + 1


def test_no_short_answer_to_the_banks_questions_points_back_without_context(
    engine: Engine,
) -> None:
    bank = engine.store.bank
    assert bank is not None
    questions = [e.entry.parents[0] for e in bank.entries[::4]]
    assert len(questions) >= 80
    paired = 0
    for question in questions:
        if classify(question).figure != "any":
            continue  # a figure question takes only sentences with its figure
        answer = _compose(engine, question)
        if answer.answerable:
            with_context, without = _leaning(engine, answer)
            assert without == [], question
            paired += with_context
    assert paired >= 3  # the rule was at work, not only true for want of cases
