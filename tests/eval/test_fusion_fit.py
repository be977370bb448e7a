"""Cross-validating one fusion weight: the fold logic on known judgements, the grid on the
real engine, and the command line's refusals."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from assistant.engine import AnswerCache, Engine
from eval import cli
from eval.backends import EngineBackend
from eval.fusion_fit import Judged, cross_validate, folds, judge_grid, weight_names
from eval.questions import DEFAULT_QUESTIONS, load_questions


def _judged(
    value_rr: dict[str, float], audience: str = "ouder", refused: frozenset[str] = frozenset()
) -> list[Judged]:
    return [
        Judged(
            question_id=qid,
            audience=audience,
            reciprocal_rank=rr,
            success=float(rr >= 0.2),
            refused=qid in refused,
        )
        for qid, rr in value_rr.items()
    ]


def _unanswerable(ids: list[str], answered: frozenset[str] = frozenset()) -> list[Judged]:
    return [
        Judged(
            question_id=qid,
            audience="ouder",
            reciprocal_rank=0.0,
            success=0.0,
            answerable=False,
            refused=qid not in answered,
        )
        for qid in ids
    ]


def test_folds_partition_the_questions_reproducibly() -> None:
    ids = [f"q{i}" for i in range(23)]
    first, again = folds(ids), folds(list(reversed(ids)))
    assert first == again
    assert len(first) == 5
    assert set().union(*first) == set(ids)
    assert sum(len(f) for f in first) == len(ids)


def test_a_value_better_everywhere_is_chosen_in_every_fold() -> None:
    ids = [f"q{i}" for i in range(20)]
    judged = {
        0.3: _judged(dict.fromkeys(ids, 0.5)),  # the current value comes first
        0.8: _judged(dict.fromkeys(ids, 1.0)),
        1.2: _judged(dict.fromkeys(ids, 0.25)),
    }
    report = cross_validate(judged)
    assert report["chosen_per_fold"] == [0.8] * 5
    assert report["held_out"]["mrr@10"] == pytest.approx(1.0)
    assert report["current"] == {"value": 0.3, **report["fit"]["0.3"]}
    assert report["current"]["mrr@10"] == pytest.approx(0.5)
    assert report["held_out"]["by_audience"]["ouder"]["recall@5"] == pytest.approx(1.0)


def test_ties_keep_the_current_value_and_held_out_is_not_the_fit() -> None:
    ids = [f"q{i}" for i in range(10)]
    same = dict.fromkeys(ids, 0.5)
    assert cross_validate({0.3: _judged(same), 0.5: _judged(same)})["chosen_per_fold"] == [0.3] * 5

    # One question strongly favours the other value: it wins the pooled fit and the folds
    # that train on that question, but the fold holding it out keeps the current value; the
    # held-out figure is below both pooled ones.
    current = dict.fromkeys(ids, 0.5)
    other = {**dict.fromkeys(ids, 0.45), "q3": 1.0}
    report = cross_validate({0.3: _judged(current), 0.5: _judged(other)})
    assert report["fit"]["0.5"]["mrr@10"] > report["fit"]["0.3"]["mrr@10"]
    assert sorted(report["chosen_per_fold"]) == [0.3, 0.5, 0.5, 0.5, 0.5]
    assert report["held_out"]["mrr@10"] == pytest.approx(0.46)


def test_a_value_that_refuses_more_is_not_chosen_however_well_it_ranks() -> None:
    ids = [f"q{i}" for i in range(20)]
    nots = [f"n{i}" for i in range(5)]
    current = _judged(dict.fromkeys(ids, 0.5)) + _unanswerable(nots)
    # Ranks every question first, but refuses half of them: every fold's training folds
    # hold some of those.
    refuses = _judged(dict.fromkeys(ids, 1.0), refused=frozenset(ids[:10]))
    # Ranks well too, and answers every unanswerable question.
    answers = _judged(dict.fromkeys(ids, 0.9)) + _unanswerable(nots, answered=frozenset(nots))
    modest = _judged(dict.fromkeys(ids, 0.6)) + _unanswerable(nots)
    report = cross_validate(
        {0.3: current, 3.0: refuses + _unanswerable(nots), 2.0: answers, 1.0: modest}
    )
    assert report["chosen_per_fold"] == [1.0] * 5
    assert report["questions"] == 25
    assert report["answerable"] == 20
    assert report["held_out"]["mrr@10"] == pytest.approx(0.6)  # unanswerable ones not counted
    assert report["held_out"]["refused_answerable"] == 0.0
    assert report["held_out"]["refused_unanswerable"] == 1.0
    assert report["fit"]["3.0"]["refused_answerable"] == pytest.approx(0.5)
    assert report["fit"]["2.0"]["refused_unanswerable"] == 0.0


@pytest.mark.slow
def test_the_grid_on_the_real_engine_restores_its_weights(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = replace(engine, answers=AnswerCache(64))
    backend = EngineBackend(engine)
    questions = load_questions(DEFAULT_QUESTIONS, backend.document_text)[:12]
    before = engine.retriever.weights
    composed: list[str] = []
    compose = engine.composer.compose

    def counting(query: Any, hits: Any, memo: Any = None) -> Any:
        composed.append(query.text)
        return compose(query, hits, memo)

    monkeypatch.setattr(engine.composer, "compose", counting)
    judged = judge_grid(engine, questions, "bank", [0.0, 2.0])

    assert engine.retriever.weights == before
    # Every weight answers every question anew, and leaves no answer behind.
    assert len(composed) == len(judged) * len(questions)
    assert len(engine.answers) == 0
    assert next(iter(judged)) == before.bank  # the current value first, then the grid
    assert set(judged) == {before.bank, 0.0, 2.0}
    answerable = {q.id for q in questions if q.answerable}
    assert answerable and len(answerable) < len(questions)  # both kinds are judged
    for value, rows in judged.items():
        assert {j.question_id for j in rows} == {q.id for q in questions}, value
        assert {j.question_id for j in rows if j.answerable} == answerable, value
        assert all(0.0 <= j.reciprocal_rank <= 1.0 for j in rows)
        assert all(j.reciprocal_rank == 0.0 for j in rows if not j.answerable)
    # Each value was searched with: the bank off ranks these questions otherwise.
    rr = {v: [j.reciprocal_rank for j in rows] for v, rows in judged.items()}
    assert rr[0.0] != rr[before.bank], "the bank's weight moved no evidence on these questions"
    assert rr[2.0] != rr[0.0]
    report = cross_validate(judged)
    assert report["questions"] == len(questions)
    assert report["answerable"] == len(answerable)
    assert set(report["chosen_per_fold"]) <= set(judged)


@pytest.mark.slow
def test_the_second_passs_depth_is_fitted_like_a_weight(engine: Engine) -> None:
    """The depth is the retriever's own setting: the grid sets it, judges, and restores it."""
    engine = replace(engine, answers=AnswerCache(64))
    backend = EngineBackend(engine)
    questions = load_questions(DEFAULT_QUESTIONS, backend.document_text)[:12]
    retriever = engine.retriever
    before, weights = retriever.reorder_depth, retriever.weights
    judged = judge_grid(engine, questions, "reorder_depth", [0.0, 1.0])

    assert (retriever.reorder_depth, retriever.weights) == (before, weights)
    assert list(judged) == [float(before), 0.0, 1.0]
    # Below two the pass is off: the same ranks as with no pass at all, answers unchanged.
    assert judged[0.0] == judged[1.0]
    rr = {v: [j.reciprocal_rank for j in rows] for v, rows in judged.items()}
    assert rr[float(before)] != rr[0.0], "the second pass moved no evidence on these questions"
    assert [j.refused for j in judged[float(before)]] == [j.refused for j in judged[0.0]]


def test_an_unknown_weight_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="unknown fusion weight"):
        judge_grid(engine, [], "colour", [0.5])
    for grid in ([7.5], [60.0]):
        with pytest.raises(ValueError, match="whole numbers up to 50"):
            judge_grid(engine, [], "reorder_depth", grid)
    assert {"bank", "reorder_depth"} <= set(weight_names())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--questions", "eval/questions/blind.jsonl"], "blind and short sets are never fitted"),
        (["--questions", "eval/questions/short.jsonl"], "blind and short sets are never fitted"),
        (["--questions", str(DEFAULT_QUESTIONS), "--weight", "colour"], "--weight must be one of"),
        (["--questions", str(DEFAULT_QUESTIONS), "--grid", "0.2,x"], "--grid takes"),
        (["--questions", str(DEFAULT_QUESTIONS), "--grid", "-1"], "--grid takes"),
        (
            ["--questions", str(DEFAULT_QUESTIONS), "--weight", "reorder_depth", "--grid", "7.5"],
            "takes whole numbers",
        ),
        (
            ["--questions", str(DEFAULT_QUESTIONS), "--weight", "reorder_depth", "--grid", "60"],
            "takes whole numbers up to 50",
        ),
    ],
)
def test_the_command_line_refuses_bad_arguments(
    arguments: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    defaults = ["--weight", "bank", "--grid", "0.5", "--index", str(tmp_path / "none")]
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["fit-fusion", *defaults, *arguments])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
