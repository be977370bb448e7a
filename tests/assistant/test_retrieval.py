"""The retriever's signals, on the session's real index."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.engine import Engine
from assistant.retrieval import FusionWeights, Retriever, rule_prior
from indexer.embedding import normalise
from indexer.lexical import sentence_windows
from tests.embedders import CountingEmbedder


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
    # Each passage scores its best window: the maximum, not the sum, over its windows.
    raw = retriever._bm25(engine.store.windows, query)
    owner = engine.store.sentence_owner
    for row in range(len(engine.store.chunks)):
        assert windows[row] == pytest.approx(raw[owner == row].max(initial=0.0))
    assert any((raw[owner == row] > 0).sum() > 1 for row in range(len(engine.store.chunks)))
    best = int(np.argmax(windows))
    assert "leerplicht" in engine.store.chunks[best].text.lower()
    # A question of words the corpus does not know scores no window.
    assert not retriever.window_scores(retriever.prepare("xyzzy plugh")).any()


def test_rule_passages_get_a_higher_prior_than_stories() -> None:
    rule = "De school moet een passend aanbod doen; dat is wettelijk verplicht."
    story = "Mijn zoon zegt: “ik wil niet”. We vertellen het verhaal van Julia."
    assert rule_prior(rule) > 0 > rule_prior(story)


def test_a_story_then_a_question_leans_towards_the_asking_sentence(engine: Engine) -> None:
    recording = CountingEmbedder(engine.retriever.embedder)
    focused = Retriever(engine.store, recording, engine.glossary, weights=FusionWeights(focus=0.25))
    story = "Mijn dochter zit sinds de zomer thuis, de school heeft geen plek."
    asked = "Wie moet er zorgen voor een passende plek?"
    _, sentences = focused.dense_scores(focused.prepare(f"{story} {asked}"))
    assert recording.queries == [f"{story} {asked}", asked]
    expected = normalise(
        recording.real.embed_query(f"{story} {asked}") + 0.25 * recording.real.embed_query(asked)
    )[0]
    assert np.allclose(sentences, engine.store.sentence_vectors @ expected, atol=1e-5)
    # One sentence, or an asking sentence too short to stand alone: the question only.
    for question in (asked, f"{story} Mag dat?"):
        recording.queries.clear()
        focused.dense_scores(focused.prepare(question))
        assert recording.queries == [question]
    # The generic dense baseline embeds the whole question only.
    recording.queries.clear()
    focused.search(f"{story} {asked}", mode="dense")
    assert recording.queries == [f"{story} {asked}"]
    # Weight 0: the whole question only, as before.
    plain = Retriever(engine.store, recording, engine.glossary, weights=FusionWeights(focus=0))
    recording.queries.clear()
    plain.dense_scores(plain.prepare(f"{story} {asked}"))
    assert recording.queries == [f"{story} {asked}"]


def test_near_duplicate_pairs_are_worked_out_once_and_as_the_jaccard_says(engine: Engine) -> None:
    retriever = engine.retriever
    words = [frozenset(c.text.lower().split()) for c in engine.store.chunks]
    found = 0
    for a in range(len(words)):
        for b in range(a + 1, len(words)):
            jaccard = len(words[a] & words[b]) / max(1, len(words[a] | words[b]))
            assert retriever._jaccard_at_least(a, b) is (jaccard >= 0.8), (a, b)
            found += jaccard >= 0.8
    assert found >= 1  # the corpus has a near-duplicate pair: both answers are checked
    retriever._duplicate_pairs.clear()
    first = [h.chunk.chunk_id for h in retriever.search("wie betaalt de begeleiding op school")]
    kept = len(retriever._duplicate_pairs)
    assert kept > 0  # the pairs the search compared
    again = [h.chunk.chunk_id for h in retriever.search("wie betaalt de begeleiding op school")]
    assert again == first and len(retriever._duplicate_pairs) == kept
