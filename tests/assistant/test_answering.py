"""Pure parts of answer composition: rules, parties and the expected answer type."""

from __future__ import annotations

import pytest

from assistant.answer_types import answer_type, fits_answer_type
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
        ("Hoeveel uur les moet mijn kind krijgen?", "hours"),
        ("Hoeveel kinderen zitten er in de klas?", "count"),
        ("Hoe lang blijft een vrijstelling geldig?", "duration"),
        ("Binnen welke termijn moet de school beslissen?", "duration"),
        ("Welk bedrag krijgt de school?", "money"),
        ("Hoeveel geld krijgen we per jaar?", "money"),
        ("Welk percentage gaat naar speciaal onderwijs?", "percentage"),
        ("Wat is het telefoonnummer van het steunpunt?", "contact"),
        ("Mag de school mijn zoon weigeren?", "any"),
        ("Welk budget stelt het samenwerkingsverband beschikbaar?", "any"),
        # Several things asked: the first one decides.
        ("Hoeveel kinderen zitten erin, en hoe lang duurt het?", "count"),
        ("Hoe lang duurt het, en hoeveel kinderen zitten erin?", "duration"),
    ],
)
def test_the_expected_answer_type_is_recognised(question, kind) -> None:
    assert answer_type(question) == kind


@pytest.mark.parametrize(
    ("sentence", "kind", "fits"),
    [
        ("Het onderwijs gebeurt in een kleine groep (12 leerlingen).", "count", True),
        ("De school krijgt twee keer zoveel.", "count", True),
        ("De school krijgt extra geld.", "count", False),
        ("Dit staat in een beleidsregel uit 2018.", "count", False),  # a year is no count
        ("Dat is geregeld in de wetgeving.44", "count", False),  # nor a footnote marker
        ("Dat staat op de website: “Meld het bij de gemeente.”51", "count", False),
        ("Zo vindt elke leerling zijn plek.’1", "count", False),
        ("Is dat wel zo?51", "count", False),
        ("Er zijn scholen voor speciaal onderwijs:12", "count", False),
        ("De les begint om 8:30 uur.", "hours", True),
        ('De termijn is "6 weken".', "duration", True),  # an opening quote keeps its figure
        ("De termijn is “6 weken”.", "duration", True),
        ("Er zijn ruim 1.200 thuiszitters.", "count", True),
        ("Een aanvraag geldt voor het lopende schooljaar.", "duration", False),
        ("Een vrijstelling geldt voor één schooljaar.", "duration", True),
        ("De school beslist binnen 6 weken.", "duration", True),
        ("Er is minimaal 940 uur onderwijs per jaar.", "hours", True),
        ("De onderwijstijd is verplicht.", "hours", False),
        ("Het samenwerkingsverband ontvangt € 5.000 per leerling.", "money", True),
        ("Het samenwerkingsverband ontvangt een bedrag per leerling.", "money", False),
        ("Het doel is 2 procent minder.", "percentage", True),
        ("In 2035 gaat minder naar het gespecialiseerd onderwijs.", "percentage", False),
        ("Bel het steunpunt.", "contact", False),
        ("Kijk op www.steunpunt.nl.", "contact", True),
        ("Wat dan ook.", "any", True),
    ],
)
def test_a_sentence_answers_a_typed_question_only_with_such_an_expression(
    sentence, kind, fits
) -> None:
    assert fits_answer_type(sentence, kind) is fits
