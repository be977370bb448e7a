"""Mistyped words in the chat and the search: the page says what it looked up instead."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_chat import ask, open_home

pytestmark = pytest.mark.browser


def test_the_answer_says_which_words_it_read_otherwise(page: Any) -> None:
    open_home(page)
    data = ask(page, "Mag de basischool mijn kind weigeren?")
    assert data["corrections"] == [{"typed": "basischool", "read_as": "basisschool"}]
    card = page.locator(".turn").nth(0).locator(".answer")
    expect(card.locator(".read-as")).to_have_text(
        "We zochten op ‘basisschool’ (je typte ‘basischool’)."
    )
    data = ask(page, "En wie betaalt het vervoer naar school?")
    assert data["corrections"] == []
    expect(page.locator(".turn").nth(1).locator(".read-as")).to_have_count(0)


def test_the_search_says_which_words_it_read_otherwise(page: Any) -> None:
    open_home(page)
    page.get_by_role("tab", name="Zoeken in de bronnen").click()
    page.get_by_label("Zoekwoorden", exact=True).fill("zorgplcht basischool")
    page.get_by_role("button", name="Zoeken", exact=True).click()
    expect(page.locator("#search-status")).to_have_text(
        "20 passages gevonden. We zochten op ‘zorgplicht’ (je typte ‘zorgplcht’) en "
        "‘basisschool’ (je typte ‘basischool’)."
    )
