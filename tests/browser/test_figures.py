"""Figures lost in extraction: the page shows […] where they stood and says what it means."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.assistant.test_figures_api import AEF, ATTENDANCE
from tests.browser.test_chat import ask, open_home
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
    assert "[…]%" in shown
    expect(result.locator(".gap-note")).to_contain_text("[…] betekent")

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


def test_answers_from_documents_without_the_defect_have_no_note(page: Any) -> None:
    open_home(page)
    data = ask(page, "Wat is de startklas in Brunssum?")
    assert all(not s["gaps"] for s in data["answer"])
    card = page.locator(".turn").nth(0).locator(".answer")
    expect(card.locator(".lost-figure")).to_have_count(0)
    expect(card.locator(".gap-note")).to_have_count(0)
