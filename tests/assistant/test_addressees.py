"""Suggestions to schools: read from the headings, carried by the answer's sentences, never a
parent's next step."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.addressees import addressed_to, addresses_others, sentence_addressees
from assistant.answer_units import chunk_units, is_next_step
from assistant.answering import AnswerSentence
from assistant.engine import Engine
from indexer.headings import section_number
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
        ("Adviezen voor schoolbesturen", "schoolbesturen"),
        ("Tips voor ouders", "ouders"),
        ("Suggesties voor de school", "scholen"),
        # several parties, in the heading's order; parents among others still count as others
        ("Tips voor ouders en scholen", "ouders en scholen"),
        (
            "Suggesties aan de gemeente, het samenwerkingsverband en de school",
            "gemeenten, samenwerkingsverbanden en scholen",
        ),
        ("Adviezen voor het bestuur", None),  # whose board: the document's own, maybe
        ("Tips voor oudergesprekken", None),  # a word that only begins like a party
        ("", None),
    ],
)
def test_whom_a_part_gives_suggestions_to_is_read_from_its_deepest_heading(
    section: str, expected: str | None
) -> None:
    assert addressed_to(section) == expected
    # parents among the parties: a parent's step there is theirs too
    assert addresses_others(addressed_to(section)) is (
        expected is not None and "ouders" not in expected
    )


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


def _sections(*sections: str) -> list[str | None]:
    """Whom each sentence of a passage, one sentence under each of `sections`, is given to."""
    chunk = written_passage(
        *((f"Zin {i}.", "statement") for i in range(len(sections))), sections=sections
    )
    return list(sentence_addressees([chunk])[chunk.chunk_id])


def test_a_part_given_suggestions_runs_to_the_next_numbered_heading() -> None:
    assert _sections(
        "9.3. Dekkend aanbod",
        "9.3. Dekkend aanbod › 9.3.3. Suggesties op schoolniveau",
        "9.3. Dekkend aanbod › Warm overdragen",  # an unnumbered heading beside it goes on
        "9.3. Dekkend aanbod › Suggesties voor actienemer(s)",
        "9.4. Regelruimte",
        "9.4. Regelruimte › Toezichtkader aanpassen",
        "9.4. Regelruimte › 9.4.3. Suggesties op schoolniveau",
        "9.4. Regelruimte › Bijlages",  # the back matter ends it
        "9.4. Regelruimte › Tijdlijn",
    ) == [None, "scholen", "scholen", "scholen", None, None, "scholen", None, None]
    assert _sections("Tips voor gemeenten", "Voetnoten", "Tips voor ouders") == [
        "gemeenten",
        None,
        "ouders",
    ]


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        # an unnumbered part is its own section only: in a document without numbers the next
        # heading is another part
        (("Tips voor scholen", "Wat kunt u als ouder doen?"), ["scholen", None]),
        # a numbered part ends where the path goes back up or under another parent
        (("A › 2.3. Suggesties op schoolniveau", "A", "B › Verder"), ["scholen", None, None]),
        (("A › 2.3. Suggesties op schoolniveau", "B › Verder"), ["scholen", None]),
        # and at the sources
        (("A › 2.3. Suggesties op schoolniveau", "A › Literatuurlijst"), ["scholen", None]),
        (("A › 2.3. Suggesties op schoolniveau", "A › Bronnen"), ["scholen", None]),
    ],
)
def test_where_a_part_given_suggestions_ends(
    sections: tuple[str, ...], expected: list[str | None]
) -> None:
    assert _sections(*sections) == expected


def test_a_part_ends_where_the_index_lacks_a_passage() -> None:
    numbered = written_passage(
        ("Zin 1.", "statement"), sections=("A › 2.3. Suggesties op schoolniveau",)
    )
    after = replace(numbered, chunk_id="test:2", ordinal=1, sentence_sections=("A › Verder",))
    beyond = replace(after, chunk_id="test:3", ordinal=3)  # ordinal 2 is not in the index
    found = sentence_addressees([numbered, after, beyond])
    assert [found[c.chunk_id] for c in (numbered, after, beyond)] == [
        ("scholen",),
        ("scholen",),
        (None,),
    ]


def test_in_the_index_the_werkagendas_parts_for_schools_are_whole(engine: Engine) -> None:
    """From each "9.x.3. Suggesties op schoolniveau" to the next numbered heading, every
    sentence is given to schools: also those under a heading the extraction put beside it
    (a chart's label, "Warm overdragen"); no other sentence of the corpus is."""
    labelled: dict[str, list[str]] = {}
    for chunk in engine.store.chunks:
        for index, addressee in enumerate(engine.composer.addressees(chunk.chunk_id)):
            if addressee is not None:
                assert chunk.doc_id == WERKAGENDA, chunk.sentence(index)
                labelled.setdefault(addressee, []).append(chunk.sentence(index))
    assert set(labelled) == {"scholen"}
    text = " ".join(labelled["scholen"])
    for sentence in (
        "Bepaal met het team en andere betrokkenen een schooleigen koers",  # beside 9.3.3
        "Een warme overdracht helpt bij het goed regelen van de benodigde ondersteuning.",
        "Profileer als school op het gebied van inclusief onderwijs.",
    ):
        assert sentence in text, sentence
    # the appendix after the last part: its timeline and its research questions
    assert "Regie en sturing uitwerken" not in text
    assert "Effectieve vormen van inclusief onderwijs." not in text
    numbered = {
        chunk.section_at(chunk.sentences[i][0]).rsplit(" › ", 1)[-1]
        for chunk in engine.store.chunks
        for i, a in enumerate(engine.composer.addressees(chunk.chunk_id))
        if a and section_number(chunk.section_at(chunk.sentences[i][0]).rsplit(" › ", 1)[-1])
    }
    assert numbered == {f"9.{n}.3. Suggesties op schoolniveau" for n in range(1, 7)}


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
            first = max(i for i, (a, _) in enumerate(chunk.sentences) if a <= start)
            expected = engine.composer.addressees(chunk.chunk_id)[first]
            assert sentence.addressed_to == expected, sentence.text
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
        ("Tips voor ouders en scholen", True),  # parents among them: their step stays
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
    addressees = sentence_addressees([chunk])[chunk.chunk_id]
    assert addressees[0] is None  # the passage began before the heading
    units = chunk_units(chunk, engine.composer.analyzer, addressees)
    steps = {chunk.text[u.span[0] : u.span[1]]: u.next_step for u in units}
    assert steps[sentence] is step
    # Without addressees (a passage on its own) nothing is taken from the steps.
    bare = chunk_units(chunk, engine.composer.analyzer)
    assert {chunk.text[u.span[0] : u.span[1]]: u.next_step for u in bare}[sentence] is True
