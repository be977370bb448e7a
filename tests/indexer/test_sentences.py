from __future__ import annotations

from pathlib import Path

import pytest

from indexer.chunking import chunk_document, footnote_numbers
from indexer.cleaning import clean
from indexer.documents import discover, read_document
from indexer.sentences import split_sentences

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.mark.parametrize(
    ("text", "notes", "sentences"),
    [
        # a footnote's number set apart after a full stop belongs to neither sentence
        (
            "Ze hoeven niet naar school. 3 Sommige kinderen zitten thuis.",
            {"3"},
            ["Ze hoeven niet naar school.", "Sommige kinderen zitten thuis."],
        ),
        # a number the document has no footnote of is the next sentence's own
        (
            "De stappen zijn als volgt. 1 Aanmelden bij de school. 2 Onderzoek doen.",
            {"3"},
            ["De stappen zijn als volgt.", "1 Aanmelden bij de school.", "2 Onderzoek doen."],
        ),
        (
            "Ze hoeven niet naar school. 3 Sommige kinderen zitten thuis.",
            set(),
            ["Ze hoeven niet naar school.", "3 Sommige kinderen zitten thuis."],
        ),
        # glued to the full stop, it stays with its sentence, as printed
        ("Dit plaatsvindt.2 Julia zit thuis.", set(), ["Dit plaatsvindt.2", "Julia zit thuis."]),
        # and glued to the quote mark that closes the sentence
        (
            "Er staat: “U kunt het aanvragen.”50 Per gemeente verschilt het.",
            set(),
            ["Er staat: “U kunt het aanvragen.”50", "Per gemeente verschilt het."],
        ),
        ("Zij vindt.’1 Verder is het klaar.", set(), ["Zij vindt.’1", "Verder is het klaar."]),
        # after a figure, or before a word in lower case, a number is the sentence's own
        ("Het waren er 12. 5 Daarvan gingen.", {"5"}, ["Het waren er 12.", "5 Daarvan gingen."]),
        ("Zie hier. 3 kinderen gaan.", {"3"}, ["Zie hier.", "3 kinderen gaan."]),
    ],
)
def test_footnote_numbers_between_sentences(
    text: str, notes: set[str], sentences: list[str]
) -> None:
    assert [text[a:b] for a, b in split_sentences(text, frozenset(notes))] == sentences


def test_the_aef_reports_footnote_numbers_open_no_sentence() -> None:
    (source,) = [s for s in discover(CORPUS) if s.doc_id == "aef-onderwijs-zorg-initiatieven"]
    document = read_document(source)
    sentences = [
        c.sentence(i)
        for c in chunk_document(document, clean(document.text))
        for i in range(len(c.sentences))
    ]
    assert any(
        s.startswith("Sommige van deze kinderen komen bij tussenvarianten") for s in sentences
    )
    assert not any(s.startswith(("3 Sommige", "5 Denk")) for s in sentences)


def test_the_footnote_numbers_of_a_document_are_those_its_footnotes_open_with() -> None:
    text = "De school beslist.\n\n3 Kamerbrief over thuiszitters.\n\n12 Zie de wet.\n"
    assert footnote_numbers(clean(text)) == {"3", "12"}
