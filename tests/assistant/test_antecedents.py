"""A short answer never opens with a sentence that points back at one the reader did not get."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from assistant.answer_units import chunk_units, is_next_step
from assistant.answering import (
    Answer,
    AnswerComposer,
    Candidate,
    _Scored,
)
from assistant.engine import Engine
from assistant.intent import classify
from indexer.chunking import Chunk
from indexer.sentence_roles import SentenceRole
from tests.assistant.written import written_passage

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


# ---------------------------------------------------------------------------------------
# The selection itself, on passages written for the test, with probabilities set by hand.
# ---------------------------------------------------------------------------------------


def _select(
    engine: Engine, chunk: Chunk, probabilities: dict[int, float]
) -> tuple[list[str], list[str], list[str]]:
    """Short answer, explanation and next steps when the passage's candidates (by first
    sentence) have these probabilities; every other candidate has 0.01, too little to be taken.
    A list's items are candidates of their own; the key of the list is its lead-in's."""
    scored = sorted(
        (
            _Scored(Candidate(0, unit, ()), probabilities.get(unit.first, 0.01))
            for unit in chunk_units(chunk, engine.composer.analyzer)
        ),
        key=lambda s: -s.probability,
    )
    selection = engine.composer._select(scored)

    def texts(items: Sequence[_Scored]) -> list[str]:
        return [chunk.text[s.span[0] : s.span[1]] for s in items]

    return texts(selection.short), texts(selection.explanation), texts(selection.next_steps)


LIST = written_passage(
    ("Scholen hebben bij de ondersteuning twee taken:", "lead_in"),
    ("• basisondersteuning bieden aan alle leerlingen van de school;", "item"),
    ("• samen met ouders zoeken naar een passende plek voor hun kind.", "item"),
    ("Daardoor hoeft geen enkel kind thuis te zitten zonder onderwijs.", "statement"),
)


@pytest.mark.parametrize("item_probability", [0.5, 0.3])
def test_a_sentence_after_a_list_gets_the_whole_list_and_the_list_is_said_once(
    engine: Engine, item_probability: float
) -> None:
    # The last item alone would be a second short sentence (0.5) or an explanation (0.3).
    short, explanation, steps = _select(engine, LIST, {3: 0.9, 2: item_probability})
    assert short == [
        "Scholen hebben bij de ondersteuning twee taken: "
        "• basisondersteuning bieden aan alle leerlingen van de school; "
        "• samen met ouders zoeken naar een passende plek voor hun kind.",
        "Daardoor hoeft geen enkel kind thuis te zitten zonder onderwijs.",
    ]
    assert explanation == [] and steps == []


CHAIN = written_passage(
    ("De gemeente betaalt het vervoer naar school voor kinderen met een beperking.", "statement"),
    ("Dit geldt ook voor vervoer naar een zorglocatie in de eigen regio.", "statement"),
    ("Daarvoor is wel een verklaring van een arts of een specialist nodig.", "statement"),
    ("Sommige gemeenten vergoeden alleen de reis naar de dichtstbijzijnde school.", "statement"),
)


@pytest.mark.parametrize(("second", "third"), [(0.3, 0.25), (0.25, 0.3)])
def test_explanation_sentences_that_point_back_follow_their_sentence_in_any_order(
    engine: Engine, second: float, third: float
) -> None:
    short, explanation, _ = _select(engine, CHAIN, {0: 0.9, 1: second, 2: third, 3: 0.35})
    assert short == [CHAIN.sentence(0), CHAIN.sentence(1), CHAIN.sentence(2)]
    assert explanation == [CHAIN.sentence(3)]


def test_an_explanation_sentence_that_points_back_brings_its_sentence_while_there_is_room(
    engine: Engine,
) -> None:
    _, explanation, _ = _select(engine, CHAIN, {3: 0.9, 2: 0.3})
    assert explanation == [CHAIN.sentence(1), CHAIN.sentence(2)]  # in document order


# A sentence that stands alone, then two that point back in turn.
PLAN: tuple[tuple[str, SentenceRole], ...] = (
    ("Het samenwerkingsverband maakt een plan voor thuiszitters in de regio.", "statement"),
    ("Dit overzicht noemt de school die een leerling een plek biedt.", "statement"),
    ("Daarbij kijkt het naar de ondersteuning die de leerling nodig heeft.", "statement"),
)


def test_a_short_answer_chain_is_at_most_three_sentences_back(engine: Engine) -> None:
    chain = written_passage(
        *PLAN,
        ("Daardoor is er voor elke leerling binnen drie maanden een plek.", "statement"),
        ("Dan hoeft geen leerling langer dan drie maanden thuis te zitten.", "statement"),
    )
    # Three back from the fourth sentence reaches the first, which stands alone.
    short, _, _ = _select(engine, chain, {3: 0.9})
    assert short == [chain.sentence(i) for i in range(4)]
    # From the fifth, three back still points back: the only answer there is, so it stays,
    # four sentences at most.
    short, _, _ = _select(engine, chain, {4: 0.9})
    assert short == [chain.sentence(i) for i in range(1, 5)]


@pytest.mark.parametrize(
    ("opening", "leans_back"),
    [
        ("Deze kan een kind weigeren indien er geen plek is.", True),
        ("Hierdoor kunnen de leerlingen worden ingeschreven.", True),
        ("Dat betekent dat de school geen geld krijgt.", True),
        ("Ook deze kinderen hebben recht op onderwijs.", True),
        ("Op deze manier blijft het kind in beeld.", True),
        ("In dat geval beslist de gemeente.", True),
        ("In dat knooppunt wordt bepaald of de startklas nodig is.", True),
        ("Voor deze kinderen geldt een andere regel.", True),
        ("In deze handreiking staan twee scenario's.", False),
        ("In de regio maken scholen afspraken over de ondersteuning.", False),
        ("Op basis hiervan wordt gezamenlijk besloten wie de zorg betaalt.", True),
        ("Vanuit het samenwerkingsverband wordt hierop gestuurd.", True),
        ("Door hen wordt aangegeven dat de regels onduidelijk zijn.", True),
        ("Ook zijn zij verantwoordelijk voor het vervoer naar school.", True),
        ("Met dit themaonderzoek wil de inspectie scholen helpen.", False),
        ("Deze plannen zijn klaar voor de zomer.", False),
        ("Ook scholen die niet meedoen krijgen geld.", False),  # a relative "die"
        ("In de tabel hieronder staat het overzicht.", False),  # "hieronder" points ahead
        ("Deze handreiking beschrijft twee scenario's.", False),
        ("Dit schooljaar is er een bijdrage van elke school.", False),
        ("Dat beide stelsels verschillen, maakt samenwerking lastig.", False),
        ("Daarnaast mogen scholen geen geld inzetten op een zorglocatie.", False),
        ("Ook mag een samenwerkingsverband geen leraar inzetten.", False),
        ("Uiteraard mits dit wordt onderbouwd in het OPP van de leerling.", True),
        ("Tenzij de ouders bezwaar maken.", True),
        ("Mitsdien is de school gehouden aan de regels.", False),
        ("Vanaf deze leeftijd zijn zij leerplichtig.", True),
        ("Om dat te kunnen doen is ook financiering nodig.", True),
        ("Op die drie niveaus wordt invulling gegeven aan de lijnen.", True),
        ("Omwille van deze feiten is een werkwijze nodig.", True),
        ("Op dit moment lopen er verschillende onderzoeken.", False),  # "now"
        ("Op de scholen is er meer ruimte nodig.", False),
        ("Tot deze handreiking behoren twee bijlagen.", False),  # the document itself
        ("Daarnaast kan dit budget gebruikt worden voor vervoer.", True),
        ("Verder krijgen ze begeleiding van twee begeleiders.", True),
        ("Zo zijn zij verplicht het jeugdplan af te stemmen.", True),
        ("Daarnaast is het belangrijk dat scholen samenwerken.", False),  # "that", not "those"
        ("Ook ontvangen sommige kinderen die naar school gaan begeleiding.", False),  # relative
        ("Daarnaast beschrijft deze handreiking de financiering.", False),  # the document
        ("Daarnaast lopen er op dit moment twee pilots.", False),  # "now"
        ("In deze tijd is dat lastig voor veel scholen.", False),
        ("Daarnaast kunnen scholen hun eigen beleid maken.", False),  # their own
        ("Ook is hun belastbaarheid wisselend.", True),
        ("Daarnaast ondersteunt de school hen.", True),
        ("Ondanks dat het kind ziek is, moet het naar school.", False),  # "although"
        ("Zo’n regeling bestaat niet in elke gemeente.", True),
        ("Tot die tijd blijft hij thuis.", True),
    ],
)
def test_which_openings_point_back(engine: Engine, opening: str, leans_back: bool) -> None:
    (unit,) = chunk_units(written_passage((opening, "statement")), engine.composer.analyzer)
    assert unit.leans_back is leans_back


def test_a_second_answer_that_would_make_the_short_answer_too_long_explains_instead(
    engine: Engine,
) -> None:
    passage = written_passage(
        *PLAN,
        ("De gemeente betaalt het vervoer naar de nieuwe school van de leerling.", "statement"),
        ("Daarvoor is wel een verklaring van een arts of een specialist nodig.", "statement"),
    )
    short, explanation, _ = _select(engine, passage, {2: 0.9, 4: 0.5})
    assert short == [passage.sentence(0), passage.sentence(1), passage.sentence(2)]
    assert explanation == [passage.sentence(3), passage.sentence(4)]


def test_an_explanation_sentence_does_not_move_into_a_full_short_answer(engine: Engine) -> None:
    passage = written_passage(
        *PLAN,
        ("Daarmee heeft elke leerling binnen zes weken een nieuwe school.", "statement"),
        ("De gemeente betaalt het vervoer naar de nieuwe school van de leerling.", "statement"),
    )
    short, explanation, _ = _select(engine, passage, {2: 0.9, 4: 0.5, 3: 0.3})
    assert short == [passage.sentence(i) for i in (0, 1, 2, 4)]
    assert explanation == [passage.sentence(3)]


@pytest.mark.parametrize(
    ("sentence", "role", "step"),
    [
        # What a parent can do, or where a parent or a child can turn (sentences of the corpus).
        (
            "Als er een kind bijvoorbeeld vanwege autismespectrumstoornis niet op een gewone wc "
            "gaat zitten, kunnen ouders zelf een potje meegeven.",
            "statement",
            True,
        ),
        (
            "Wanneer kinderen niet op hun plek zijn in het regulier onderwijs, kunnen zij op het "
            "speciaal onderwijs terecht, veelal cluster scholen.",
            "statement",
            True,
        ),
        (
            "Kinderen die door hun beperking vervoer nodig hebben om naar een zorg- of "
            "onderwijslocatie te gaan, kunnen dit aanvragen bij de gemeente.",
            "statement",
            True,
        ),
        (
            "Kinderen en jongvolwassenen kunnen hier terecht voor een maatwerktraject.",
            "statement",
            True,
        ),
        ("Aanvraag doen bij de gemeente.", "item", True),
        ("Daarnaast kunnen ouders zelf een potje meegeven voor hun kind.", "statement", True),
        (
            "Bent u het niet eens met het besluit, dan kunt u bezwaar maken bij de gemeente.",
            "statement",
            True,
        ),
        (
            "Ouders kunnen niet alleen bij de school terecht, maar ook bij het "
            "samenwerkingsverband.",
            "statement",
            True,
        ),
        ("Als het niet lukt, neem dan contact op met de school van uw kind.", "statement", True),
        ("Lukt het niet, dan kunt u terecht bij het Onderwijsloket.", "statement", True),
        # Not a step: about an organisation, a research question, or what cannot be done; "je"
        # (professionals addressed), "contact met de ouders", "terecht komen" (end up).
        ("Je kunt zo makkelijk zien of de stakeholder betrokken is.", "statement", False),
        ("De school heeft regelmatig contact met de ouders.", "statement", False),
        ("Sommige kinderen komen op een zorglocatie terecht, anderen thuis.", "statement", False),
        ("Zo kunnen ouders hun kind zelf naar het initiatief brengen.", "narrative", False),
        (
            "Het inventariseert gedurende deze periode bestaande vragen en behoeften van zowel "
            "startende als bestaande initiatieven.",
            "statement",
            False,
        ),
        (
            "In de periode september – december 2022 faciliteert het Steunpunt Passend Onderwijs "
            "de beweging die met deze handreiking in gang wordt gezet.",
            "statement",
            False,
        ),
        (
            "Daar waar kinderen zonder beperking na school terecht kunnen op een buitenschoolse "
            "opvang, geldt dat voor deze kinderen vaak niet.",
            "statement",
            False,
        ),
        (
            "De moederscholen zijn bekend bij de voorscholen, zodat zij samen met ouders kunnen "
            "bepalen welke school het beste past.",
            "statement",
            False,
        ),
        (
            "De gemeente heeft het proces zo ingeregeld, dat een aanvraag alleen via het "
            "samenwerkingsverband kan lopen.",
            "statement",
            False,
        ),
    ],
)
def test_a_next_step_says_what_a_parent_can_do_or_where_to_turn(
    sentence: str, role: SentenceRole, step: bool
) -> None:
    assert is_next_step(sentence, role) is step


# Sentences 1 and 3 point back at a question (no candidate); 2 stands alone.
QUESTIONED = written_passage(
    ("Wie betaalt de begeleiding in de klas?", "question"),
    ("Deze wordt betaald uit de Jeugdwet of de Wlz van het kind.", "statement"),
    ("De gemeente betaalt de begeleiding die een kind in de klas nodig heeft.", "statement"),
    ("Is het een vraag van de school?", "question"),
    ("Dan betaalt het samenwerkingsverband de begeleiding in de klas.", "statement"),
)


@pytest.mark.parametrize(
    ("probabilities", "short", "explanation"),
    [
        ({1: 0.9, 2: 0.6}, [2], [1]),  # another answer there is: the one pointing back explains
        ({1: 0.9}, [1], []),  # the only answer there is stays
        ({1: 0.9, 4: 0.6}, [1], [4]),  # every answer points back: the best one stays
    ],
)
def test_a_sentence_pointing_back_at_no_candidate_explains_instead(
    engine: Engine, probabilities: dict[int, float], short: list[int], explanation: list[int]
) -> None:
    got_short, got_explanation, _ = _select(engine, QUESTIONED, probabilities)
    assert got_short == [QUESTIONED.sentence(i) for i in short]
    assert got_explanation == [QUESTIONED.sentence(i) for i in explanation]


def test_a_notes_first_sentence_has_no_sentence_of_another_note_to_point_back_at(
    engine: Engine,
) -> None:
    # The handreiking's notes 2 and 3 share a passage: "Een overzicht … website van het NJi."
    # ends note 2, and note 3 opens "Daar waar in deze handreiking ouders staat geschreven".
    (chunk,) = [
        c
        for c in engine.store.chunks
        if c.kind == "footnote" and "Daar waar in deze handreiking ouders" in c.text
    ]
    units = {
        chunk.text[u.span[0] : u.span[1]][:30]: u
        for u in chunk_units(chunk, engine.composer.analyzer)
    }
    opening = units["Daar waar in deze handreiking "]
    assert opening.leans_back and opening.opens_note
    assert not units["Iemand die een pgb krijgt, bep"].opens_note  # note 6's second sentence
