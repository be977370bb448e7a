"""Sentence roles on real sentences of the corpus: only whole statements are answer candidates."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.chunking import chunk_document
from indexer.cleaning import clean
from indexer.documents import discover, read_document
from indexer.sentence_roles import mark_duplicates, person_names, sentence_roles

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SOURCES = {s.doc_id: s for s in discover(CORPUS)}


def _roles(*sentences: str) -> tuple[str, ...]:
    return sentence_roles(list(sentences), footnotes=False, names=frozenset({"Julia"}))


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        ("Het schoolbestuur bepaalt of het kind wordt toegelaten.", "statement"),
        ("De ouders moeten hiervoor een kennisgeving sturen naar de gemeente.49", "statement"),
        (
            "7 Zie www.samennaarschoolinitiatieven.nl voor een overzicht van de geldstromen.",
            "footnote",
        ),
        ("50 https://www.regelhulp.nl/onderwerpen/onderwijs", "footnote"),
        ("https://www.onderwijsinspectie.nl/onderwerpen/speciaal-onderwijs", "link"),
        ("Tevens moeten scholen beschrijven welke", "fragment"),
        # its opening stands elsewhere (a page break, a table) or was lost
        ("kinderen een beperkt aantal uur naar school gaan.", "fragment"),
        ("e-mail is voor ouders de snelste weg naar de school.", "statement"),
        ("iPads worden in de klas gebruikt.", "statement"),
        ("o terugplaatsen;", "item"),
        ("Julia zit ten tijde van de uitzending al vier maanden thuis.", "narrative"),
        ("“Het gaat me niet om een diploma voor mijn zoon.”", "narrative"),
        ("Wat betekent dit voor de school?", "question"),
        ("• Onderwijs moet waarden van respect bevorderen.", "item"),
    ],
)
def test_real_sentences_get_their_role(sentence, role) -> None:
    assert _roles(sentence) == (role,)


def test_a_lead_in_is_one_only_when_its_list_follows() -> None:
    lead = "De VN verdragen leveren de volgende kaders voor inclusief onderwijs:"
    item = "• Onderwijs moet waarden van respect en verdraagzaamheid bevorderen."
    assert _roles(lead, item) == ("lead_in", "item")
    # At the end of a passage its items are elsewhere: a lead-in alone says nothing.
    assert _roles(item, lead) == ("item", "fragment")


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        # a note that explains is read like any sentence: an answer may quote it
        (
            "Een persoonsgebonden budget (pgb) is een bedrag waarmee iemand zelf zorg of "
            "ondersteuning inkoopt.",
            "statement",
        ),
        ("Het praktijkonderwijs is hier momenteel nog een uitzondering op.", "statement"),
        # a note that names a source is a footnote's text
        ("Kamerstukken II / , , nr. (MvT), p. .", "footnote"),
        ("Artikel . lid onder a Jw.", "footnote"),
        ("Actieplan Ontwikkeling en onderwijs voor kinderen met EMB (juni ).", "footnote"),
        ("De ontwikkeling en positionering van KDC’s in het huidige zorglandschap.", "footnote"),
        (
            "Zie www.samennaarschoolinitiatieven.nl voor een overzicht van de geldstromen "
            "rondom jeugdhulp en zorg.",
            "footnote",
        ),
        (
            "Brief van de staatssecretaris aan de Tweede Kamer d.d. november , https://zoek.nl",
            "footnote",
        ),
        ("Dit wordt georganiseerd.", "footnote"),  # too short to explain
        # a source named with a verb that states is still a source
        ("Art. 8 lid 1 van de wet bepaalt dat dit zo is.", "footnote"),
        ("Rb. Den Haag heeft in die zaak een uitspraak gedaan.", "footnote"),
        ("Zie de brief waarin wordt uitgelegd hoe het werkt.", "footnote"),
        (
            "Eind heeft minister Slob aangekondigd hier verandering in te gaan brengen; "
            "https://www.rijksoverheid.nl/actueel",
            "footnote",
        ),
        # a chapter's one-word title that a number made look like a note, run into its text
        ("Tijdsbeheersing In dit hoofdstuk wordt omschreven wat de planning is.", "footnote"),
        # a date kept whole is part of what the note says
        (
            "Hiermee sluiten we aan bij het advies van de Onderwijsraad Steeds inclusiever "
            "(juni 2020) en het VN-verdrag Handicap.",
            "statement",
        ),
        ("In Nederland worden verschillende termen gehanteerd voor KDC’s.", "statement"),
    ],
)
def test_a_footnote_passages_sentence_is_quotable_when_it_explains(
    sentence: str, role: str
) -> None:
    assert sentence_roles([sentence], footnotes=True) == (role,)


def test_a_footnotes_number_opens_none_of_its_sentences() -> None:
    document = read_document(SOURCES["samen-naar-school-handreiking"])
    notes = [c for c in chunk_document(document, clean(document.text)) if c.kind == "footnote"]
    sentences = {c.sentence(i): c.sentence_roles[i] for c in notes for i in range(len(c.sentences))}
    pgb = "Een persoonsgebonden budget (pgb) is een bedrag waarmee iemand zelf zorg of"
    assert [r for s, r in sentences.items() if s.startswith(pgb)] == ["statement"]
    assert not any(s[:1].isdigit() for s in sentences)
    # the number stays in the passage, before the sentence
    assert any(c.text.startswith("1 De huidige wetgeving") for c in notes)


def test_a_sentence_repeated_with_one_word_changed_is_a_duplicate() -> None:
    first = ["Het samenwerkingsverband stelt een budget beschikbaar voor de extra ondersteuning."]
    again = ["Het samenwerkingsverband stelt een bedrag beschikbaar voor de extra ondersteuning."]
    roles = mark_duplicates([first, again], [("statement",), ("statement",)])
    assert roles == [("statement",), ("duplicate",)]


def test_the_children_of_the_case_stories_are_found_by_name() -> None:
    text = read_document(SOURCES["aef-onderwijs-zorg-initiatieven"]).text
    names = person_names(text)
    assert {"Julia", "Kiki"} <= names
    # Places, laws and sentence-initial adverbs are no people.
    assert not names & {"Jeugdwet", "Rotterdam", "Nederland", "Tegelijkertijd", "Daarnaast"}


def test_the_index_keeps_every_sentence_with_its_role_and_original_span() -> None:
    document = read_document(SOURCES["werkagenda-inclusief-onderwijs-2035"])
    chunks = chunk_document(document, clean(document.text))
    for chunk in chunks:
        assert len(chunk.sentence_roles) == len(chunk.sentences) == len(chunk.sentence_origins)
        for (a, b), (start, end) in zip(chunk.sentences, chunk.sentence_origins, strict=True):
            assert chunk.char_start <= start < end <= chunk.char_end
            first_word = chunk.text[a:b].split()[0]
            assert document.text[start:end].split()[0][:3] == first_word[:3] or first_word == "•"
    roles = {r for c in chunks for r in c.sentence_roles}
    assert {"statement", "item", "fragment"} <= roles
    fragment = "Tevens moeten scholen beschrijven welke"
    assert any(
        c.sentence(i) == fragment and c.sentence_roles[i] == "fragment"
        for c in chunks
        for i in range(len(c.sentences))
    )
