"""Relevance on original spans: whitespace collapsing, offset mapping and the overlap rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.relevance import (
    Evidence,
    QuoteLocator,
    Span,
    collapse_with_origin,
    covered_quotes,
    covers_quote,
    find_occurrences,
    is_relevant,
    locate_in_span,
    relevant_chunk_ids,
)

ROOT = Path(__file__).resolve().parents[2]


def _evidence(doc_id: str, text: str, quote: str) -> Evidence:
    occurrences = find_occurrences(collapse_with_origin(text), quote)
    assert occurrences, "test quote must occur"
    return Evidence(doc=doc_id, quote=quote, occurrences=occurrences)


def test_collapse_keeps_a_map_to_the_original() -> None:
    collapsed = collapse_with_origin("a  b\n\tc ")
    assert collapsed.text == "a b c "
    assert collapsed.origin == (0, 1, 3, 4, 6, 7)
    assert collapsed.original_span(2, 5) == Span(3, 7)


def test_quote_over_a_line_break_and_hyphen_maps_to_original_offsets() -> None:
    text = "Kosten voor onderwijs-\nhuisvesting   en\n\nvervoer. Daarna meer."
    spans = find_occurrences(collapse_with_origin(text), "onderwijs- huisvesting en  vervoer.")
    assert len(spans) == 1
    assert text[spans[0].start : spans[0].end] == "onderwijs-\nhuisvesting   en\n\nvervoer."


def test_every_occurrence_is_found() -> None:
    text = "Context:\n- budget\nvoor ondersteuning\n\nContext: - budget voor\nondersteuning"
    spans = find_occurrences(collapse_with_origin(text), "- budget voor ondersteuning")
    assert len(spans) == 2
    assert find_occurrences(collapse_with_origin(text), "   ") == ()
    assert find_occurrences(collapse_with_origin(text), "niet aanwezig") == ()


def test_quote_split_across_two_adjacent_chunks_counts_for_both() -> None:
    text = (
        ("Inleiding. " * 10)
        + ("Het schoolbestuur bepaalt of het kind wordt toegelaten en zoekt anders een plek.")
        + (" Slot." * 10)
    )
    quote = "Het schoolbestuur bepaalt of het kind wordt toegelaten en zoekt anders een plek."
    evidence = _evidence("doc", text, quote)
    start = evidence.occurrences[0].start
    middle = start + 40
    first, second = Span(0, middle), Span(middle, len(text))
    assert covers_quote("doc", first, evidence)
    assert covers_quote("doc", second, evidence)
    # A chunk holding only the last 10 characters of the quote does not count.
    end = evidence.occurrences[0].end
    assert not covers_quote("doc", Span(end - 10, len(text)), evidence)
    assert not covers_quote("doc", Span(0, start + 29), evidence)
    assert covers_quote("doc", Span(0, start + 30), evidence)
    # Same span, other document: not relevant.
    assert not covers_quote("other", first, evidence)


def test_short_quote_must_be_covered_whole() -> None:
    text = "Aanhef. Geen plek is geen reden. Slot van de tekst."
    evidence = _evidence("doc", text, "Geen plek")
    occurrence = evidence.occurrences[0]
    assert evidence.min_overlap == len("Geen plek")
    assert covers_quote("doc", Span(occurrence.start, occurrence.end), evidence)
    assert not covers_quote("doc", Span(occurrence.start + 1, len(text)), evidence)


def test_relevant_sets_over_several_quotes() -> None:
    text = (
        ("a " * 50)
        + "eerste citaat dat lang genoeg is om te tellen"
        + (" b" * 50)
        + (" tweede citaat dat ook lang genoeg is om te tellen")
        + (" c" * 50)
    )
    evidence = (
        _evidence("doc", text, "eerste citaat dat lang genoeg is om te tellen"),
        _evidence("doc", text, "tweede citaat dat ook lang genoeg is om te tellen"),
    )
    half = len(text) // 2
    chunks = [
        ("c1", "doc", Span(0, half)),
        ("c2", "doc", Span(half, len(text))),
        ("c3", "doc", Span(0, 50)),
        ("c4", "elders", Span(0, len(text))),
    ]
    assert covered_quotes("doc", Span(0, half), evidence) == frozenset({0})
    assert covered_quotes("doc", Span(0, len(text)), evidence) == frozenset({0, 1})
    assert not is_relevant("doc", Span(0, 50), evidence)
    assert relevant_chunk_ids(chunks, evidence) == frozenset({"c1", "c2"})


def test_locator_caches_documents_and_reports_unknown_ones() -> None:
    calls: list[str] = []

    def texts(doc_id: str) -> str | None:
        calls.append(doc_id)
        return "Een\ntekst." if doc_id == "doc" else None

    locator = QuoteLocator(texts)
    assert locator.locate("doc", "Een tekst.") == (Span(0, 10),)
    assert locator.locate("doc", "tekst") == (Span(4, 9),)
    assert locator.locate("missing", "tekst") is None
    assert calls == ["doc", "missing"]


@pytest.mark.slow
def test_real_chunks_cover_every_dev_quote() -> None:
    """With the indexer's own cleaning and chunking, every dev quote has a relevant chunk."""
    from indexer.chunking import chunk_document
    from indexer.cleaning import clean
    from indexer.documents import discover, read_document

    documents = {s.doc_id: read_document(s) for s in discover(ROOT / "corpus")}
    chunks = {
        doc_id: chunk_document(document, clean(document.text))
        for doc_id, document in documents.items()
    }
    locator = QuoteLocator(lambda d: documents[d].text if d in documents else None)
    lines = (ROOT / "eval" / "questions" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    uncovered = []
    for line in lines:
        item = json.loads(line)
        for ev in item["evidence"]:
            spans = locator.locate(ev["doc"], ev["quote"])
            assert spans, (item["id"], ev["quote"])
            evidence = Evidence(doc=ev["doc"], quote=ev["quote"], occurrences=spans)
            if not any(
                covers_quote(c.doc_id, Span(c.char_start, c.char_end), evidence)
                for c in chunks[ev["doc"]]
            ):
                uncovered.append((item["id"], ev["quote"][:60]))
    assert uncovered == []


def test_a_cleaned_sentence_is_located_in_the_original_text_of_its_passage() -> None:
    original = "Eerst iets anders.\nDe samenwerkings-\nverbanden  betalen de extra ondersteuning.\n"
    document = collapse_with_origin(original)
    passage = Span(0, len(original))
    verbatim = locate_in_span(document, passage, "Eerst iets anders.")
    assert verbatim == Span(0, len("Eerst iets anders."))
    # Cleaning joined the hyphenated word: found by its matching blocks all the same.
    joined = locate_in_span(document, passage, "De samenwerkingsverbanden betalen de extra steun.")
    assert joined is not None
    assert original[joined.start : joined.end].startswith("De samenwerkings-")
    assert locate_in_span(document, passage, "Iets heel anders dan dit hier.") is None
    # Only the passage's own span is searched.
    assert locate_in_span(document, Span(20, len(original)), "Eerst iets anders.") is None
