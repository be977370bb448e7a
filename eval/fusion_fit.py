"""One weight of the hybrid fusion (`assistant.retrieval.FusionWeights`), cross-validated.

Every answerable question of the given sets is searched once per value of the grid, with
the engine's other weights as they are; each search is judged with the harness's relevance
test (reciprocal rank at 10, success at 5). Five folds by question: for each fold the value
with the best mean MRR@10 on the other four is chosen, and the held-out fold is scored with
it. The report gives the held-out figures (what to quote), the pooled figures per value (the
fit, for reference) and the value chosen per fold; changing the default stays an editor's
decision in `FusionWeights`.

The blind set is never given to this module: it only ever gives final totals.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from assistant.engine import Engine
from assistant.retrieval import FusionWeights
from eval import metrics
from eval.questions import Question
from eval.relevance import Span, is_relevant

FOLDS = 5
RANK_CUTOFF = 10
SUCCESS_CUTOFF = 5


@dataclass(frozen=True, slots=True)
class Judged:
    """One question's retrieval with one weight value."""

    question_id: str
    audience: str
    reciprocal_rank: float
    success: float  # a relevant passage among the first SUCCESS_CUTOFF


def weight_names() -> tuple[str, ...]:
    """The fusion weights that can be fitted."""
    return tuple(f.name for f in fields(FusionWeights))


def judge_grid(
    engine: Engine, questions: Sequence[Question], weight: str, grid: Sequence[float]
) -> dict[float, list[Judged]]:
    """Per value of `weight`, every answerable question's search judged.

    The engine's current value comes first (tried whether or not the grid holds it); its
    weights are restored afterwards.

    Raises:
        ValueError: `weight` is not a field of `FusionWeights`, or the grid is empty.
    """
    if weight not in weight_names():
        raise ValueError(f"unknown fusion weight {weight!r}; choose from {list(weight_names())}")
    if not grid:
        raise ValueError("give at least one value to try")
    retriever = engine.retriever
    original = retriever.weights
    grid = list(dict.fromkeys([float(getattr(original, weight)), *grid]))
    answerable = [q for q in questions if q.answerable]
    judged: dict[float, list[Judged]] = {}
    try:
        for value in grid:
            retriever.weights = replace(original, **{weight: value})
            judged[value] = [_judge(engine, q) for q in answerable]
    finally:
        retriever.weights = original
    return judged


def _judge(engine: Engine, question: Question) -> Judged:
    hits = engine.search(question.question, k=RANK_CUTOFF)
    relevant = [
        is_relevant(h.chunk.doc_id, Span(h.chunk.char_start, h.chunk.char_end), question.evidence)
        for h in hits
    ]
    return Judged(
        question_id=question.id,
        audience=question.audience,
        reciprocal_rank=metrics.reciprocal_rank(relevant, RANK_CUTOFF),
        success=metrics.success_at_k(relevant, SUCCESS_CUTOFF),
    )


def folds(question_ids: Sequence[str], n: int = FOLDS, seed: int = 7) -> list[set[str]]:
    """`n` folds of question ids, shuffled with a fixed seed."""
    order = sorted(question_ids)
    random.Random(seed).shuffle(order)
    return [set(order[i::n]) for i in range(n)]


def cross_validate(judged: dict[float, list[Judged]], n: int = FOLDS) -> dict[str, Any]:
    """Held-out MRR@10 and success@5 (overall and per audience), the fit and the choices.

    The first value of `judged` is the current one: ties go to the value nearest to it, and
    its figures (`current`, nothing fitted) are what the held-out figures compare with.
    """
    values = list(judged)
    ids = [j.question_id for j in judged[values[0]]]
    by_value = {v: {j.question_id: j for j in judged[v]} for v in values}
    held_out: list[Judged] = []
    chosen: list[float] = []
    for fold in folds(ids, n):
        train = [i for i in ids if i not in fold]
        best = max(values, key=lambda v: (_mean_rr(by_value[v], train), -abs(v - values[0])))
        chosen.append(best)
        held_out += [by_value[best][i] for i in ids if i in fold]
    return {
        "questions": len(ids),
        "chosen_per_fold": chosen,
        "held_out": _summary(held_out),
        "current": {"value": values[0], **_summary(judged[values[0]])},
        "fit": {str(v): _summary(judged[v]) for v in values},
    }


def _mean_rr(judged: dict[str, Judged], ids: Sequence[str]) -> float:
    return sum(judged[i].reciprocal_rank for i in ids) / max(1, len(ids))


def _summary(judged: Sequence[Judged]) -> dict[str, Any]:
    def of(group: Sequence[Judged]) -> dict[str, float | None]:
        return {
            f"mrr@{RANK_CUTOFF}": metrics.mean(j.reciprocal_rank for j in group),
            f"recall@{SUCCESS_CUTOFF}": metrics.mean(j.success for j in group),
        }

    audiences = sorted({j.audience for j in judged})
    return {
        **of(judged),
        "by_audience": {a: of([j for j in judged if j.audience == a]) for a in audiences},
    }
