"""Fitting the answer-sentence model (`assistant.answer_model`) on question sets.

For every answerable question the engine retrieves its passages and lists the candidate
sentences with their features, exactly as the service does; a candidate is positive when its
span of the original text covers an evidence quote (the harness's relevance test). A logistic
regression with an L2 penalty (iteratively reweighted least squares, in numpy) is fitted on the
pooled candidates; cross-validation by question, with folds that never split a question,
reports how often the held-out questions' best sentence holds the evidence, and picks the
penalty. The refusal threshold is chosen on the held-out folds' confidences too: the highest
that refuses at most `max_refused` of the answerable questions of every set.

The question bank can add training examples (`collect_bank`): an entry's parents' questions,
searched with the bank off so that no bank feature gives the answer away, their candidates
labelled by the entry's anchors. They join the training folds only; what is held out and
scored is always the evaluation questions, and the refusal threshold is chosen on those alone.

The blind and short sets are never given to this module: they only ever give final totals.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from assistant.answer_model import FEATURES, AnswerModel, AnswerOrder
from assistant.answering import Candidate
from assistant.engine import Engine
from assistant.intent import classify
from assistant.retrieval import Hit
from eval.backends import EvaluationError
from eval.questions import Question, Topic
from eval.relevance import Span, covers_quote

Matrix = npt.NDArray[np.float64]
Vector = npt.NDArray[np.float64]

PENALTIES = (0.3, 1.0, 3.0, 10.0, 30.0)
FOLDS = 5
_NEWTON_STEPS = 60


@dataclass(frozen=True, slots=True)
class QuestionCandidates:
    """One question's candidate sentences: features, labels, and what refusal needs."""

    question: Question
    set_name: str
    features: Matrix  # candidates x FEATURES
    labels: Vector  # 1.0 where the candidate covers an evidence quote
    unknown_share: float


@dataclass(frozen=True, slots=True)
class FoldScores:
    """Held-out ranking quality: shares of answerable questions (with at least one candidate)."""

    top1: float  # the best sentence holds the evidence
    top2: float  # one of the best two does
    top5: float  # one of the best five does
    reachable: float  # some candidate does (the ceiling that retrieval leaves)


def collect(
    engine: Engine, questions: Sequence[Question], set_name: str, *, order: AnswerOrder = "fusion"
) -> list[QuestionCandidates]:
    """Candidates and labels of every question, through the service's own code path.

    `order` says which passages the model is fitted on, as `Engine.ask` reads them: the
    fusion's (the model that decides whether to answer) or the second pass's (the one that
    then picks the sentences).
    """
    composer, retriever = engine.composer, engine.retriever
    collected: list[QuestionCandidates] = []
    for question in questions:
        query = retriever.prepare(question.question)
        fusion, second = retriever.retrieve_orders(query, k=composer.max_passages)  # as `ask`
        hits = fusion if order == "fusion" else second
        candidates = composer.candidates(query, hits, classify(question.question))
        labels = [
            float(
                any(
                    covers_quote(hits[c.hit_index].chunk.doc_id, _origin(hits, c), e)
                    for e in question.evidence
                )
            )
            for c in candidates
        ]
        collected.append(
            QuestionCandidates(
                question=question,
                set_name=set_name,
                features=np.array([c.features for c in candidates], dtype=np.float64).reshape(
                    -1, len(FEATURES)
                ),
                labels=np.array(labels, dtype=np.float64),
                unknown_share=composer.unknown_share(query),
            )
        )
    return collected


BANK_SET = "bank"
_BANK_ANCHOR = FEATURES.index("bank_anchor")


def collect_bank(engine: Engine, *, per_entry: int = 1) -> list[QuestionCandidates]:
    """Training examples from the question bank: each entry's first `per_entry` parents' questions.

    Each question is searched with the bank off (its own entry would match it perfectly and
    give the answer away through `bank_anchor`), so its passages are in the fusion's order
    whichever model is fitted: the second pass needs the bank. A candidate is positive when it
    holds one of the entry's anchor sentences. Their `bank_anchor` is unknown, not 0: it is
    NaN, which `fit_logistic` reads as that feature's mean over the examples that know it.
    Questions with no positive candidate (the anchor's passage not retrieved) are left out:
    they say nothing about which sentence answers.

    Raises:
        EvaluationError: examples are asked for and the index has no question bank.
    """
    if per_entry < 1:
        return []
    composer, retriever = engine.composer, engine.retriever
    bank = engine.store.bank
    if bank is None or not len(bank.entries):
        raise EvaluationError("--bank-questions needs an index built with a question bank")
    original = retriever.weights
    collected: list[QuestionCandidates] = []
    try:
        retriever.weights = replace(original, bank=0.0)
        for anchored in bank.entries:
            entry = anchored.entry
            for number, text in enumerate(entry.parents[:per_entry], start=1):
                query = retriever.prepare(text)
                hits = retriever.retrieve(query, k=composer.max_passages, reorder=False)
                candidates = composer.candidates(query, hits, classify(text))
                # A candidate is positive when it holds the entry's anchor in its passage.
                anchors = [composer.anchored(h.chunk.chunk_id, entry.entry_id) for h in hits]
                labels = [float(c.unit.holds_any(anchors[c.hit_index])) for c in candidates]
                if not any(labels):
                    continue
                question = Question(
                    id=f"{entry.entry_id}#{number}",
                    question=text,
                    audience="ouder",
                    topic=cast(Topic, entry.topic),  # the bank's topics are the sets' six
                    answerable=True,
                    evidence=(),
                    must_mention=(),
                    note="",
                    line=0,
                )
                features = np.array([c.features for c in candidates], dtype=np.float64)
                features[:, _BANK_ANCHOR] = np.nan
                collected.append(
                    QuestionCandidates(
                        question=question,
                        set_name=BANK_SET,
                        features=features,
                        labels=np.array(labels, dtype=np.float64),
                        unknown_share=composer.unknown_share(query),
                    )
                )
    finally:
        retriever.weights = original
    return collected


def _origin(hits: Sequence[Hit], candidate: Candidate) -> Span:
    """The candidate's span of the original document text."""
    chunk = hits[candidate.hit_index].chunk
    origins = chunk.sentence_origins
    return Span(origins[candidate.unit.first][0], origins[candidate.unit.last][1])


def fit_logistic(features: Matrix, labels: Vector, penalty: float) -> AnswerModel:
    """An L2-penalised logistic regression on standardised features (Newton's method).

    A NaN is a value the example cannot know: it is left out of its feature's mean and scale
    and then stands at that mean (0 once standardised), where it adds nothing to that
    feature's gradient; 0 would pull the weight towards what a 0 means. A feature no row
    knows gets mean 0, scale 1 and, standing at 0 everywhere, no weight.
    """
    known = np.count_nonzero(~np.isnan(features), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):  # a column no row knows: 0 and 1
        mean = np.where(known > 0, np.nansum(features, axis=0) / known, 0.0)
        scale = np.sqrt(np.nansum((features - mean) ** 2, axis=0) / np.maximum(known, 1))
    scale[~(scale >= 1e-6)] = 1.0  # constant (or unknown); written to 6 decimals, never 0
    standardised = np.nan_to_num((features - mean) / scale, nan=0.0)
    x = np.hstack([standardised, np.ones((len(features), 1))])
    weights = np.zeros(x.shape[1])
    ridge = np.full(x.shape[1], penalty)
    ridge[-1] = 0.0  # the intercept is not penalised
    for _ in range(_NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(x @ weights)))
        gradient = x.T @ (p - labels) + ridge * weights
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(ridge)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return AnswerModel(
        features=FEATURES,
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        weights=tuple(float(v) for v in weights[:-1]),
        intercept=float(weights[-1]),
    )


def folds(items: Sequence[QuestionCandidates], n: int = FOLDS, seed: int = 7) -> list[list[int]]:
    """Question indices split into `n` folds, each set spread over all folds."""
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    order.sort(key=lambda i: items[i].set_name)  # stable: shuffled within each set
    return [order[k::n] for k in range(n)]


def _stack(items: Sequence[QuestionCandidates]) -> tuple[Matrix, Vector]:
    rows = [q.features for q in items if len(q.features)]
    labels = [q.labels for q in items if len(q.labels)]
    return np.vstack(rows), np.concatenate(labels)


def cross_validate(
    items: Sequence[QuestionCandidates],
    penalty: float,
    extra: Sequence[QuestionCandidates] = (),
) -> tuple[FoldScores, dict[str, float]]:
    """Held-out ranking scores, and each question's held-out confidence (by question id).

    `extra` (the bank's examples) joins every training fold and is never held out.
    """
    hits = {1: 0, 2: 0, 5: 0}
    reachable = 0
    ranked = 0
    confidences: dict[str, float] = {}
    for fold in folds(items):
        held = set(fold)
        training = [q for i, q in enumerate(items) if i not in held]
        model = fit_logistic(*_stack([*training, *extra]), penalty)
        for i in fold:
            item = items[i]
            p = model.predict(item.features)
            confidences[_key(item)] = float(p.max()) * (1 - item.unknown_share) if len(p) else 0.0
            if not item.question.answerable:
                continue
            ranked += 1
            order = np.argsort(-p, kind="stable")
            reachable += bool(item.labels.sum())
            for k in hits:
                hits[k] += bool(item.labels[order[:k]].sum()) if len(p) else 0

    def share(n: int) -> float:
        return n / ranked if ranked else 0.0

    scores = FoldScores(share(hits[1]), share(hits[2]), share(hits[5]), share(reachable))
    return scores, confidences


def _key(item: QuestionCandidates) -> str:
    return f"{item.set_name}:{item.question.id}"


def refusal_threshold(
    items: Sequence[QuestionCandidates], confidences: dict[str, float], max_refused: float
) -> tuple[float, dict[str, dict[str, float]]]:
    """The highest threshold refusing at most `max_refused` of every set's answerable questions.

    Returns the threshold and, per set, the shares of answerable and unanswerable questions it
    refuses (on the held-out confidences).
    """
    sets = sorted({q.set_name for q in items})
    candidates = sorted({round(c, 3) for c in confidences.values()} | {0.0})
    best = 0.0
    for threshold in candidates:
        if all(_refused(items, confidences, s, threshold, True) <= max_refused for s in sets):
            best = threshold
    report = {
        s: {
            "refused_answerable": _refused(items, confidences, s, best, True),
            "refused_unanswerable": _refused(items, confidences, s, best, False),
        }
        for s in sets
    }
    return best, report


def _refused(
    items: Sequence[QuestionCandidates],
    confidences: dict[str, float],
    set_name: str,
    threshold: float,
    answerable: bool,
) -> float:
    group = [q for q in items if q.set_name == set_name and q.question.answerable == answerable]
    if not group:
        return 0.0
    return sum(confidences[_key(q)] < threshold for q in group) / len(group)


def fit(
    items: Sequence[QuestionCandidates],
    *,
    max_refused: float = 0.06,
    extra: Sequence[QuestionCandidates] = (),
) -> tuple[AnswerModel, dict[str, Any]]:
    """Choose the penalty by cross-validation, fit on everything, and report the folds.

    `extra` examples (`collect_bank`) are trained on in every fold and in the final fit; the
    report then gives the held-out scores without them too, on the same folds, at the same
    penalty and at the penalty the folds choose without them.
    """
    answerable = [q for q in items if q.question.answerable]
    results = {penalty: cross_validate(items, penalty, extra) for penalty in PENALTIES}
    penalty = max(PENALTIES, key=lambda p: (results[p][0].top1, results[p][0].top2))
    scores, confidences = results[penalty]
    threshold, refusals = refusal_threshold(items, confidences, max_refused)
    model = fit_logistic(*_stack([*items, *extra]), penalty)
    report: dict[str, Any] = {
        "trained_on": sorted({q.set_name for q in items}),
        "questions": len(items),
        "answerable": len(answerable),
        "candidates": int(sum(len(q.labels) for q in answerable)),
        "positives": int(sum(q.labels.sum() for q in answerable)),
        "penalty": penalty,
        "cross_validation": {str(p): _rounded(r[0]) for p, r in results.items()},
        "held_out": _rounded(scores),
        "min_confidence": threshold,
        "refusals_held_out": {
            s: {k: round(v, 3) for k, v in r.items()} for s, r in refusals.items()
        },
    }
    if extra:
        report["trained_on"].append(BANK_SET)
        plain = {p: cross_validate(items, p)[0] for p in PENALTIES}
        own = max(PENALTIES, key=lambda p: (plain[p].top1, plain[p].top2))
        report["bank_examples"] = {
            "questions": len(extra),
            "candidates": int(sum(len(q.labels) for q in extra)),
            "positives": int(sum(q.labels.sum() for q in extra)),
            # Without them: at the penalty chosen with them, and at the one chosen without.
            "held_out_without_them": _rounded(plain[penalty]),
            "held_out_without_them_own_penalty": {"penalty": own, **_rounded(plain[own])},
        }
    return model, report


def _rounded(scores: FoldScores) -> dict[str, float]:
    return {
        "top1": round(scores.top1, 3),
        "top2": round(scores.top2, 3),
        "top5": round(scores.top5, 3),
        "reachable": round(scores.reachable, 3),
    }


def write_model(model: AnswerModel, report: dict[str, Any], path: Path) -> None:
    """Write the model file the service loads, with the fitting report beside the weights."""
    data = {
        "features": list(model.features),
        "mean": [round(v, 6) for v in model.mean],
        "scale": [round(v, 6) for v in model.scale],
        "weights": [round(v, 6) for v in model.weights],
        "intercept": round(model.intercept, 6),
        "min_confidence": report["min_confidence"],
        "fit": report,
    }
    for name in ("mean", "scale", "weights"):
        if not all(math.isfinite(v) for v in data[name]):
            raise EvaluationError(f"the fitted model's {name} holds a value that is no number")
    text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False)  # NaN: no model
    path.write_text(text + "\n", encoding="utf-8")
