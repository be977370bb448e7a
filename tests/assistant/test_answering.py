"""Pure parts of answer composition: rules, parties and the expected answer type."""

from __future__ import annotations

import pytest

from assistant.answering import answer_type, fits_answer_type
from assistant.references import extract_parties, extract_rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "De ‘Beleidsregel inzake het instemmen met afwijking onderwijstijd’ van de Inspectie "
            "van het Onderwijs uit 2018 geeft ruimte.",
            ("Beleidsregel inzake het instemmen met afwijking onderwijstijd (2018)",),
        ),
        ("volgens artikel 9 lid 9 WPO mag dat", ("artikel 9 lid 9 WPO",)),
        (
            "zie artikel 11, lid 2 van de Leerplichtwet en de Jeugdwet",
            ("artikel 11, lid 2 van de Leerplichtwet", "Jeugdwet"),
        ),
        ("een vrijstelling op grond van 5 onder a", ("5 onder a",)),
        ("De Zvw betaalt verpleging, de Wlz langdurige zorg; de Zvw niet.", ("Zvw", "Wlz")),
        ("Hier staat geen regel in.", ()),
    ],
)
def test_rules_named_in_a_passage_are_extracted_in_order(text, expected) -> None:
    assert extract_rules(text) == expected


def test_parties_are_recognised_by_their_common_names() -> None:
    text = "Het samenwerkingsverband overlegt met de gemeente, het zorgkantoor en de ouders."
    assert extract_parties(text) == ("samenwerkingsverband", "gemeente", "zorgkantoor", "ouders")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Hoeveel uur les moet mijn kind krijgen?", "quantity"),
        ("Hoe lang blijft een vrijstelling geldig?", "quantity"),
        ("Welk bedrag krijgt de school?", "quantity"),
        ("Wat is het telefoonnummer van het steunpunt?", "contact"),
        ("Mag de school mijn zoon weigeren?", "any"),
    ],
)
def test_the_expected_answer_type_is_recognised(question, kind) -> None:
    assert answer_type(question) == kind


def test_a_quantity_question_needs_a_sentence_with_a_number() -> None:
    assert fits_answer_type("De school krijgt twee keer zoveel.", "quantity")
    assert fits_answer_type("Dat duurt 6 weken.", "quantity")
    assert not fits_answer_type("De school krijgt extra geld.", "quantity")
    assert not fits_answer_type("Bel het steunpunt.", "contact")
    assert fits_answer_type("Kijk op www.steunpunt.nl.", "contact")
