"""The harness end to end: a small question file through the real engine over the real corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.engine import Engine
from eval.backends import EngineBackend
from eval.harness import METRIC_KEYS, run_evaluation
from eval.questions import DEFAULT_QUESTIONS, load_questions
from eval.report import report_to_dict, write_json, write_markdown

EASY_CONSULENT = "d002"  # Brunssum plan: zorgplicht of the moederschool, in the jargon
PICKED = {EASY_CONSULENT, "d022", "d001", "d010"}  # two consulent, one ouder, one unanswerable


@pytest.mark.slow
def test_run_evaluation_on_the_real_index(engine: Engine, tmp_path: Path) -> None:
    lines = DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()
    picked = [line for line in lines if json.loads(line)["id"] in PICKED]
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(picked) + "\n", encoding="utf-8")
    backend = EngineBackend(engine, chunks=engine.store.chunks)
    questions = load_questions(path, backend.document_text)
    assert {q.id for q in questions} == PICKED

    report = run_evaluation(
        backend, questions, retrievers=["hybrid", "bm25", "dense"], k=10, questions_path=path
    )

    assert report.relevance == "exhaustive"
    data = report_to_dict(report)
    assert list(data["retrievers"]) == ["hybrid", "bm25", "dense"]
    for name, run in data["retrievers"].items():
        assert set(METRIC_KEYS) <= set(run), name
        for key in METRIC_KEYS:
            value = run[key]
            # citation_precision is None when a retriever answered nothing.
            assert value is not None or key == "citation_precision", (name, key)
            if value is not None and not key.startswith("latency"):
                assert 0.0 <= value <= 1.0, (name, key, value)
        assert run["latency_ms_p95"] >= run["latency_ms_p50"] > 0.0
        assert {row["id"] for row in run["per_question"]} == PICKED
        for row in run["per_question"]:
            assert row["first_relevant_rank"] is None or 1 <= row["first_relevant_rank"] <= 10
        assert set(run["by_audience"]) == {"ouder", "consulent"}
    hybrid = {row["id"]: row for row in data["retrievers"]["hybrid"]["per_question"]}
    assert hybrid[EASY_CONSULENT]["first_relevant_rank"] is not None
    assert hybrid[EASY_CONSULENT]["first_relevant_rank"] <= 5

    write_json(report, tmp_path / "report.json")
    write_markdown(report, tmp_path / "report.md", tmp_path / "report.png")
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["k"] == 10
    assert (tmp_path / "report.png").stat().st_size > 0
    assert "## Misses" in (tmp_path / "report.md").read_text(encoding="utf-8")
