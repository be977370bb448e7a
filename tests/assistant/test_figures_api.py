"""Figures lost in extraction, as the API reports them: where […] goes in answers and passages."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

AEF = "aef-onderwijs-zorg-initiatieven"
# Written from the AEF report's paragraph on funding and attendance, whose percentages were lost.
ATTENDANCE = "Krijgt de school nog geld als mijn kind minder naar school gaat door ziekte?"


def _at_gaps(text: str, gaps: list[int]) -> list[str]:
    """What stands at each gap: a word or a percent sign after a space."""
    assert all(0 < g < len(text) for g in gaps), (text, gaps)
    return [text[g - 1 : g + 1] for g in gaps]


def _is_gap(pair: str) -> bool:
    return pair[0] == " " and (pair[1] == "%" or pair[1].isalpha() or pair[1] == "(")


def test_search_passages_of_the_report_mark_their_lost_figures(client: TestClient) -> None:
    response = client.post(
        "/api/v1/search", json={"query": "minder dan procent aanwezig financiering", "k": 5}
    )
    assert response.status_code == 200
    passages = response.json()["passages"]
    marked = [p for p in passages if p["gaps"]]
    assert marked and all(p["doc_id"] == AEF for p in marked)
    assert any(" %" in _at_gaps(p["text"], p["gaps"]) for p in marked)
    assert all(_is_gap(pair) for p in marked for pair in _at_gaps(p["text"], p["gaps"]))
    assert all(p["gaps"] == [] for p in passages if p["doc_id"] != AEF)


def test_answer_sentences_and_quotes_carry_the_gaps_of_their_text(client: TestClient) -> None:
    response = client.post("/api/v1/ask", json={"question": ATTENDANCE})
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    assert data["answerable"]
    sentences = data["answer"]
    with_gaps = [s for s in sentences if s["gaps"]]
    assert with_gaps, [s["text"] for s in sentences]
    for sentence in with_gaps:
        assert all(_is_gap(pair) for pair in _at_gaps(sentence["text"], sentence["gaps"]))
    for citation in data["citations"]:
        text, quote = citation["text"], citation["quote"]
        spans = citation["quote_spans"]
        # The quote is its spans joined by a space; its gaps are the passage's gaps in them.
        assert quote == " ".join(text[a:b] for a, b in spans)
        expected, offset = [], 0
        for a, b in spans:
            expected += [offset + g - a for g in citation["gaps"] if a <= g < b]
            offset += b - a + 1
        assert citation["quote_gaps"] == expected
    quoted = [c for c in data["citations"] if c["quote_gaps"]]
    assert quoted
    assert all(_is_gap(pair) for c in quoted for pair in _at_gaps(c["quote"], c["quote_gaps"]))


def test_the_document_view_marks_the_same_gaps(client: TestClient, engine: Any) -> None:
    response = client.get(f"/api/v1/documents/{AEF}")
    assert response.status_code == 200
    passages = response.json()["passages"]
    stored = {c.chunk_id: list(c.figure_gaps) for c in engine.store.chunks if c.doc_id == AEF}
    assert {p["chunk_id"]: p["gaps"] for p in passages} == stored
    assert sum(len(g) for g in stored.values()) >= 50
