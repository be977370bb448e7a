"""The answer model's file: written by `fit-answers` for one order, read by the service for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer_model import ANSWER_ORDERS, AnswerModel, AnswerModelError, AnswerOrder
from assistant.config import Settings
from eval.answer_fit import write_model
from eval.cli import build_parser


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
