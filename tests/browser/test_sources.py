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
    # The plan of the Brunssum cluster, and maybe the board's year plan beside it.
    boards = list(dict.fromkeys(c["publisher"] for c in data["citations"]))
    assert "MOVARE cluster Brunssum" in boards, boards
    note = (
        "Dit antwoord komt uit het plan van één schoolbestuur (MOVARE cluster Brunssum). "
        "Het gaat over de scholen van dat bestuur, niet over alle scholen."
        if len(boards) == 1
        else f"Dit antwoord komt uit plannen van schoolbesturen ({', '.join(boards)}). "
        "Die gaan over de scholen van die besturen, niet over alle scholen."
    )
    answer = page.locator(".answer").first
    expect(answer.locator(".scope-note")).to_have_text(note)
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


def _ask_canned(page: Any, canned: dict[str, Any], question: str) -> Any:
    """Ask `question` in the chat with `canned` as the service's answer; the answer card."""
    serve_answer(page, canned)
    open_home(page)
    page.get_by_label("Jouw vraag").fill(question)
    page.get_by_label("Jouw vraag").press("Enter")
    return page.locator(".answer").first


def _with_sentences(
    citations: list[dict[str, Any]], short: dict[str, Any], *more: dict[str, Any]
) -> dict[str, Any]:
    """An answer over `citations` whose first sentence and explanation get these fields."""
    canned = _answer(citations)
    first = {**canned["short_answer"][0], **short}
    rest = [{**s, **fields} for s, fields in zip(canned["explanation"], more, strict=False)]
    canned.update(short_answer=[first], explanation=rest, answer=[first, *rest])
    return canned


def test_an_answer_from_two_school_boards_plans_names_both(page: Any) -> None:
    citations = [
        _citation(1, "schoolplan", "MOVARE"),
        _citation(2, "schoolplan", "MOVARE cluster Brunssum"),
    ]
    answer = _ask_canned(page, _answer(citations), "Wat is een startklas?")
    expect(answer.locator(".scope-note")).to_have_text(
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
    answer = _ask_canned(page, _answer(citations), "Wat is een startklas?")
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


SUGGESTIONS_NOTE = (
    "Een zin met ‘Suggesties voor scholen’ komt uit een deel van het document met ideeën voor "
    "scholen. Zo’n zin zegt vooral wat scholen kunnen doen."
)
EXAMPLE_NOTE = (
    "Een zin met ‘Voorbeeld uit …’ vertelt hoe het in één gemeente gaat. In andere gemeenten "
    "kan het anders gaan."
)


@pytest.mark.parametrize(
    ("kinds", "fields", "label", "notes"),
    [
        # a suggestion to schools gets the label; a rule beside it does not
        (
            ("werkagenda", "onderzoeksrapport"),
            ({"addressed_to": "scholen"}, {"addressed_to": None}),
            "Suggesties voor scholen",
            [
                "Een deel van dit antwoord komt uit plannen van de overheid. Daarin staat vooral "
                "wat de overheid de komende jaren wil doen.",
                SUGGESTIONS_NOTE,
            ],
        ),
        # one municipality's example does; a school board's plan that names its own town does
        # not, as the plan's note already says whose plan it is
        (
            ("onderzoeksrapport", "schoolplan"),
            ({"municipality": "Amersfoort"}, {"municipality": "Brunssum"}),
            "Voorbeeld uit Amersfoort",
            [
                "Een deel van dit antwoord komt uit het plan van één schoolbestuur (MOVARE). Het "
                "gaat over de scholen van dat bestuur, niet over alle scholen.",
                EXAMPLE_NOTE,
            ],
        ),
    ],
)
def test_a_sentence_label_goes_before_its_sentence_and_the_note_says_what_it_means(
    page: Any,
    kinds: tuple[str, str],
    fields: tuple[dict[str, Any], dict[str, Any]],
    label: str,
    notes: list[str],
) -> None:
    citations = [_citation(n, kind, "MOVARE") for n, kind in enumerate(kinds, start=1)]
    canned = _with_sentences(citations, *fields)
    # parents' own tips get no label
    step = {"text": "Ouders kunnen advies vragen.", "citations": [2], "addressed_to": "ouders"}
    canned.update(next_steps=[step], answer=[*canned["answer"], step])
    answer = _ask_canned(page, canned, "Kan de school het gebouw aanpassen?")
    expect(answer.locator(".sentence-label")).to_have_count(1)
    short = answer.locator(".answer-short .sentence").first
    # a screen reader hears a colon after the label, not the label run into the sentence
    expect(short.locator(".sentence-label")).to_have_text(f"{label}:")
    expect(short.locator(".sentence-label .visually-hidden")).to_have_text(":")
    assert short.evaluate("node => node.firstElementChild.className") == "sentence-label"
    expect(answer.locator(".scope-note")).to_have_text(notes)
    # on a phone the label stays whole: one line box, not broken over two
    page.set_viewport_size({"width": 360, "height": 740})
    assert answer.locator(".sentence-label").evaluate("n => n.getClientRects().length") == 1
    ARTIFACTS.mkdir(exist_ok=True)
    answer.screenshot(path=str(ARTIFACTS / f"sentence-label-{kinds[0]}.png"))


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
