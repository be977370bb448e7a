"""What kind of document a source is, in a real (headless) Chromium against the live app.

A school board's plan is about its own schools and a werkagenda holds the government's plans:
an answer that quotes one says so, and every source carries its kind.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_chat import ARTIFACTS, ask, open_home, serve_answer

pytestmark = pytest.mark.browser

KIND_LABELS = {
    "handreiking": "Handreiking",
    "werkagenda": "Plannen van de overheid",
    "onderzoeksrapport": "Onderzoek",
    "schoolplan": "Plan van een schoolbestuur",
    "web": "Website",
}


def test_an_answer_from_a_school_boards_plan_says_whose_plan_it_is(page: Any) -> None:
    open_home(page)
    data = ask(page, "Wat is de startklas in Brunssum?")
    assert data["answerable"] is True, data.get("message")
    kinds = [c["doc_kind"] for c in data["citations"]]
    assert set(kinds) == {"schoolplan"}, kinds
    answer = page.locator(".answer").first
    expect(answer.locator(".scope-note")).to_have_text(
        "Dit antwoord komt uit het plan van één schoolbestuur (MOVARE cluster Brunssum). "
        "Het gaat over de scholen van dat bestuur, niet over alle scholen."
    )
    expect(answer.locator(".source-kind")).to_have_text(["Plan van een schoolbestuur"] * len(kinds))
    ARTIFACTS.mkdir(exist_ok=True)
    answer.screenshot(path=str(ARTIFACTS / "scope-note.png"))


def test_an_answer_from_a_report_has_no_note_but_each_source_its_kind(page: Any) -> None:
    open_home(page)
    data = ask(page, "Wie betaalt de verpleging op school?")
    assert data["answerable"] is True, data.get("message")
    kinds = [c["doc_kind"] for c in data["citations"]]
    assert not {"schoolplan", "werkagenda"} & set(kinds), kinds
    answer = page.locator(".answer").first
    expect(answer.locator(".scope-note")).to_have_count(0)
    expect(answer.locator(".source-kind")).to_have_text([KIND_LABELS[k] for k in kinds])


def _citation(n: int, doc_kind: str, publisher: str) -> dict[str, Any]:
    text = f"Zin {n} uit het document over de startklas."
    return {
        "n": n,
        "chunk_id": f"doc-{n}#1",
        "doc_id": f"doc-{n}",
        "title": f"Document {n}",
        "doc_kind": doc_kind,
        "publisher": publisher,
        "section": "",
        "page": None,
        "quote": text,
        "text": text,
        "quote_spans": [[0, len(text)]],
    }


def _answer(citations: list[dict[str, Any]]) -> dict[str, Any]:
    sentences = [{"text": c["quote"], "citations": [c["n"]]} for c in citations]
    return {
        "answerable": True,
        "topic": "zorgplicht",
        "short_answer": sentences[:1],
        "explanation": sentences[1:],
        "next_steps": [],
        "answer": sentences,
        "citations": citations,
        "rules": [],
        "parties": [],
        "confidence": 0.5,
        "message": "",
        "terms": [],
    }


def test_an_answer_from_two_school_boards_plans_names_both(page: Any) -> None:
    citations = [
        _citation(1, "schoolplan", "MOVARE"),
        _citation(2, "schoolplan", "MOVARE cluster Brunssum"),
    ]
    serve_answer(page, _answer(citations))
    open_home(page)
    page.get_by_label("Jouw vraag").fill("Wat is een startklas?")
    page.get_by_label("Jouw vraag").press("Enter")
    expect(page.locator(".answer .scope-note")).to_have_text(
        "Dit antwoord komt uit plannen van schoolbesturen (MOVARE, MOVARE cluster Brunssum). "
        "Die gaan over de scholen van die besturen, niet over alle scholen."
    )


def test_a_note_for_each_kind_of_plan_an_answer_partly_quotes(page: Any) -> None:
    citations = [
        _citation(1, "schoolplan", "MOVARE cluster Brunssum"),
        _citation(2, "werkagenda", "Ministerie van OCW"),
        _citation(3, "onderzoeksrapport", "AEF"),
        _citation(4, "brochure", "Een gemeente"),  # a kind the page does not know: no label
    ]
    serve_answer(page, _answer(citations))
    open_home(page)
    page.get_by_label("Jouw vraag").fill("Wat is een startklas?")
    page.get_by_label("Jouw vraag").press("Enter")
    answer = page.locator(".answer").first
    expect(answer.locator(".scope-note")).to_have_text(
        [
            "Een deel van dit antwoord komt uit het plan van één schoolbestuur (MOVARE cluster "
            "Brunssum). Het gaat over de scholen van dat bestuur, niet over alle scholen.",
            "Een deel van dit antwoord komt uit plannen van de overheid. Daarin staat vooral "
            "wat de overheid de komende jaren wil doen.",
        ]
    )
    expect(answer.locator(".source-kind")).to_have_text(
        ["Plan van een schoolbestuur", "Plannen van de overheid", "Onderzoek"]
    )


def test_a_sentence_from_suggestions_to_schools_is_labelled_and_the_label_explained(
    page: Any,
) -> None:
    citations = [
        _citation(1, "werkagenda", "Ministerie van OCW"),
        _citation(2, "onderzoeksrapport", "AEF"),
    ]
    canned = _answer(citations)
    suggestion = {**canned["short_answer"][0], "addressed_to": "scholen"}
    rule = {**canned["explanation"][0], "addressed_to": None}
    step = {"text": "Ouders kunnen advies vragen.", "citations": [2], "addressed_to": "ouders"}
    canned.update(
        short_answer=[suggestion],
        explanation=[rule],
        next_steps=[step],
        answer=[suggestion, rule, step],
    )
    serve_answer(page, canned)
    open_home(page)
    page.get_by_label("Jouw vraag").fill("Kan de school het gebouw aanpassen?")
    page.get_by_label("Jouw vraag").press("Enter")
    answer = page.locator(".answer").first
    # one label, before the suggestion's own words; none for a rule or for parents' own tips
    expect(answer.locator(".addressed-to")).to_have_count(1)
    short = answer.locator(".answer-short .sentence").first
    expect(short.locator(".addressed-to")).to_have_text("Suggesties voor scholen")
    assert short.evaluate("node => node.firstElementChild.className") == "addressed-to"
    expect(answer.locator(".answer-more .addressed-to")).to_have_count(0)
    expect(answer.locator(".scope-note")).to_have_text(
        [
            "Een deel van dit antwoord komt uit plannen van de overheid. Daarin staat vooral "
            "wat de overheid de komende jaren wil doen.",
            "Een zin met ‘Suggesties voor scholen’ komt uit een deel van het document met "
            "ideeën voor scholen. Zo’n zin zegt vooral wat scholen kunnen doen.",
        ]
    )
    # on a phone the label stays whole, on the sentence's line
    page.set_viewport_size({"width": 360, "height": 740})
    label = answer.locator(".addressed-to").bounding_box()
    assert label is not None and label["width"] < 360
    ARTIFACTS.mkdir(exist_ok=True)
    answer.screenshot(path=str(ARTIFACTS / "addressed-to.png"))


def test_search_results_say_what_kind_of_document_they_are_from(page: Any) -> None:
    open_home(page)
    page.get_by_role("tab", name="Zoeken in de bronnen").click()
    page.get_by_label("Zoekwoorden", exact=True).fill("startklas moederschool")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/search")) as response_info:
        page.get_by_role("button", name="Zoeken", exact=True).click()
    passages = response_info.value.json()["passages"]
    assert "schoolplan" in {p["doc_kind"] for p in passages}
    results = page.locator("#search-results > li")
    expect(results).to_have_count(len(passages))
    for result, passage in zip(results.all(), passages, strict=True):
        label = KIND_LABELS.get(passage["doc_kind"])  # none for the tests' own document
        if label:
            expect(result.locator(".result-meta")).to_contain_text(label)
