"""The features of a candidate answer sentence, on the real index."""

from __future__ import annotations

from assistant.answer_model import FEATURES
from assistant.engine import Engine
from assistant.intent import classify
from assistant.retrieval import Hit
from indexer.chunking import Chunk

SECTION = FEATURES.index("section")


def _runs_past_a_heading(engine: Engine, chunk: Chunk) -> bool:
    """Two sections, the second's title of two words or more and none of the first's."""
    terms = engine.composer.analyzer.terms
    sections = list(dict.fromkeys(chunk.sentence_sections))
    return (
        len(sections) == 2
        and len(set(terms(sections[1]))) >= 2
        and set(terms(sections[1])).isdisjoint(terms(sections[0]))
    )


def test_a_sentence_past_a_heading_is_matched_against_its_own_section(engine: Engine) -> None:
    # A section too short for a passage of its own runs on past the next heading: the
    # sentences after it stand in that section, and the question's words are looked for in
    # its title.
    chunk = next(c for c in engine.store.chunks if _runs_past_a_heading(engine, c))
    own = chunk.sentence_sections[-1]
    query = engine.retriever.prepare(own)
    hit = Hit(
        chunk=chunk,
        score=1.0,
        lexical=0.0,
        dense=0.5,
        sentence_scores=tuple(0.5 for _ in chunk.sentences),
    )
    candidates = engine.composer.candidates(query, [hit], classify(own))
    after = {c.features[SECTION] for c in candidates if chunk.sentence_section(c.unit.first) == own}
    before = {
        c.features[SECTION] for c in candidates if chunk.sentence_section(c.unit.first) != own
    }
    assert after == {1.0}  # every word of the question is in the title
    assert before == {0.0}  # the passage's first section holds none of them
