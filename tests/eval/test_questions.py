"""Question-set loading: the shipped sets are valid; bad lines are rejected by line number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eval.backends import corpus_document_texts
from eval.cli import main
from eval.questions import DEFAULT_QUESTIONS, QuestionSetError, load_questions

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
DOC = "plan-passend-onderwijs-brunssum"
QUOTE = "Vanaf het moment dat de ouder(s)/verzorger(s) zijn/ haar kind aanmeldt"

TEXTS = {"doc": "Het schoolbestuur bepaalt of het kind\nwordt toegelaten. Kan een kind weigeren."}


def _line(**overrides: Any) -> str:
    item: dict[str, Any] = {
        "id": "t001",
        "question": "Mag de school weigeren?",
        "audience": "ouder",
        "topic": "zorgplicht",
        "answerable": True,
        "evidence": [{"doc": "doc", "quote": "bepaalt of het kind wordt toegelaten."}],
        "must_mention": ["schoolbestuur"],
        "note": "test",
    }
    item.update(overrides)
    return json.dumps(item, ensure_ascii=False)


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _load(path: Path) -> Any:
    return load_questions(path, TEXTS.get)


def test_dev_set_loads_against_the_corpus() -> None:
    questions = load_questions(DEFAULT_QUESTIONS, corpus_document_texts(CORPUS))
    assert len(questions) == 50
    assert sum(q.answerable for q in questions) == 43
    assert sum(len(q.evidence) for q in questions) == 85
    assert all(e.occurrences for q in questions for e in q.evidence)
    # Three quotes occur twice in the Brunssum plan ("Financiële context" is repeated).
    assert sum(len(e.occurrences) == 2 for q in questions for e in q.evidence) == 3


@pytest.mark.parametrize(
    ("name", "size", "unanswerable", "audiences"),
    [
        ("heldout", 80, 12, {"ouder", "consulent"}),
        ("blind", 45, 6, {"ouder", "consulent"}),
        ("short", 45, 7, {"ouder"}),  # parents' chat questions of 5-15 words
        ("chat", 50, 9, {"ouder"}),  # the same kind, for development (fitting allowed)
    ],
)
def test_our_own_question_sets_load_against_the_corpus(
    name: str, size: int, unanswerable: int, audiences: set[str]
) -> None:
    questions = load_questions(
        ROOT / "eval" / "questions" / f"{name}.jsonl", corpus_document_texts(CORPUS)
    )
    assert len(questions) == size
    assert sum(not q.answerable for q in questions) == unanswerable
    assert len({q.id for q in questions}) == size
    assert {q.audience for q in questions} == audiences
    if name in ("short", "chat"):
        assert all(5 <= len(q.question.split()) <= 15 for q in questions)


def test_valid_file_with_blank_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path, [_line(), "", _line(id="t002", answerable=False, evidence=[], must_mention=[])]
    )
    questions = _load(path)
    assert [q.id for q in questions] == ["t001", "t002"]
    assert questions[0].line == 1 and questions[1].line == 3
    assert questions[0].evidence[0].occurrences[0].start == TEXTS["doc"].index("bepaalt")


def test_malformed_line_is_rejected_with_its_line_number(tmp_path: Path) -> None:
    path = _write(tmp_path, [_line(), _line(id="t002")[:-5]])
    with pytest.raises(QuestionSetError) as info:
        _load(path)
    assert info.value.line == 2
    assert str(info.value).startswith("set.jsonl line 2: not valid JSON")


def test_quote_not_in_the_corpus_is_rejected_with_its_line_number(tmp_path: Path) -> None:
    bad = _line(id="t002", evidence=[{"doc": "doc", "quote": "deze zin staat er niet in"}])
    path = _write(tmp_path, [_line(), bad])
    with pytest.raises(QuestionSetError) as info:
        _load(path)
    expected = "set.jsonl line 2: quote not found in doc: 'deze zin staat er niet in'"
    assert str(info.value) == expected


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[1, 2]", "expected a JSON object, got list"),
        (_line(audience="leraar"), "audience: Input should be 'ouder' or 'consulent'"),
        (_line(answerable="true"), "answerable: Input should be a valid boolean"),
        (_line(extra=1), "extra: Extra inputs are not permitted"),
        (_line(evidence=[]), "an answerable question needs at least one evidence quote"),
        (_line(answerable=False), "an unanswerable question must have empty evidence"),
        (_line(evidence=[{"doc": "onbekend", "quote": "x"}]), "unknown document 'onbekend'"),
        (_line(evidence=[{"doc": "doc", "quote": "  "}]), "evidence.0.quote: String should have"),
    ],
)
def test_invalid_fields_are_rejected(tmp_path: Path, line: str, reason: str) -> None:
    path = _write(tmp_path, [_line(id="t000"), line])
    with pytest.raises(QuestionSetError) as info:
        _load(path)
    assert str(info.value).startswith("set.jsonl line 2: ")
    assert reason in str(info.value)


def test_missing_field_and_duplicate_id_are_all_reported(tmp_path: Path) -> None:
    missing = json.loads(_line(id="t002"))
    del missing["question"]
    path = _write(tmp_path, [_line(), json.dumps(missing), _line(), "{"])
    with pytest.raises(QuestionSetError) as info:
        _load(path)
    assert [e.line for e in info.value.errors] == [2, 3, 4]
    message = str(info.value)
    assert "set.jsonl line 2: question: Field required" in message
    assert "set.jsonl line 3: duplicate id 't001' (first on line 1)" in message


def test_empty_or_missing_file(tmp_path: Path) -> None:
    with pytest.raises(QuestionSetError, match="holds no questions"):
        _load(_write(tmp_path, [""]))
    with pytest.raises(QuestionSetError, match="cannot be read"):
        _load(tmp_path / "absent.jsonl")


def test_cli_rejects_a_bad_question_file_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _line(evidence=[{"doc": DOC, "quote": QUOTE}])
    bad = _line(id="t002", evidence=[{"doc": DOC, "quote": "dit citaat bestaat niet"}])
    path = _write(tmp_path, [good, bad])
    # --url: the questions are checked against the corpus before any request is sent.
    argv = ["run", "--questions", str(path), "--url", "http://127.0.0.1:9", "--corpus", str(CORPUS)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"set.jsonl line 2: quote not found in {DOC}: 'dit citaat bestaat niet'" in err


def test_cli_rejects_unknown_retriever(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run", "--retriever", "hybrid,sparse"])
    assert info.value.code == 2
    assert "unknown retriever 'sparse'" in capsys.readouterr().err
