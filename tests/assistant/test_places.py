"""One municipality's example: the corpus's municipalities, the sentences that tell about one,
and the answer's sentences that carry it."""

from __future__ import annotations

import pytest

from assistant.engine import Engine
from assistant.places import Gazetteer, municipalities

TEXTS = (
    "De gemeente Amersfoort heeft het proces zo ingeregeld. Ook de gemeente Utrechtse "
    "Heuvelrug en de gemeente Sittard-Geleen doen dat.",
    "Dat regelt de gemeente\nIn de praktijk gaat het in veel gevallen anders.",  # no name
    "Dat regelt de gemeente\nNederland telt veel gemeenten.",  # a line's end: no name
    "Neem contact op met de gemeente Leiden. Wie gaat leiden?",  # also a verb: no name
    "Kijk op www.rotterdam.nl of bij de gemeente Rotterdam.",  # a web address is no word
    "Mail naar leerplicht@breda.nl of kijk op breda.nl/onderwijs; de gemeente Breda helpt.",
    "De gemeente SWV en de gemeente Sittard-\nGeleen.",  # an acronym, a word broken at a line
    "In de gemeente Bergen op Zoom, de gemeente Den Haag en de gemeente 's-Hertogenbosch.",
)


def test_the_municipalities_are_the_names_written_after_gemeente_and_never_in_lower_case() -> None:
    assert municipalities(TEXTS) == {
        "Amersfoort",
        "Utrechtse Heuvelrug",
        "Sittard-Geleen",
        "Rotterdam",
        "Breda",
        "Bergen op Zoom",
        "Den Haag",
        "'s-Hertogenbosch",
    }


@pytest.mark.parametrize(
    ("sentence", "named"),
    [
        ("De gemeente Amersfoort heeft het proces zo ingeregeld.", "Amersfoort"),
        ("Zo vindt een leerrechtpilot plaats in Rotterdam waarbij …", "Rotterdam"),
        ("In Rotterdam voelen onderwijs en gemeente zich samen verantwoordelijk.", "Rotterdam"),
        ("Op de website van de gemeente Utrechtse\nHeuvelrug staat …", "Utrechtse Heuvelrug"),
        ("De gemeente Sittard-Geleen is recent begonnen met een pilot.", "Sittard-Geleen"),
        # in a name or an aside the sentence may state a general rule
        ("Een samenwerkingsverband kan met één gemeente werken (denk aan SWV Rotterdam).", None),
        ("Hogeschool Amersfoort leidt leraren op.", None),
        ("Geïnspireerd door initiatieven (bv. Stichting MEES in Breda) startte het project.", None),
        ("In de gemeente Rotterdam en in Breda gaat het zo.", "Rotterdam en Breda"),
        ("In de gemeente Bergen op Zoom is een pilot gestart.", "Bergen op Zoom"),
        ("In Rotterdamse scholen …", None),  # another word
        ("De gemeente beslist over leerlingenvervoer.", None),
    ],
)
def test_a_sentence_tells_about_a_municipality_it_names_as_one_or_as_a_place(
    sentence: str, named: str | None
) -> None:
    assert Gazetteer(municipalities(TEXTS)).named(sentence) == named


def test_an_empty_gazetteer_names_nothing() -> None:
    assert Gazetteer(()).named("De gemeente Amersfoort heeft het zo geregeld.") is None


def test_the_corpus_names_its_municipalities(engine: Engine) -> None:
    names = municipalities(chunk.text for chunk in engine.store.chunks)
    assert {"Amersfoort", "Rotterdam", "Utrecht", "Utrechtse Heuvelrug", "Sittard-Geleen"} <= names
    assert {"In", "Gebrek", "Leiden"}.isdisjoint(names)  # a sentence's opener, a noun, a verb


# Questions a parent could type, written for this test from the report's examples of one
# municipality's way of working; none of them a question of an evaluation set.
PARENTS = (
    "hoe vraag ik bij de gemeente een vrijstelling van de leerplicht aan voor mijn kind",
    "kan er een leraar naar het kinderdagcentrum van mijn kind komen",
    "praat het wijkteam ook met de school van mijn zoon",
)


def test_answer_sentences_carry_the_municipality_they_tell_about(engine: Engine) -> None:
    named = 0
    for question in PARENTS:
        for sentence in engine.ask(question).sentences:
            if sentence.municipality is not None:
                assert sentence.municipality in " ".join(sentence.text.split())
                named += 1
    assert named >= 2, "no answer told about one municipality"
