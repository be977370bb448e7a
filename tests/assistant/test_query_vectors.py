"""The engine primes the query cache with the questions the start page offers."""

from __future__ import annotations

import re

from assistant.engine import START_PAGE, Engine, offered_questions
from indexer.embedding import QueryCache


def test_the_start_pages_examples_are_found() -> None:
    page = START_PAGE.read_text("utf-8")
    examples = offered_questions()
    assert len(examples) == page.count('class="example"') >= 3
    assert all(re.fullmatch(r"[A-Z].+\?", q) for q in examples)


def test_an_example_question_is_answered_without_a_model_call(engine: Engine) -> None:
    queries = engine.retriever.embedder
    assert isinstance(queries, QueryCache)
    misses = queries.misses
    for question in offered_questions():
        assert engine.ask(question).sentences
    assert queries.misses == misses
    engine.ask("Een vraag die nog niemand stelde over de zorgplicht?")
    engine.ask("Een vraag die nog niemand stelde over de zorgplicht?")
    assert queries.misses == misses + 1
