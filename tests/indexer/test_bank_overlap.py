"""The question bank is written from the documents, never from the evaluation sets.

A bank question that shares more than half of its words (word-set Jaccard) with a question of
an evaluation set fails here, and so does one that repeats a run of `RUN` words of one (a long
situation can hold a whole evaluation question and still share less than half its words). The
failure names the bank entry and the set's line number only, so the blind set's questions are
not shown.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.related import jaccard, letter_words, word_set
from indexer.bank import load_bank

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "corpus" / "questions"
SETS = ("dev", "heldout", "chat", "blind", "short")
LIMIT = 0.5
RUN = 8


def _set_questions() -> list[tuple[str, int, str]]:
    """(set, line number, question) of every evaluation question."""
    found = []
    for name in SETS:
        path = ROOT / "eval" / "questions" / f"{name}.jsonl"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                found.append((name, number, str(json.loads(line)["question"])))
    return found


def test_the_bank_has_questions_and_the_sets_are_there() -> None:
    bank = load_bank(BANK)
    assert bank.question_count >= 400
    assert {name for name, _, _ in _set_questions()} == set(SETS)


def test_no_bank_question_is_a_near_copy_of_an_evaluation_question() -> None:
    sets = [(name, number, word_set(question)) for name, number, question in _set_questions()]
    too_close = [
        f"{entry.entry_id} ({audience}) {question!r} ~ {name}.jsonl line {number}: "
        f"{jaccard(words, other):.2f}"
        for entry in load_bank(BANK).entries
        for audience, question in entry.questions
        for words in [word_set(question)]
        for name, number, other in sets
        if jaccard(words, other) > LIMIT
    ]
    assert not too_close, "\n".join(too_close)


def _runs(text: str) -> set[tuple[str, ...]]:
    words = letter_words(text)
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def test_no_bank_question_repeats_a_run_of_words_of_an_evaluation_question() -> None:
    runs = {
        run: f"{name}.jsonl line {number}"
        for name, number, question in _set_questions()
        for run in _runs(question)
    }
    repeated = [
        f"{entry.entry_id} ({audience}) repeats {RUN} words of {runs[run]}"
        for entry in load_bank(BANK).entries
        for audience, question in entry.questions
        for run in sorted(_runs(question) & runs.keys())[:1]
    ]
    assert not repeated, "\n".join(repeated)
    assert _runs("een twee drie vier vijf zes zeven acht negen") == {
        ("een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht"),
        ("twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"),
    }


def test_the_word_sets_are_lowercase_letters_only() -> None:
    assert word_set("Mag de school mijn Zoon weigeren? (artikel 40)") == frozenset(
        {"mag", "de", "school", "mijn", "zoon", "weigeren", "artikel"}
    )
    assert jaccard(word_set("a b"), word_set("b c")) == 1 / 3
