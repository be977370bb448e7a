"""Fitting the answer model: its file (written by `fit-answers` for one order, read by the
service for it), and the question bank's examples as extra training data."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.answer_model import (
    ANSWER_ORDERS,
    FEATURES,
    AnswerModel,
    AnswerModelError,
    AnswerOrder,
)
from assistant.config import Settings
from assistant.engine import Engine
from assistant.intent import classify
from eval import cli
from eval.answer_fit import (
    BANK_SET,
    QuestionCandidates,
    collect_bank,
    cross_validate,
    fit,
    fit_logistic,
    write_model,
)
from eval.cli import build_parser
from eval.questions import Question


@pytest.mark.parametrize("order", ANSWER_ORDERS)
def test_a_model_is_read_for_the_order_it_was_fitted_on(order: AnswerOrder, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    write_model(AnswerModel.untrained(), {"min_confidence": 0.1, "order": order}, path)
    assert AnswerModel.load(path, order).min_confidence == 0.1
    (other,) = set(ANSWER_ORDERS) - {order}
    with pytest.raises(AnswerModelError, match=f"fitted on the {order} order, not the {other}"):
        AnswerModel.load(path, other)


def test_a_model_file_without_an_order_was_fitted_on_the_fusions(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    write_model(AnswerModel.untrained(), {"min_confidence": 0.1}, path)
    assert AnswerModel.load(path).features
    with pytest.raises(AnswerModelError, match="--order second-pass"):
        AnswerModel.load(path, "second-pass")


def test_fit_answers_writes_the_services_file_for_its_order() -> None:
    fit = ["fit-answers", "--questions", "eval/questions/dev.jsonl"]
    args = build_parser().parse_args([*fit, "--order", "second-pass"])
    assert args.out is None  # resolved by the order: Settings.answer_model_for
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.answer_model_for("fusion") == settings.answer_model_path
    assert settings.answer_model_for("second-pass") == settings.second_pass_model_path
    for order in ANSWER_ORDERS:  # the files the service ships are the ones it reads
        assert AnswerModel.load(settings.answer_model_for(order), order).features
    with pytest.raises(SystemExit):
        build_parser().parse_args([*fit, "--order", "reordered"])


def test_bank_examples_are_labelled_by_their_entrys_anchors(engine: Engine) -> None:
    bank = engine.store.bank
    assert bank is not None
    weights = engine.retriever.weights
    examples = collect_bank(engine, order="second-pass")
    assert engine.retriever.weights is weights  # the bank is on again afterwards
    entries = {a.entry.entry_id: a.entry for a in bank.entries}
    # Most entries' first question finds its anchor's passage with the bank off.
    assert len(entries) / 2 < len(examples) <= len(entries)
    bank_anchor = FEATURES.index("bank_anchor")
    for example in examples:
        entry = entries[example.question.id]
        assert example.set_name == BANK_SET
        assert example.question.question == entry.parents[0]
        assert example.labels.sum() >= 1
        # Searched with the bank off, their bank match is unknown (NaN), not absent (0).
        assert np.isnan(example.features[:, bank_anchor]).all()
        assert not np.isnan(np.delete(example.features, bank_anchor, axis=1)).any()
    # With the bank on, the same question's entry gives its anchors that feature.
    first = examples[0]
    query = engine.retriever.prepare(first.question.question)
    _, second = engine.retriever.retrieve_orders(query, k=engine.composer.max_passages)
    intent = classify(first.question.question)
    features = np.array([c.features for c in engine.composer.candidates(query, second, intent)])
    assert features[:, bank_anchor].any()


def test_a_bank_example_s_positive_is_its_anchor_sentence(engine: Engine) -> None:
    bank = engine.store.bank
    assert bank is not None
    entry = bank.entries[0].entry
    original = engine.retriever.weights
    engine.retriever.weights = replace(original, bank=0.0)
    try:
        query = engine.retriever.prepare(entry.parents[0])
        _, second = engine.retriever.retrieve_orders(query, k=engine.composer.max_passages)
        candidates = engine.composer.candidates(query, second, classify(entry.parents[0]))
    finally:
        engine.retriever.weights = original
    examples = collect_bank(engine, order="second-pass")
    (example,) = [e for e in examples if e.question.id == entry.entry_id]
    anchor_words = set(re.findall(r"\w+", entry.anchors[0].lower()))
    for candidate, label in zip(candidates, example.labels, strict=True):
        hit = second[candidate.hit_index]
        text = " ".join(
            hit.chunk.sentence(i) for i in range(candidate.unit.first, candidate.unit.last + 1)
        )
        shared = len(anchor_words & set(re.findall(r"\w+", text.lower())))
        assert (shared >= 0.6 * len(anchor_words)) == bool(label), text


def test_more_questions_per_entry_give_more_examples(engine: Engine) -> None:
    assert collect_bank(engine, per_entry=0) == []
    one = collect_bank(engine, order="fusion", per_entry=1)
    two = collect_bank(engine, order="fusion", per_entry=2)
    assert len(two) > len(one)
    assert {e.question.question for e in one} <= {e.question.question for e in two}


def _question(qid: str, answerable: bool = True) -> Question:
    return Question(
        id=qid,
        question=f"vraag {qid}",
        audience="ouder",
        topic="overig",
        answerable=answerable,
        evidence=(),
        must_mention=(),
        note="",
        line=1,
    )


def _candidates(
    qid: str, set_name: str, positive: int, rows: np.ndarray, answerable: bool = True
) -> QuestionCandidates:
    labels = np.zeros(len(rows))
    if answerable:
        labels[positive] = 1.0
    return QuestionCandidates(_question(qid, answerable), set_name, rows, labels, 0.0)


def _rows(rng: np.random.Generator, signal: int, positive: int) -> np.ndarray:
    """Four candidates; column `signal` is highest for the positive one."""
    rows = rng.normal(0.0, 1.0, (4, len(FEATURES)))
    rows[:, signal] = 0.0
    rows[positive, signal] = 1.0
    return rows


def test_extra_examples_train_every_fold_and_are_never_held_out() -> None:
    rng = np.random.default_rng(3)
    # The evaluation items: the answering sentence is the one with feature 0, but in only
    # half of them; in the others nothing tells it apart. The extra examples teach feature 0.
    items = []
    for i in range(30):
        positive = int(rng.integers(4))
        rows = _rows(rng, 0 if i % 2 else 1, positive)
        items.append(_candidates(f"q{i}", "dev", positive, rows))
    items.append(_candidates("u0", "dev", 0, rng.normal(0.0, 1.0, (4, len(FEATURES))), False))
    extra = []
    for i in range(60):
        positive = int(rng.integers(4))
        extra.append(_candidates(f"e{i}", BANK_SET, positive, _rows(rng, 0, positive)))
    with_extra, confidences = cross_validate(items, 1.0, extra)
    without, _ = cross_validate(items, 1.0)
    assert set(confidences) == {f"dev:{q.question.id}" for q in items}  # scored: items only
    assert with_extra.top1 > without.top1
    model, report = fit(items, extra=extra)
    assert report["bank_examples"]["questions"] == 60
    at_penalty, _ = cross_validate(items, report["penalty"])
    assert report["bank_examples"]["held_out_without_them"]["top1"] == round(at_penalty.top1, 3)
    assert report["held_out"]["top1"] > round(at_penalty.top1, 3)
    assert report["trained_on"] == ["dev"]
    assert model.weights[0] > 0
    _, plain = fit(items)
    assert "bank_examples" not in plain


def test_fit_answers_refuses_a_negative_number_of_bank_questions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fit_args = ["fit-answers", "--questions", "eval/questions/dev.jsonl"]
    assert build_parser().parse_args(fit_args).bank_questions == 0
    with pytest.raises(SystemExit) as exc:
        cli.main([*fit_args, "--bank-questions", "-1"])
    assert exc.value.code == 2
    assert "--bank-questions must be 0 or more, got -1" in capsys.readouterr().err


def test_an_unknown_value_stands_at_its_features_mean() -> None:
    rng = np.random.default_rng(5)

    def sample(n: int) -> tuple[np.ndarray, np.ndarray]:
        rows = rng.normal(0.0, 1.0, (n, len(FEATURES)))
        rows[:, 0] += 3.0  # a feature whose mean is far from 0, like most of them
        labels = (rows[:, 0] + 0.5 * rng.normal(0.0, 1.0, n) > 4.0).astype(np.float64)
        return rows, labels

    known, known_labels = sample(300)
    hidden, hidden_labels = sample(300)
    hidden[:, 0] = np.nan  # the same kind of rows, feature 0 not known for them
    rows, labels = np.vstack([known, hidden]), np.concatenate([known_labels, hidden_labels])
    model = fit_logistic(rows, labels, 1.0)
    alone = fit_logistic(known, known_labels, 1.0)
    assert model.mean[0] == pytest.approx(alone.mean[0])
    assert model.scale[0] == pytest.approx(alone.scale[0])
    assert np.isfinite(model.weights).all()
    # Standing at the mean, the unknown rows blur feature 0's weight somewhat (they are part of
    # the intercept's fit); read as 0 instead, they would say it hardly matters.
    assert model.weights[0] > 0.5 * alone.weights[0]
    as_zero = fit_logistic(np.nan_to_num(rows, nan=0.0), labels, 1.0)
    assert as_zero.weights[0] < 0.25 * model.weights[0]
