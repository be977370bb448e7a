"""Figures lost in extraction: the page shows [getal] where they stood and says what it means."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.assistant.test_figures_api import AEF, ATTENDANCE
from tests.browser.test_chat import ask, open_home, refusal, serve_answer
from tests.indexer.test_figures import marked

pytestmark = pytest.mark.browser


def _seen(locator: Any) -> str:
    """The text an eye reads: without what only a screen reader hears."""
    text: str = locator.evaluate(
        """node => {
          const copy = node.cloneNode(true);
          copy.querySelectorAll('.visually-hidden').forEach((hidden) => hidden.remove());
          return copy.textContent;
        }"""
    )
    return text


def _search(page: Any, query: str) -> dict[str, Any]:
    page.get_by_role("tab", name="Zoeken in de bronnen").click()
    page.get_by_label("Document", exact=True).select_option(AEF)
    page.get_by_label("Zoekwoorden", exact=True).fill(query)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/search")) as response_info:
        page.get_by_role("button", name="Zoeken", exact=True).click()
    data: dict[str, Any] = response_info.value.json()
    expect(page.locator("#search-results > li").first).to_be_visible()
    return data


def test_a_search_result_shows_and_copies_its_lost_figures(page: Any) -> None:
    open_home(page)
    data = _search(page, "minder dan procent aanwezig financiering")
    index = next(i for i, p in enumerate(data["passages"]) if p["gaps"])
    passage = data["passages"][index]
    result = page.locator("#search-results > li").nth(index)
    marks = result.locator(".lost-figure")
    expect(marks).to_have_count(len(passage["gaps"]))
    # Screen readers hear words, not the brackets.
    expect(marks.first.locator(".visually-hidden")).to_have_text("(getal ontbreekt)")
    shown = " ".join(_seen(result.locator(".result-text")).split())
    assert shown == " ".join(marked(passage["text"], passage["gaps"]).split())
    assert "[getal]%" in shown
    expect(result.locator(".gap-note")).to_contain_text("[getal] betekent")
    expect(page.locator("#search-results .gap-note")).to_have_count(1)  # said once

    result.get_by_role("button", name="Kopieer citaat").click()
    expect(page.locator("#copy-status")).to_contain_text("gekopieerd")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert " ".join(marked(passage["text"], passage["gaps"]).split()) in copied


def test_an_answer_marks_its_lost_figures_and_the_source_dialog_too(page: Any) -> None:
    open_home(page)
    data = ask(page, ATTENDANCE)
    card = page.locator(".turn").nth(0).locator(".answer")
    gaps = sum(len(s["gaps"]) for s in data["answer"])
    assert gaps
    expect(card.locator(".answer-text .lost-figure")).to_have_count(gaps)
    expect(card.locator(".answer-text .gap-note")).to_be_visible()

    cited = next(c for c in data["citations"] if c["quote_gaps"])
    card.locator(f'.cite-btn[data-n="{cited["n"]}"]').first.click()
    dialog = page.locator("#source-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".passage .lost-figure")).to_have_count(len(cited["gaps"]))
    expect(dialog.locator(".passage mark .lost-figure")).to_have_count(len(cited["quote_gaps"]))
    expect(dialog.locator(".gap-note")).to_be_visible()
    dialog.get_by_role("button", name="Kopieer citaat").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert " ".join(marked(cited["quote"], cited["quote_gaps"]).split()) in copied

    # The whole document marks every passage's lost figures, the cited one's too.
    dialog.get_by_role("button", name="Bekijk het hele document").click()
    highlighted = dialog.locator(".doc-passage.is-highlighted")
    expect(highlighted.locator(".lost-figure")).to_have_count(len(cited["gaps"]))
    expect(dialog.locator(".gap-note")).to_be_visible()
    passages = page.request.get(f"/api/v1/documents/{AEF}").json()["passages"]
    expect(dialog.locator(".doc-passage .lost-figure")).to_have_count(
        sum(len(p["gaps"]) for p in passages)
    )


def test_answers_from_documents_without_the_defect_have_no_note(page: Any) -> None:
    open_home(page)
    data = ask(page, "Wat is de startklas in Brunssum?")
    assert all(not s["gaps"] for s in data["answer"])
    card = page.locator(".turn").nth(0).locator(".answer")
    expect(card.locator(".lost-figure")).to_have_count(0)
    expect(card.locator(".gap-note")).to_have_count(0)


def test_offsets_count_code_points_and_marks_read_as_the_service_means(page: Any) -> None:
    open_home(page)
    result = page.evaluate(
        """async () => {
          const gaps = await import('/static/gaps.js');
          const text = '😀 is jaar, 🎒 minder dan % aanwezig';
          // Code points: the emoji are one each, two UTF-16 units each.
          const at = (word) => Array.from(text.slice(0, text.indexOf(word))).length;
          return {
            offsets: gaps.gapOffsets(text, [at('jaar'), at('%'), at('jaar'), -1, 999, 'x']),
            units: [text.indexOf('jaar'), text.indexOf('%')],
            marked: gaps.withGapMarks(text, [at('%'), at('jaar')]),
          };
        }"""
    )
    assert result["offsets"] == result["units"]
    assert result["marked"] == "😀 is [getal] jaar, 🎒 minder dan [getal]% aanwezig"


def _citation(
    n: int, quote: str, gaps: list[int], quote_spans: list[list[int]] | None = None
) -> dict[str, Any]:
    """A canned citation whose passage is its quote."""
    return {
        "n": n,
        "chunk_id": f"a:{n}",
        "doc_id": "a",
        "title": "Rapport",
        "section": "",
        "page": None,
        "quote": quote,
        "text": quote,
        "quote_spans": quote_spans or [],
        "char_start": 0,
        "char_end": len(quote),
        "gaps": gaps,
        "quote_gaps": gaps,
    }


def test_a_refusal_marks_the_lost_figures_of_the_closest_passages(page: Any) -> None:
    quote = "Een school krijgt geen geld als een leerling minder dan % aanwezig is."
    # Marked, its gap's "[getal]" straddles the 317th character, where a long quote is cut.
    long_quote = "Woord " * 52 + "en jaar."
    canned = refusal(
        [
            _citation(1, quote, [quote.index("%")]),
            # Its only gap's mark would be cut in half where a closest passage is cut.
            _citation(2, long_quote, [long_quote.index("jaar")]),
        ],
        "Dit staat niet in de bronnen.",
    )
    serve_answer(page, canned)
    open_home(page)
    ask(page, "Wanneer krijgt de school geen geld meer?")
    quotes = page.locator(".not-found .closest-quote")
    expect(quotes.nth(0)).to_have_text(
        "“Een school krijgt geen geld als een leerling minder dan [getal]% aanwezig is.”"
    )
    expect(quotes.nth(1)).not_to_contain_text("[")  # cut at a word, never in a mark
    expect(page.locator(".not-found .gap-note")).to_have_count(1)

    canned["citations"] = canned["citations"][1:]  # only the mark that was cut off: no note
    ask(page, "En wanneer wel?")
    second = page.locator(".turn").nth(1).locator(".not-found")
    expect(second.locator(".closest-item")).to_have_count(1)
    expect(second.locator(".gap-note")).to_have_count(0)


def test_footnote_markers_glued_to_words_are_shown_as_footnote_references(page: Any) -> None:
    sentence = (
        "Sinds de Variawet42 (zie art.8) zoekt de school met een budget6) naar 120 m2 voor "
        "1.200 of ca.200 leerlingen in CO2-arme gebouwen een passende plek.38"
    )
    citation = _citation(1, sentence, [], quote_spans=[[0, len(sentence)]])
    said = {"text": sentence, "citations": [1], "gaps": []}
    canned = {
        **refusal([citation], ""),
        "answerable": True,
        "question_kind": "open",
        "short_answer": [said],
        "explanation": [],
        "next_steps": [],
        "answer": [said],
        "confidence": 0.9,
    }
    serve_answer(page, canned)
    open_home(page)
    ask(page, "Wat doet de school als ze mijn kind niet kan helpen?")
    shown = page.locator(".answer-short .sentence")
    references = shown.locator(".footnote-ref")
    expect(references).to_have_text(["voetnoot 42", "voetnoot 6", "voetnoot 38"])
    expect(references.last).to_have_attribute("title", "Voetnoot 38 in het document")
    assert _seen(shown).startswith(sentence)  # the text itself is all there, in its order
