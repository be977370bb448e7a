"""The web page in a real (headless) Chromium against the live application.

Needs the session fixture `app` from tests/conftest.py (the real app over the real corpus, plus
a small test document containing "xsstestterm" and a `<script>` tag).
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

QUESTION = "Vanaf welk moment heeft de moederschool zorgplicht?"
FOLLOW_UP = "En tot wanneer duurt die zorgplicht?"


def is_ask(request: Any) -> bool:
    return request.method == "POST" and request.url.endswith("/api/v1/ask")


def open_home(page: Any) -> None:
    page.goto("/")
    page.wait_for_selector("html.js-ready")


def ask(page: Any, question: str) -> dict[str, Any]:
    """Type a question, send it with Enter and wait until its answer is shown."""
    turns_before = page.locator(".turn").count()
    page.get_by_label("Jouw vraag").fill(question)
    with page.expect_response(lambda r: is_ask(r.request)) as response_info:
        page.get_by_label("Jouw vraag").press("Enter")
    response = response_info.value
    assert response.ok, response.text()
    turn = page.locator(".turn").nth(turns_before)
    expect(turn.locator(".answer")).to_be_visible()
    data: dict[str, Any] = response.json()
    return data


def no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"page is {width}px wide in a {viewport}px viewport"


def test_question_gets_a_cited_answer(page: Any) -> None:
    open_home(page)
    data = ask(page, QUESTION)

    assert data["answerable"] is True, data.get("message")
    answer = page.locator(".answer").first
    expect(answer.locator(".answer-short")).to_contain_text(
        data["short_answer"][0]["text"][:40], use_inner_text=True
    )
    expect(answer.locator(".cite-btn").first).to_be_visible()
    expect(answer.locator(".cite-btn").first).to_have_text(re.compile(r"^\[\d+\]$"))
    expect(answer.locator(".source-list li")).to_have_count(len(data["citations"]))
    expect(answer.get_by_role("button", name="Ja, nuttig")).to_be_visible()
    # The new answer is announced politely to screen readers.
    expect(page.locator("#chat-live")).to_contain_text("Antwoord ontvangen")
    if data["rules"] or data["parties"]:
        expect(answer.locator(".facts")).to_be_visible()

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".turn").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    shutil.copyfile(ARTIFACTS / "chat.png", docs / "screenshot-chat.png")


def test_citation_opens_passage_with_highlight_and_whole_document(page: Any) -> None:
    open_home(page)
    data = ask(page, QUESTION)
    assert data["answerable"] is True, data.get("message")

    first = page.locator(".answer .cite-btn").first
    n = int(first.inner_text().strip("[]"))
    citation = next(c for c in data["citations"] if c["n"] == n)
    first.click()

    dialog = page.locator("#source-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#dialog-title")).to_have_text(citation["title"])
    marks = dialog.locator(".passage mark")
    expect(marks.first).to_be_visible()
    marked = " ".join(marks.all_inner_texts())
    for start, end in citation["quote_spans"]:
        assert citation["text"][start:end].split()[0] in marked
    if citation["page"] is not None:
        expect(dialog.locator(".dialog-meta")).to_contain_text(f"pagina {citation['page']}")

    with page.expect_request(lambda r: "/api/v1/documents/" in r.url) as request_info:
        dialog.get_by_role("button", name="Bekijk het hele document").click()
    query = parse_qs(urlsplit(request_info.value.url).query)
    assert query["chunk_id"] == [citation["chunk_id"]]
    highlighted = dialog.locator(".doc-passage.is-highlighted")
    expect(highlighted).to_have_count(1)
    expect(highlighted).to_be_in_viewport()
    expect(highlighted).to_be_focused()

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(first).to_be_focused()  # focus goes back to the citation


def test_follow_up_question_sends_history(page: Any) -> None:
    open_home(page)
    first = ask(page, QUESTION)

    with page.expect_request(is_ask) as request_info:
        second = ask(page, FOLLOW_UP)
    body = request_info.value.post_data_json
    assert body["question"] == FOLLOW_UP
    history = body["history"]
    assert history[0] == {"role": "user", "text": QUESTION}
    assert history[1]["role"] == "assistant"
    assert first["answerable"]
    assert first["answer"][0]["text"][:30] in history[1]["text"]
    assert len(history) == 2
    # "tot wanneer" is answered: the moederschool's duty lasts until the child is placed.
    assert second["answerable"]
    assert "tot plaatsing" in " ".join(s["text"] for s in second["answer"])
    expect(page.locator(".turn")).to_have_count(2)


def test_feedback_is_stored(page: Any, app: Any) -> None:
    open_home(page)
    data = ask(page, QUESTION)
    remark = f"Heel duidelijk uitgelegd ({uuid.uuid4().hex[:8]})"

    answer = page.locator(".answer").first
    answer.get_by_role("button", name="Ja, nuttig").click()
    expect(answer.get_by_role("button", name="Ja, nuttig")).to_have_attribute(
        "aria-pressed", "true"
    )
    answer.get_by_label(re.compile("iets toelichten")).fill(remark)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/feedback")) as response_info:
        answer.get_by_role("button", name="Verstuur").click()
    assert response_info.value.status == 201
    expect(answer.locator(".feedback-status")).to_contain_text("Bedankt")

    stored = [row for row in app.state.feedback.export() if row.remark == remark]
    assert len(stored) == 1
    row = stored[0]
    assert row.rating == "up"
    assert row.question == QUESTION
    assert row.citation_ids == [c["chunk_id"] for c in data["citations"]][:20]
    # The export endpoint is tested in tests/assistant/test_feedback.py and, behind nginx,
    # in tests/deploy/test_stack.py.


def test_search_mode_with_document_filter_and_copy(page: Any) -> None:
    open_home(page)
    page.get_by_role("tab", name="Zoeken in de bronnen").click()
    expect(page.get_by_role("tabpanel", name="Zoeken in de bronnen")).to_be_visible()

    select = page.get_by_label("Document", exact=True)
    expect(select.locator("option").nth(1)).to_be_attached()  # documents loaded
    options = select.locator("option").evaluate_all(
        "os => os.map(o => ({value: o.value, label: o.textContent}))"
    )
    preferred = "plan-passend-onderwijs-brunssum"
    doc = next((o for o in options if o["value"] == preferred), options[1])
    select.select_option(doc["value"])

    page.get_by_label("Zoekwoorden", exact=True).fill("zorgplicht")
    with page.expect_request(lambda r: r.url.endswith("/api/v1/search")) as request_info:
        page.get_by_role("button", name="Zoeken", exact=True).click()
    body = request_info.value.post_data_json
    assert body["query"] == "zorgplicht"
    assert body["filters"]["doc_ids"] == [doc["value"]]

    results = page.locator("#search-results > li")
    expect(results.first).to_be_visible()
    titles = page.locator("#search-results .result-title").all_inner_texts()
    assert titles and all(doc["label"] in t for t in titles)
    expect(page.locator("#search-status")).to_contain_text("gevonden")

    results.first.get_by_role("button", name="Kopieer citaat").click()
    expect(page.locator("#copy-status")).to_contain_text("gekopieerd")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(doc["label"])
    assert ": “" in copied and copied.endswith("”")


def test_phone_width_has_no_horizontal_scroll(phone_page: Any) -> None:
    page = phone_page
    open_home(page)
    no_horizontal_scroll(page)
    data = ask(page, QUESTION)
    no_horizontal_scroll(page)
    assert data["citations"]
    page.locator(".answer .cite-btn, .answer .source-btn").first.click()
    expect(page.locator("#source-dialog")).to_be_visible()
    no_horizontal_scroll(page)
    page.get_by_role("button", name="Sluiten").click()
    page.get_by_role("tab", name="Zoeken in de bronnen").click()
    page.get_by_label("Zoekwoorden", exact=True).fill("zorgplicht")
    page.get_by_label("Zoekwoorden", exact=True).press("Enter")
    expect(page.locator("#search-results > li").first).to_be_visible()
    no_horizontal_scroll(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-375.png"), full_page=True)


ACTION_QUESTION = "Mijn kind wordt door de school geweigerd. Wat kan ik doen?"


@pytest.mark.parametrize("fixture", ["page", "phone_page"])
def test_the_short_answer_is_read_first_and_the_rest_under_it(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    page = request.getfixturevalue(fixture)
    open_home(page)
    data = ask(page, ACTION_QUESTION)
    assert data["answerable"] is True, data.get("message")
    answer = page.locator(".answer").first
    short = answer.locator(".answer-short")
    expect(short.locator(".sentence")).to_have_count(len(data["short_answer"]))
    expect(short).to_contain_text(data["short_answer"][0]["text"][:40], use_inner_text=True)
    parts = [(".answer-short", data["short_answer"])]
    if data["explanation"]:
        expect(answer.locator(".answer-more .sentence")).to_have_count(len(data["explanation"]))
        parts.append((".answer-more", data["explanation"]))
    if data["next_steps"]:
        expect(answer.get_by_role("heading", name="Wat kun je doen?")).to_be_visible()
        expect(answer.locator(".steps-list li")).to_have_count(len(data["next_steps"]))
        parts.append((".steps-list", data["next_steps"]))
    # On screen in reading order: the short answer above the explanation and the steps.
    tops = [answer.locator(selector).bounding_box()["y"] for selector, _ in parts]
    assert tops == sorted(tops)
    # Every sentence carries its citation button.
    total = sum(len(sentences) for _, sentences in parts)
    expect(answer.locator(".answer-text .sentence .cite-btn")).to_have_count(total)
    no_horizontal_scroll(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"structured-{fixture}.png"), full_page=True)


def test_markup_in_a_passage_is_shown_as_text(page: Any, page_problems: Any) -> None:
    open_home(page)
    page.get_by_role("tab", name="Zoeken in de bronnen").click()
    page.get_by_label("Zoekwoorden", exact=True).fill("xsstestterm")
    page.get_by_label("Zoekwoorden", exact=True).press("Enter")

    results = page.locator("#search-results")
    expect(results.locator("li").first).to_be_visible()
    expect(results).to_contain_text("<script>")
    expect(page.get_by_text("<script>", exact=False).first).to_be_visible()
    assert results.locator("script, img, iframe").count() == 0
    scripts = page.eval_on_selector_all("script", "nodes => nodes.map(n => n.getAttribute('src'))")
    assert scripts == ["/static/main.js"]  # only our own module graph

    results.locator("li").first.get_by_role("button", name="Bekijk in het document").click()
    expect(page.locator("#source-dialog")).to_contain_text("<script>")
    assert page.locator("#source-dialog script").count() == 0
    page.wait_for_timeout(300)
    assert page_problems.dialogs == []


def test_keyboard_only_question_and_term_tooltip(page: Any) -> None:
    open_home(page)
    page.keyboard.press("Tab")  # skip link first
    expect(page.get_by_role("link", name="Direct naar de vraag")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Jouw vraag")).to_be_focused()
    page.keyboard.type("Wat betekent zorgplicht")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("voor de school?")
    assert (
        page.get_by_label("Jouw vraag").input_value() == "Wat betekent zorgplicht\nvoor de school?"
    )
    with page.expect_response(lambda r: is_ask(r.request)) as response_info:
        page.keyboard.press("Enter")
    data = response_info.value.json()
    expect(page.locator(".answer")).to_be_visible()

    terms = page.locator(".answer .term")
    if not data.get("terms") and terms.count() == 0:
        pytest.skip("this answer contains no glossary term")
    term = terms.first
    term.focus()
    tip_id = term.get_attribute("aria-describedby")
    assert tip_id
    tooltip = page.locator(f"#{tip_id}")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_have_attribute("role", "tooltip")
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()


def refusal(citations: list[dict[str, Any]], message: str) -> dict[str, Any]:
    """An /ask response that says the sources have no answer, with the closest passages."""
    return {
        "answerable": False,
        "topic": "overig",
        "answer": [],
        "citations": citations,
        "rules": [],
        "parties": [],
        "confidence": 0.05,
        "message": message,
        "terms": [],
    }


def serve_answer(page: Any, canned: dict[str, Any]) -> None:
    """Answer every /ask of `page` with `canned`, as it stands when the question is sent."""
    page.route(
        "**/api/v1/ask",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(canned)
        ),
    )


def test_not_answerable_state_shows_message_and_closest_passages(page: Any) -> None:
    canned = refusal(
        [
            {
                "n": 1,
                "chunk_id": "doc-a#4",
                "doc_id": "doc-a",
                "title": "Een document",
                "section": "2 Toelating",
                "page": 7,
                "quote": "Het schoolbestuur bepaalt of het kind wordt toegelaten.",
                "text": "Het schoolbestuur bepaalt of het kind wordt toegelaten. Meer tekst.",
                "quote_spans": [[0, 55]],
            }
        ],
        "Dit staat niet in de bronnen. Probeer je vraag anders te stellen.",
    )
    serve_answer(page, canned)
    open_home(page)
    page.get_by_label("Jouw vraag").fill("Hoe laat vertrekt de trein naar Parijs?")
    page.get_by_label("Jouw vraag").press("Enter")
    box = page.locator(".not-found")
    expect(box).to_be_visible()
    expect(box.get_by_role("heading", name="Dit staat niet in de bronnen")).to_be_visible()
    expect(box).to_contain_text("Probeer je vraag anders te stellen.")
    expect(box.locator(".closest-item")).to_have_count(1)
    expect(box).to_contain_text("Een document, 2 Toelating, p. 7")
    box.get_by_role("button", name="Lees de hele passage").click()
    expect(page.locator("#source-dialog mark")).to_have_text(canned["citations"][0]["quote"])


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("network", "geen verbinding"),
        ("429", "Wacht even (ongeveer 20 seconden)"),
        ("400", "Je vraag is te kort om te beantwoorden."),
    ],
)
def test_errors_are_shown_in_plain_dutch(page: Any, kind: str, expected: str) -> None:
    def handle(route: Any) -> None:
        if kind == "network":
            route.abort("internetdisconnected")
        elif kind == "429":
            route.fulfill(
                status=429,
                headers={"Retry-After": "20"},
                content_type="application/json",
                body=json.dumps({"error": {"code": "rate_limited", "message": "Too many"}}),
            )
        else:
            route.fulfill(
                status=400,
                content_type="application/json",
                body=json.dumps(
                    {"error": {"code": "bad", "message": "Je vraag is te kort om te beantwoorden."}}
                ),
            )

    page.route("**/api/v1/ask", handle)
    open_home(page)
    page.get_by_label("Jouw vraag").fill("Wat is zorgplicht?")
    page.get_by_label("Jouw vraag").press("Enter")
    expect(page.locator("#ask-error")).to_contain_text(expected)
    # The question stays in the box so it can be sent again; no half turn is left behind.
    expect(page.get_by_label("Jouw vraag")).to_have_value("Wat is zorgplicht?")
    expect(page.locator(".turn")).to_have_count(0)
