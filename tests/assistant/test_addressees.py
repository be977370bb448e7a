"""Suggestions to schools: read from the headings, carried by the answer's sentences, never a
parent's next step."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.addressees import addressed_to, addresses_others
from assistant.answering import AnswerSentence, chunk_units, is_next_step
from assistant.engine import Engine
from tests.assistant.written import written_passage

WERKAGENDA = "werkagenda-inclusief-onderwijs-2035"


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        # the werkagenda's own headings, as the index holds them
        (
            "9. Werkagenda route naar inclusief onderwijs 2035 › 9.2. Laagdrempelige hulp in en "
            "nabij de school › 9.2.3. Suggesties op schoolniveau",
            "scholen",
        ),
        (
            "9. Werkagenda route naar inclusief onderwijs 2035 › 9.3. Organiseren van dekkend "
            "aanbod onderwijs en ondersteuning › Suggesties voor scholen",
            "scholen",
        ),
        ("Suggesties voor actienemer(s)", None),  # names no one
        ("Adviezen uit het veld", None),  # advice from, not to
        ("En wat betekent het nou voor ouders en kinderen?", None),
        ("9.2.2. Regionale maatregelen/acties", None),
        # the same words elsewhere in a path do not count: only the deepest heading does
        ("Suggesties voor scholen › 4. Bekostiging", None),
        # other parties and wordings
        ("3.2 Tips voor gemeenten", "gemeenten"),
        ("Aanbevelingen aan de samenwerkingsverbanden", "samenwerkingsverbanden"),
        ("Adviezen op bestuursniveau", "schoolbesturen"),
        ("Tips voor ouders", "ouders"),
        ("", None),
    ],
)
def test_whom_a_part_gives_suggestions_to_is_read_from_its_deepest_heading(
    section: str, expected: str | None
) -> None:
    assert addressed_to(section) == expected
    assert addresses_others(section) is (expected is not None and expected != "ouders")


def test_the_werkagendas_suggestions_to_schools_are_found_in_the_index(engine: Engine) -> None:
    found = {
        (chunk.doc_id, section)
        for chunk in engine.store.chunks
        for section in chunk.sentence_sections
        if addressed_to(section)
    }
    assert {doc for doc, _ in found} == {WERKAGENDA}
    assert len({section for _, section in found}) == 7  # six themes' "op schoolniveau" + one
    assert {addressed_to(section) for _, section in found} == {"scholen"}


# Questions a parent could type about what a school does for a child; written for this test
# from the werkagenda's suggestions, none of them a question of an evaluation set.
PARENTS = (
    "kan de school kleine aanpassingen aan het gebouw doen voor mijn kind in een rolstoel",
    "wordt mijn kind gevraagd wat het vindt van de ondersteuning die het krijgt",
    "krijgt de leraar van mijn zoon hulp van andere mensen in de klas",
    "kan mijn dochter op een andere manier getoetst worden dan met gewone toetsen",
    "hoe wordt de hulp van de basisschool overgedragen aan de middelbare school",
)


def test_answer_sentences_carry_whom_their_part_gives_suggestions_to(engine: Engine) -> None:
    labelled = answered = 0
    for question in PARENTS:
        answer = engine.ask(question)
        answered += answer.answerable
        chunks = {c.n: c.chunk for c in answer.citations}
        for sentence in answer.sentences:
            chunk = chunks[sentence.citations[0]]
            start = chunk.text.index(sentence.text)
            assert sentence.addressed_to == addressed_to(chunk.section_at(start)), sentence.text
            labelled += sentence.addressed_to == "scholen"
        assert not any(_suggests_to_others(s) for s in answer.next_steps), question
    assert answered >= 3
    assert labelled >= 3, "the werkagenda's suggestions to schools came up in few answers"


def _suggests_to_others(sentence: AnswerSentence) -> bool:
    return sentence.addressed_to is not None and sentence.addressed_to != "ouders"


@pytest.mark.parametrize(
    ("section", "step"),
    [
        ("9.2.3. Suggesties op schoolniveau", False),
        ("Suggesties voor scholen", False),
        ("Tips voor ouders", True),
        ("4. Wat kunt u doen?", True),
    ],
)
def test_a_parents_step_in_suggestions_to_schools_is_no_next_step(
    engine: Engine, section: str, step: bool
) -> None:
    sentence = "Ouders kunnen contact opnemen met het samenwerkingsverband voor advies."
    assert is_next_step(sentence, "statement")
    opening = "De school zoekt samen met de ouders naar een passende plek."
    chunk = written_passage(
        (opening, "statement"),
        (sentence, "statement"),
        section="1. Inleiding",
        sections=("1. Inleiding", section),
    )
    units = chunk_units(chunk, engine.composer.analyzer)
    steps = {chunk.text[u.span[0] : u.span[1]]: u.next_step for u in units}
    assert steps[sentence] is step
    # The passage began before the heading: its own section gives no suggestions, and the
    # passage's section alone (an index without per-sentence sections) decides nothing.
    assert addressed_to(chunk.section_at(0)) is None
    bare = chunk_units(replace(chunk, sentence_sections=()), engine.composer.analyzer)
    assert {chunk.text[u.span[0] : u.span[1]]: u.next_step for u in bare}[sentence] is True
