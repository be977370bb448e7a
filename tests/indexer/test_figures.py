"""Figures lost in extraction: which documents show the defect, and where each figure stood."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.chunking import chunk_document
from indexer.cleaning import clean
from indexer.documents import Document, DocumentMeta, SourceFile, discover, read_document
from indexer.figures import MIN_SIGNS, gaps_within, loses_figures, lost_figures

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SOURCES = {s.doc_id: s for s in discover(CORPUS)}

# A report whose digits were lost, as the AEF report's were: the spaces around each figure stay.
LOST = (
    "Kinderen moeten vanaf  jaar naar school. De verklaring mag maximaal  maanden oud zijn.\n"
    "Voor de bekostiging wordt op  oktober gekeken of een leerling onderwijs volgt.\n"
    "Een school krijgt geen financiering indien een leerling minder dan % aanwezig is.\n"
    "Sinds  augustus  moet iedere leerling een programma volgen.\n"
    "Dit punt werd genoemd.  Daarna kwam het vervoer aan bod.\n"
    "Knelpunten:\n"
    "-  Versnippering van zorgaanbod.\n"
    "Dat gold in het schooljaar -  voor meer dan drie maanden.\n"
    "In 2020 stond 50 % van de scholen open, zie www.example.nl/a%20b voor de cijfers.\n"
    "Een zin die eindigt met twee spaties  \n"
    "en op de volgende regel doorloopt.\n"
)


def marked(text: str, gaps: Sequence[int]) -> str:
    """`text` with [getal] where each figure stood, as the page shows it."""
    out, position = [], 0
    for gap in gaps:
        out += [text[position:gap], "[getal]" if text[gap] == "%" else "[getal] "]
        position = gap
    return "".join([*out, text[position:]])


def _document(text: str, doc_id: str = "rapport") -> Document:
    source = SourceFile(path=Path(f"{doc_id}.txt"), doc_id=doc_id, sha256="0" * 64)
    return Document(meta=DocumentMeta(doc_id=doc_id, title="Rapport"), source=source, text=text)


def test_each_lost_figure_is_marked_where_it_stood() -> None:
    cleaned = clean(LOST)
    shown = marked(cleaned.text, lost_figures(LOST, cleaned))
    assert "Kinderen moeten vanaf [getal] jaar naar school." in shown
    assert "maximaal [getal] maanden oud" in shown
    assert "wordt op [getal] oktober gekeken" in shown
    assert "minder dan [getal]% aanwezig" in shown
    assert "Sinds [getal] augustus [getal] moet iedere leerling" in shown
    assert "in het schooljaar - [getal] voor meer" in shown  # a year range, mid-sentence


def test_two_spaces_that_are_no_lost_figure_stay_unmarked() -> None:
    cleaned = clean(LOST)
    shown = marked(cleaned.text, lost_figures(LOST, cleaned))
    assert "genoemd. Daarna kwam" in shown  # after the end of a sentence
    assert "\n- Versnippering" in shown  # after a list marker that opens a line
    assert "50 % van de scholen" in shown  # a figure that is still there
    assert "www.example.nl/a%20b" in shown  # a percent sign inside a word
    assert "spaties en op de volgende regel" in shown  # a line break tells nothing
    assert shown.count("[getal]") == 7


def test_a_document_with_a_few_double_spaces_keeps_its_text() -> None:
    typed = "Dit is  een slordig getypte zin. Op de  school  is het  druk.\n" * 20
    assert not loses_figures(typed)
    assert lost_figures(typed, clean(typed)) == ()


def test_the_defect_must_show_in_enough_places() -> None:
    signs = "Het kind is  jaar. " * (MIN_SIGNS - 1)
    assert not loses_figures(signs)
    assert loses_figures(signs + "Het kind is  jaar.")
    assert loses_figures("Minder dan % aanwezig. " * MIN_SIGNS)


def test_only_the_report_that_lost_its_digits_is_read_so() -> None:
    found = {
        doc_id: loses_figures(read_document(source).text) for doc_id, source in SOURCES.items()
    }
    assert found == {doc_id: doc_id == "aef-onderwijs-zorg-initiatieven" for doc_id in SOURCES}


def test_chunks_carry_their_gaps_at_the_words_after_them() -> None:
    document = read_document(SOURCES["aef-onderwijs-zorg-initiatieven"])
    chunks = chunk_document(document, clean(document.text))
    gaps = [(c, g) for c in chunks for g in c.figure_gaps]
    assert len(gaps) >= 50
    for chunk, gap in gaps:
        assert gap > 0 and chunk.text[gap - 1] == " " and not chunk.text[gap].isspace()
    texts = {marked(c.text, c.figure_gaps) for c in chunks}
    assert any("minder dan [getal]% aanwezig is" in text for text in texts)
    assert any("Kinderen moeten vanaf [getal] jaar naar school" in text for text in texts)
    # The report's own "[…]" (words left out of a quotation) is no lost figure.
    assert any("Sinds [getal] augustus [getal] moet […] iedere leerling" in t for t in texts)


def test_chunks_of_a_document_without_the_defect_have_no_gaps() -> None:
    document = _document("Het kind is  jaar. " * (MIN_SIGNS - 1))
    assert all(c.figure_gaps == () for c in chunk_document(document, clean(document.text)))


@given(
    st.lists(st.integers(0, 200), unique=True).map(sorted),
    st.integers(0, 200),
    st.integers(0, 200),
)
def test_gaps_within_a_span_are_relative_to_its_start(gaps: list[int], a: int, b: int) -> None:
    start, end = min(a, b), max(a, b)
    assert gaps_within(gaps, start, end) == tuple(g - start for g in gaps if start <= g < end)


@pytest.mark.parametrize("text", ["", "%", "  %", "a  b", "%  %"])
def test_tiny_texts_do_not_break_it(text: str) -> None:
    cleaned = clean(text * MIN_SIGNS)
    assert all(0 < g < len(cleaned.text) for g in lost_figures(text * MIN_SIGNS, cleaned))


def test_the_published_index_keeps_every_gap(engine) -> None:
    document = read_document(SOURCES["aef-onderwijs-zorg-initiatieven"])
    expected = {c.chunk_id: c.figure_gaps for c in chunk_document(document, clean(document.text))}
    stored = {c.chunk_id: c.figure_gaps for c in engine.store.chunks if c.chunk_id in expected}
    assert stored == expected
    assert not any(c.figure_gaps for c in engine.store.chunks if c.chunk_id not in expected)
