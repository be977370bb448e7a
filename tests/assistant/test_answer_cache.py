"""A question asked again gets the answer given before, without retrieval or answering."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from assistant.engine import AnswerCache, Engine
from assistant.retrieval import Hit


def test_a_repeated_question_skips_retrieval_and_gets_the_same_answer(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = replace(engine, answers=AnswerCache(8))  # its own cache, whatever the settings
    calls: list[str] = []
    retrieve, retrieve_orders = engine.retriever.retrieve, engine.retriever.retrieve_orders

    # An answer reads both orders, or the fusion's alone (a follow-up, a baseline's mode).
    def counting_orders(query: Any, **kwargs: Any) -> tuple[Sequence[Hit], Sequence[Hit]]:
        calls.append(query.text)
        return retrieve_orders(query, **kwargs)

    def counting(query: Any, **kwargs: Any) -> list[Hit]:
        calls.append(query.text)
        return retrieve(query, **kwargs)

    monkeypatch.setattr(engine.retriever, "retrieve_orders", counting_orders)
    monkeypatch.setattr(engine.retriever, "retrieve", counting)
    question = "Wie betaalt de verzorging van een kind in de klas, als het een cache test is?"
    first = engine.ask(question)
    again = engine.ask(question)
    assert again is first and len(calls) == 1
    # Another conversation or another mode is another question.
    follow_up = engine.ask(question, ["Mijn dochter heeft veel zorg nodig."])
    bm25 = engine.ask(question, mode="bm25")
    assert len(calls) == 3 and follow_up is not first and bm25 is not first
    assert len(engine.answers) == 3


def test_the_key_tells_every_part_apart() -> None:
    key = AnswerCache.key
    keys = {
        key("Mag dat?", (), "hybrid"),
        key("Mag dat?", ("Mijn zoon is ziek.",), "hybrid"),
        key("Mag dat?", ("Mijn zoon", "is ziek."), "hybrid"),
        key("Mag dat?", (), "bm25"),
        key("Mag dat ?", (), "hybrid"),
    }
    assert len(keys) == 5 and key("Mag dat?", (), "hybrid") in keys


def test_the_cache_keeps_the_most_recently_asked() -> None:
    cache = AnswerCache(2)
    answers = [object(), object(), object()]
    keys = [AnswerCache.key(f"vraag {i}?", (), "hybrid") for i in range(3)]
    cache.put(keys[0], answers[0])  # type: ignore[arg-type]
    cache.put(keys[1], answers[1])  # type: ignore[arg-type]
    assert cache.get(keys[0]) is answers[0]  # now the most recent
    cache.put(keys[2], answers[2])  # type: ignore[arg-type]
    assert len(cache) == 2
    assert cache.get(keys[1]) is None
    assert cache.get(keys[0]) is answers[0] and cache.get(keys[2]) is answers[2]
    cache.clear()
    assert len(cache) == 0 and cache.get(keys[0]) is None


def test_size_zero_keeps_nothing() -> None:
    cache = AnswerCache(0)
    key = AnswerCache.key("Mag dat?", ("Eerder gevraagd.",), "hybrid")
    cache.put(key, object())  # type: ignore[arg-type]
    assert len(cache) == 0 and cache.get(key) is None
