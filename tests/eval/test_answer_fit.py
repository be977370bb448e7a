"""Fitting the answer model: its file (written by `fit-answers` for one order, read by the
service for it), and the question bank's examples as extra training data."""

from __future__ import annotations

import re
import warnings
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

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
from eval import answer_fit, cli
from eval.answer_fit import (
    BANK_SET,
    QuestionCandidates,
    collect_bank,
    cross_validate,
    fit,
    fit_logistic,
    write_model,
)
from eval.backends import EvaluationError
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


@pytest.fixture(scope="module")
def bank_examples(engine: Engine) -> list[QuestionCandidates]:
    """Every entry's first parents' question as a training example, collected once."""
    weights = engine.retriever.weights
    examples = collect_bank(engine)
    assert engine.retriever.weights is weights  # the bank is on again afterwards
    return examples


def test_bank_examples_are_first_questions_whose_bank_match_is_unknown(
    engine: Engine, bank_examples: list[QuestionCandidates]
) -> None:
    bank = engine.store.bank
    assert bank is not None
    entries = {a.entry.entry_id: a.entry for a in bank.entries}
    # Many entries' first question finds its anchor's passage with the bank off.
    assert len(entries) / 2 < len(bank_examples) <= len(entries)
    bank_anchor = FEATURES.index("bank_anchor")
    for example in bank_examples:
        entry_id, number = example.question.id.split("#")
        assert number == "1"
        assert example.set_name == BANK_SET
        assert example.question.question == entries[entry_id].parents[0]
        assert example.labels.sum() >= 1
        # Searched with the bank off, their bank match is unknown (NaN), not absent (0).
        assert np.isnan(example.features[:, bank_anchor]).all()
        assert not np.isnan(np.delete(example.features, bank_anchor, axis=1)).any()
    # With the bank on, the same question's entry gives its anchors that feature.
    first = bank_examples[0]
    query = engine.retriever.prepare(first.question.question)
    _, second = engine.retriever.retrieve_orders(query, k=engine.composer.max_passages)
    intent = classify(first.question.question)
    features = np.array([c.features for c in engine.composer.candidates(query, second, intent)])
    assert features[:, bank_anchor].any()


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def test_a_bank_example_s_positives_hold_its_anchor(
    engine: Engine, bank_examples: list[QuestionCandidates]
) -> None:
    store = engine.store
    bank = store.bank
    assert bank is not None
    entries = {a.entry.entry_id: a.entry for a in bank.entries}
    rows = {a.entry.entry_id: a.chunk_rows for a in bank.entries}
    checked = 0
    for example in bank_examples[:40]:
        entry = entries[example.question.id.split("#")[0]]
        original = engine.retriever.weights
        engine.retriever.weights = replace(original, bank=0.0)
        try:
            query = engine.retriever.prepare(example.question.question)
            hits = engine.retriever.retrieve(query, k=engine.composer.max_passages)
            intent = classify(example.question.question)
            candidates = engine.composer.candidates(query, hits, intent)
        finally:
            engine.retriever.weights = original
        assert len(candidates) == len(example.labels)
        anchors = [_words(a) for a in entry.anchors]
        anchor_chunks = {store.chunks[row].chunk_id for row in rows[entry.entry_id]}
        for candidate, label in zip(candidates, example.labels, strict=True):
            chunk = hits[candidate.hit_index].chunk
            unit = candidate.unit
            sentences = [_words(chunk.sentence(i)) for i in range(unit.first, unit.last + 1)]
            holds = any(len(a & s) >= 0.8 * len(a) for a in anchors for s in sentences)
            # A positive holds nearly every word of an anchor; in the anchor's own passage,
            # no other candidate does. (Elsewhere a sentence may share most of its words.)
            if label or chunk.chunk_id in anchor_chunks:
                assert holds == bool(label), (entry.entry_id, chunk.sentence(unit.first))
        checked += 1
    assert checked == min(40, len(bank_examples))


def test_more_questions_per_entry_give_more_examples(
    engine: Engine, bank_examples: list[QuestionCandidates]
) -> None:
    assert collect_bank(engine, per_entry=0) == []
    two = collect_bank(engine, per_entry=2)
    assert len(two) > len(bank_examples)
    assert {e.question.question for e in bank_examples} <= {e.question.question for e in two}
    assert len({e.question.id for e in two}) == len(two)  # "<entry>#1", "<entry>#2"


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


def test_extra_examples_train_every_fold_and_are_never_held_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
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
    trained: list[int] = []

    def recording(features: np.ndarray, labels: np.ndarray, penalty: float) -> AnswerModel:
        trained.append(len(labels))
        return fit_logistic(features, labels, penalty)

    monkeypatch.setattr(answer_fit, "fit_logistic", recording)
    with_extra, confidences = cross_validate(items, 1.0, extra)
    monkeypatch.undo()
    # Five folds, each trained on its four other folds' rows and every extra row.
    item_rows = sum(len(q.labels) for q in items)
    extra_rows = sum(len(q.labels) for q in extra)
    assert len(trained) == 5
    assert all(extra_rows < n < item_rows + extra_rows for n in trained)
    assert sum(n - extra_rows for n in trained) == 4 * item_rows
    without, _ = cross_validate(items, 1.0)
    assert set(confidences) == {f"dev:{q.question.id}" for q in items}  # scored: items only
    assert with_extra.top1 > without.top1
    model, report = fit(items, extra=extra)
    assert report["bank_examples"]["questions"] == 60
    at_penalty, _ = cross_validate(items, report["penalty"])
    assert report["bank_examples"]["held_out_without_them"]["top1"] == round(at_penalty.top1, 3)
    assert report["held_out"]["top1"] > round(at_penalty.top1, 3)
    assert report["trained_on"] == ["dev", BANK_SET]
    own = report["bank_examples"]["held_out_without_them_own_penalty"]
    best_plain = max(cross_validate(items, p)[0].top1 for p in answer_fit.PENALTIES)
    assert own["top1"] == round(best_plain, 3)
    assert model.weights[0] > 0
    _, plain = fit(items)
    assert "bank_examples" not in plain
    assert plain["trained_on"] == ["dev"]


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


def test_a_feature_no_row_knows_gets_no_weight_and_the_file_stays_finite(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    rows = rng.normal(0.0, 1.0, (50, len(FEATURES)))
    rows[:, 3] = np.nan
    labels = (rows[:, 0] > 0.5).astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "mean of empty slice"
        model = fit_logistic(rows, labels, 1.0)
    assert (model.mean[3], model.scale[3], model.weights[3]) == (0.0, 1.0, 0.0)
    path = tmp_path / "model.json"
    write_model(model, {"min_confidence": 0.1}, path)
    assert AnswerModel.load(path).weights[3] == 0.0


def test_a_model_file_with_a_value_that_is_no_number_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    broken = AnswerModel.untrained()
    with pytest.raises(EvaluationError, match="weights holds a value that is no number"):
        write_model(
            replace(broken, weights=(float("nan"),) * len(FEATURES)), {"min_confidence": 0}, path
        )
    with pytest.raises(ValueError, match="not JSON compliant"):  # fit-answers never writes it
        write_model(replace(broken, intercept=float("nan")), {"min_confidence": 0.1}, path)
    write_model(broken, {"min_confidence": 0.1}, path)
    text = path.read_text()
    path.write_text(text.replace('"intercept": 0.0', '"intercept": NaN'))
    with pytest.raises(AnswerModelError, match="not a finite number"):
        AnswerModel.load(path)
    path.write_text(text.replace('"min_confidence": 0.1', '"min_confidence": NaN'))
    with pytest.raises(AnswerModelError, match="min_confidence outside"):
        AnswerModel.load(path)


def test_bank_questions_need_an_index_with_a_bank() -> None:
    bankless = SimpleNamespace(store=SimpleNamespace(bank=None), composer=None, retriever=None)
    with pytest.raises(EvaluationError, match="needs an index built with a question bank"):
        collect_bank(bankless, per_entry=1)  # type: ignore[arg-type]
    assert collect_bank(bankless, per_entry=0) == []  # type: ignore[arg-type]
