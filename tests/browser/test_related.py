"""The question bank in the chat (related.js): example questions, "Verwante vragen" that ask
themselves, and sending a "niet in de bronnen" answer as feedback."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_chat import QUESTION, ask, is_ask, open_home

pytestmark = pytest.mark.browser


def test_start_page_examples_come_from_the_bank(page: Any, engine: Any) -> None:
    with page.expect_response(lambda r: r.url.endswith("/api/v1/examples")):
        open_home(page)
    examples = page.locator("#examples .example")
    expect(examples.first).to_be_visible()
    shown = examples.all_inner_texts()
    assert len(shown) >= 5
    assert set(shown) <= set(engine.store.bank.questions)
    with page.expect_response(lambda r: is_ask(r.request)) as response_info:
        examples.first.click()
    assert response_info.value.request.post_data_json["question"] == shown[0]


def test_a_conversation_through_related_questions(page: Any) -> None:
    open_home(page)
    data = ask(page, QUESTION)
    first = page.locator(".turn").nth(0)
    related = first.get_by_role("navigation", name="Verwante vragen")
    expect(related).to_be_visible()
    buttons = related.get_by_role("button")
    assert buttons.all_inner_texts() == data["related_questions"]
    chosen = data["related_questions"][0]

    with page.expect_response(lambda r: is_ask(r.request)) as response_info:
        buttons.first.click()
    request = response_info.value.request.post_data_json
    assert request["question"] == chosen
    assert request["history"][0] == {"role": "user", "text": QUESTION}
    second = page.locator(".turn").nth(1)
    expect(second.locator(".answer")).to_be_visible()
    expect(second.locator(".turn-user")).to_contain_text(chosen)
    later = response_info.value.json()["related_questions"]
    assert later and chosen not in later and QUESTION not in later
    # A third turn, asked from the second answer's related questions.
    with page.expect_response(lambda r: is_ask(r.request)):
        second.get_by_role("navigation", name="Verwante vragen").get_by_role("button").first.click()
    expect(page.locator(".turn").nth(2).locator(".answer")).to_be_visible()


def test_a_not_answered_question_can_be_sent_as_feedback(page: Any, app: Any) -> None:
    question = "Hoeveel vakantiedagen krijgt een leraar in Brunssum per jaar?"
    refusal = {
        "answerable": False,
        "topic": "overig",
        "message": "Dit staat niet in de bronnen.",
        "answer": [],
        "citations": [],
        "rules": [],
        "parties": [],
        "confidence": 0.05,
        "terms": [],
        "related_questions": [],
    }
    page.route("**/api/v1/ask", lambda route: route.fulfill(json=refusal))
    open_home(page)
    ask(page, question)
    card = page.locator(".turn").last.locator(".answer")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/feedback")) as response_info:
        card.get_by_role("button", name="Stuur deze vraag naar de makers").click()
    assert response_info.value.status == 201
    expect(card).to_contain_text("Bedankt! We kijken")
    stored = [r for r in app.state.feedback.export() if r.question == question]
    assert stored and stored[-1].rating == "down" and stored[-1].citation_ids == []
    assert stored[-1].remark == "Niet in de bronnen"
