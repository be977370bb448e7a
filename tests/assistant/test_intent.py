"""What a question asks, and the cues of the sentences that answer each kind."""

from __future__ import annotations

import pytest

from assistant.answer_model import sentence_cues
from assistant.intent import (
    asking_sentence,
    asks_personally,
    classify,
    follow_up_context,
    needs_context,
)


@pytest.mark.parametrize(
    ("question", "kind", "figure"),
    [
        # A figure told in a yes/no question does not make it a figure question.
        ("Mijn zoon kan maar 3 uur per dag naar school. Mag dat?", "yes_no", "any"),
        ("Mag de school mijn dochter weigeren omdat ze vol zit?", "yes_no", "any"),
        ("Is het toegestaan dat mijn kind alleen 's ochtends naar school gaat?", "yes_no", "any"),
        ("Moet ik mijn zoon dan zelf thuis lesgeven?", "yes_no", "any"),
        ("Wie betaalt de begeleiding op school?", "who", "any"),
        ("Wie beslist of mijn kind wordt toegelaten?", "who", "any"),
        ("Wat kan ik doen als de school mijn kind weigert?", "action", "any"),
        ("Waar kan ik terecht met vragen over passend onderwijs?", "action", "any"),
        ("Kunnen we ergens hulp krijgen bij het zoeken naar een school?", "action", "any"),
        ("Wat is een ontwikkelingsperspectief?", "definition", "any"),
        ("wat betekent zorgplicht eigenlijk", "definition", "any"),
        ("Hoeveel uur onderwijs moet een kind per jaar krijgen?", "figure", "hours"),
        ("Hoe lang duurt een vrijstelling?", "figure", "duration"),
        ("Welk bedrag krijgt de school voor mijn kind?", "figure", "money"),
        ("Bestaan er scholen waar zorg en onderwijs samen gaan?", "example", "any"),
        ("Is er een voorbeeld van een gemeente die dit goed regelt?", "example", "any"),
        ("Hoe zit het met de bekostiging van een leerling met een vrijstelling?", "open", "any"),
    ],
)
def test_the_question_kind_is_what_is_asked(question, kind, figure) -> None:
    intent = classify(question)
    assert (intent.kind, intent.figure) == (kind, figure)


def test_the_asking_sentence_is_the_one_with_the_question_mark() -> None:
    question = "Mijn zoon kan maar 3 uur per dag naar school. Mag dat? Ik maak me zorgen."
    assert asking_sentence(question) == "Mag dat?"
    assert asking_sentence("wie betaalt dat") == "wie betaalt dat"


@pytest.mark.parametrize(
    ("sentence", "cue"),
    [
        # Real sentences of the corpus, one for each kind of answer.
        ("Het schoolbestuur bepaalt of het kind wordt toegelaten.", "party"),
        ("De gemeente betaalt hulp en ondersteuning vanuit de Jeugdwet.", "party"),
        (
            "In beginsel mag een school een aanmelding alleen weigeren, nadat het bevoegd gezag "
            "overlegd heeft met de ouders.",
            "rule",
        ),
        (
            "De ouders moeten hiervoor een kennisgeving sturen naar de gemeente, met daarbij een "
            "verklaring van een arts.",
            "rule",
        ),
        (
            "Voor vervoer naar een onderwijslocatie kunnen ouders bij de gemeente aankloppen.",
            "action",
        ),
        ("Dit team is beschikbaar voor begeleiding en advies.", "action"),
        ("Een thuiszitter is een leerplichtige jongere die niet naar school gaat.", "definition"),
        (
            "Het is voor scholen niet duidelijk wanneer aan de zorgplicht is voldaan.",
            "problem",
        ),
    ],
)
def test_sentences_show_the_cue_of_their_kind(sentence, cue) -> None:
    cues = sentence_cues(sentence)
    assert getattr(cues, cue) > 0


def test_cues_do_not_depend_on_case() -> None:
    sentence = "Volgens De Wet Moet Het Samenwerkingsverband Dit Betalen."
    assert (
        sentence_cues(sentence)
        == sentence_cues(sentence.upper())
        == sentence_cues(sentence.lower())
    )
    assert sentence_cues(sentence).rule > 0 and sentence_cues(sentence).party == 1.0


def test_a_sentence_that_only_tells_a_problem_has_no_action_cue() -> None:
    cues = sentence_cues("Het is voor scholen niet duidelijk wanneer aan de zorgplicht is voldaan.")
    assert cues.action == 0 and cues.party == 0.5  # names a party, not one that acts


@pytest.mark.parametrize(
    ("question", "follows_up"),
    [
        ("En wie betaalt dat dan?", True),
        ("En hoe lang duurt dat?", True),
        ("Mag hij dan thuisblijven?", True),
        ("Wie betaalt de verpleging van mijn zoon op school?", False),
        ("Wat is een ontwikkelingsperspectiefplan?", False),
    ],
)
def test_a_follow_up_is_recognised(question, follows_up) -> None:
    assert needs_context(question) is follows_up


def test_the_earlier_turns_fill_in_only_what_a_follow_up_leaves_open() -> None:
    history = ["Mijn autistische zoon wordt door de school geweigerd.", "Wie betaalt dat dan?"]
    assert follow_up_context("Wat is een ontwikkelingsperspectief?", history) == ""
    # The last turn was a follow-up itself: the question it followed fills in too.
    assert follow_up_context("En hoe lang duurt dat?", history) == " ".join(history)
    assert follow_up_context("En hoe lang duurt dat?", history[:1]) == history[0]


@pytest.mark.parametrize(
    ("question", "personal"),
    [
        ("mag de school mijn zoon weigeren", True),
        ("Wij willen thuisonderwijs, kan dat?", True),
        ("wie betaalt de taxi naar school", True),  # typed in lower case, as in a chat
        ("Wanneer ontstaat de zorgplicht van het schoolbestuur?", False),
        ("Welke rol heeft de leerplichtambtenaar bij vrijstelling?", False),
    ],
)
def test_a_parents_question_is_recognised(question: str, personal: bool) -> None:
    assert asks_personally(question) is personal
