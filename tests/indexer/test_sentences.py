from __future__ import annotations

from pathlib import Path

import pytest

from indexer.chunking import chunk_document
from indexer.cleaning import clean
from indexer.documents import discover, read_document
from indexer.sentences import split_sentences

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _split(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # a footnote's number set apart after a full stop belongs to neither sentence
        (
            "Ze hoeven niet naar school. 3 Sommige kinderen zitten thuis.",
            ["Ze hoeven niet naar school.", "Sommige kinderen zitten thuis."],
        ),
        # glued to the full stop, it stays with its sentence, as printed
        ("Dit plaatsvindt.2 Julia zit thuis.", ["Dit plaatsvindt.2", "Julia zit thuis."]),
        # after a figure, or before a word in lower case, a number is the sentence's own
        ("Het waren er 12. 5 Daarvan gingen.", ["Het waren er 12.", "5 Daarvan gingen."]),
        ("Zie hier. 3 kinderen gaan.", ["Zie hier.", "3 kinderen gaan."]),
    ],
)
def test_footnote_numbers_between_sentences(text: str, sentences: list[str]) -> None:
    assert _split(text) == sentences


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
