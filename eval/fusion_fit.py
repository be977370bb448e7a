"""One weight of the hybrid fusion (`assistant.retrieval.FusionWeights`), cross-validated.

Besides the weights, the second pass's depth (`Retriever.reorder_depth`, whole numbers) can be
fitted the same way.

Every question of the given sets is searched and answered once per value of the grid, with
the engine's other weights as they are; each search is judged with the harness's relevance
test (reciprocal rank at 10, success at 5), each answer by whether it refused. Five folds by
question: for each fold the value with the best mean MRR@10 on the other four is chosen among
the values that refuse no more of their answerable questions and answer no more of their
unanswerable ones than the current value does (the answer model was fitted on the current
fusion: a weight that ranks better but shifts its features can cost answers), and the
held-out fold is scored with it. The report gives the held-out figures (what to quote), the
pooled figures per value (the fit, for reference) and the value chosen per fold; changing
the default stays an editor's decision in `FusionWeights` (the depth: `Settings.reorder_depth`).

The blind and short sets are never given to this module: they only ever give final totals.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from assistant.config import Settings
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
    """One question's retrieval and answer with one weight value."""

    question_id: str
    audience: str
    reciprocal_rank: float  # 0 for an unanswerable question (not counted in the means)
    success: float  # a relevant passage among the first SUCCESS_CUTOFF
    answerable: bool = True  # the question set's label
    refused: bool = False  # the answer said "niet in de bronnen"

    @property
    def wrong_refusal(self) -> bool:
        """Refused an answerable question, or answered an unanswerable one."""
        return self.refused == self.answerable


# A setting of the retriever itself rather than a weight of the sum: how many of the fusion's
# first passages the second pass orders again.
DEPTH = "reorder_depth"
MAX_DEPTH = next(
    int(m.le) for m in Settings.model_fields[DEPTH].metadata if getattr(m, "le", None) is not None
)  # the most `Settings.reorder_depth` takes


def weight_names() -> tuple[str, ...]:
    """The fusion weights that can be fitted, and the second pass's depth."""
    return (*(f.name for f in fields(FusionWeights)), DEPTH)


def judge_grid(
    engine: Engine, questions: Sequence[Question], weight: str, grid: Sequence[float]
) -> dict[float, list[Judged]]:
    """Per value of `weight`, every question's search and answer judged.

    The engine's current value comes first (tried whether or not the grid holds it); its
    weights are restored afterwards.

    Raises:
        ValueError: `weight` is not one of `weight_names()`, the grid is empty, or a depth is
            not a whole number.
    """
    if weight not in weight_names():
        raise ValueError(f"unknown fusion weight {weight!r}; choose from {list(weight_names())}")
    if not grid:
        raise ValueError("give at least one value to try")
    if weight == DEPTH and any(v != int(v) or v > MAX_DEPTH for v in grid):
        raise ValueError(f"{DEPTH} takes whole numbers up to {MAX_DEPTH}, got {list(grid)}")
    retriever = engine.retriever
    original, original_depth = retriever.weights, retriever.reorder_depth
    current = original_depth if weight == DEPTH else getattr(original, weight)
    grid = list(dict.fromkeys([float(current), *grid]))
    judged: dict[float, list[Judged]] = {}
    try:
        for value in grid:
            if weight == DEPTH:
                retriever.reorder_depth = int(value)
            else:
                retriever.weights = replace(original, **{weight: value})
            engine.answers.clear()  # answers given with the other weights
            judged[value] = [_judge(engine, q) for q in questions]
    finally:
        retriever.weights, retriever.reorder_depth = original, original_depth
        engine.answers.clear()
    return judged


def _judge(engine: Engine, question: Question) -> Judged:
    refused = not engine.ask(question.question).answerable
    if not question.answerable:
        return Judged(
            question_id=question.id,
            audience=question.audience,
            reciprocal_rank=0.0,
            success=0.0,
            answerable=False,
            refused=refused,
        )
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
        refused=refused,
    )


def folds(question_ids: Sequence[str], n: int = FOLDS, seed: int = 7) -> list[set[str]]:
    """`n` folds of question ids, shuffled with a fixed seed."""
    order = sorted(question_ids)
    random.Random(seed).shuffle(order)
    return [set(order[i::n]) for i in range(n)]


def cross_validate(judged: dict[float, list[Judged]], n: int = FOLDS) -> dict[str, Any]:
    """Held-out MRR@10, success@5 and refusals (overall and per audience), the fit, the choices.

    The first value of `judged` is the current one: ties go to the value nearest to it, its
    wrong refusals on the training folds bound the others', and its figures (`current`,
    nothing fitted) are what the held-out figures compare with.
    """
    values = list(judged)
    ids = [j.question_id for j in judged[values[0]]]
    by_value = {v: {j.question_id: j for j in judged[v]} for v in values}
    held_out: list[Judged] = []
    chosen: list[float] = []
    for fold in folds(ids, n):
        train = [i for i in ids if i not in fold]
        bound = _wrong_refusals(by_value[values[0]], train)
        eligible = [
            v
            for v in values
            if all(a <= b for a, b in zip(_wrong_refusals(by_value[v], train), bound, strict=True))
        ]
        best = max(eligible, key=lambda v: (_mean_rr(by_value[v], train), -abs(v - values[0])))
        chosen.append(best)
        held_out += [by_value[best][i] for i in ids if i in fold]
    return {
        "questions": len(ids),
        "answerable": sum(j.answerable for j in judged[values[0]]),
        "chosen_per_fold": chosen,
        "held_out": _summary(held_out),
        "current": {"value": values[0], **_summary(judged[values[0]])},
        "fit": {str(v): _summary(judged[v]) for v in values},
    }


def _mean_rr(judged: dict[str, Judged], ids: Sequence[str]) -> float:
    answerable = [judged[i] for i in ids if judged[i].answerable]
    return sum(j.reciprocal_rank for j in answerable) / max(1, len(answerable))


def _wrong_refusals(judged: dict[str, Judged], ids: Sequence[str]) -> tuple[int, int]:
    """Refused answerable questions and answered unanswerable ones among `ids`."""
    rows = [judged[i] for i in ids]
    return (
        sum(j.wrong_refusal for j in rows if j.answerable),
        sum(j.wrong_refusal for j in rows if not j.answerable),
    )


def _summary(judged: Sequence[Judged]) -> dict[str, Any]:
    def of(group: Sequence[Judged]) -> dict[str, float | None]:
        answerable = [j for j in group if j.answerable]
        return {
            f"mrr@{RANK_CUTOFF}": metrics.mean(j.reciprocal_rank for j in answerable),
            f"recall@{SUCCESS_CUTOFF}": metrics.mean(j.success for j in answerable),
            "refused_answerable": metrics.mean(float(j.refused) for j in answerable),
            "refused_unanswerable": metrics.mean(
                float(j.refused) for j in group if not j.answerable
            ),
        }

    audiences = sorted({j.audience for j in judged})
    return {
        **of(judged),
        "by_audience": {a: of([j for j in judged if j.audience == a]) for a in audiences},
    }
