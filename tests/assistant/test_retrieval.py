"""The retriever's signals, on the session's real index."""

from __future__ import annotations

import numpy as np

from assistant.engine import Engine
from assistant.retrieval import rule_prior
from indexer.lexical import sentence_windows


def test_every_sentence_starts_one_window_inside_its_own_passage(engine: Engine) -> None:
    chunks = engine.store.chunks
    texts, owners = sentence_windows(chunks), engine.store.sentence_owner
    assert len(texts) == len(owners) == len(engine.store.windows)
    assert len(texts) == sum(len(c.sentences) for c in chunks)
    assert np.all(np.diff(owners) >= 0)
    for text, owner in zip(texts[:200], owners[:200], strict=True):
        chunk = chunks[owner]
        assert " ".join(text.split()[:5]) in " ".join(chunk.text.split())
        assert len(text.split()) <= chunk.word_count


def test_a_passage_scores_its_best_window(engine: Engine) -> None:
    retriever = engine.retriever
    query = retriever.prepare("Wat is een leerplichtontheffing op grond van 5 onder a?")
    windows = retriever.window_scores(query)
    assert windows.shape == (len(engine.store.chunks),)
    best = int(np.argmax(windows))
    assert "leerplicht" in engine.store.chunks[best].text.lower()
    # A question of words the corpus does not know scores no window.
    assert not retriever.window_scores(retriever.prepare("xyzzy plugh")).any()


def test_rule_passages_get_a_higher_prior_than_stories() -> None:
    rule = "De school moet een passend aanbod doen; dat is wettelijk verplicht."
    story = "Mijn zoon zegt: “ik wil niet”. We vertellen het verhaal van Julia."
    assert rule_prior(rule) > 0 > rule_prior(story)
