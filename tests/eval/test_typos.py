"""Question sets with one typing mistake per question (eval.typos)."""

from __future__ import annotations

import random
import re

from hypothesis import example, given
from hypothesis import strategies as st

from assistant.spelling import edits
from eval.questions import Question
from eval.typos import mistype, with_typos
from indexer.lexical import STOPWORDS, fold


def _question(qid: str, text: str) -> Question:
    return Question(
        id=qid,
        question=text,
        audience="ouder",
        topic="zorgplicht",
        answerable=False,
        evidence=(),
        must_mention=(),
        note="",
        line=1,
    )


QUESTIONS = (
    _question("a", "Mag de basisschool mijn zoon weigeren na de aanmelding?"),
    _question("b", "Wie betaalt de begeleiding van mijn dochter op school?"),
    _question("c", "Is dat zo?"),  # no word of five letters or more: nothing to mistype
)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text)


def test_every_question_gets_one_mistake_in_one_content_word() -> None:
    for original, typed in zip(QUESTIONS[:2], with_typos(QUESTIONS, seeds=[1]), strict=False):
        changed = [
            (a, b)
            for a, b in zip(_words(original.question), _words(typed.question), strict=True)
            if a != b
        ]
        assert len(changed) == 1, typed.question
        word, mistyped = changed[0]
        assert len(word) >= 5 and word.lower() not in STOPWORDS
        assert mistyped[0] == word[0]
        assert fold(mistyped) in edits(fold(word))
    assert with_typos(QUESTIONS, seeds=[1])[2] == QUESTIONS[2]


def test_a_seed_reads_the_same_every_time_and_per_question() -> None:
    once, again = with_typos(QUESTIONS, seeds=[7]), with_typos(QUESTIONS, seeds=[7])
    assert once == again
    assert with_typos(QUESTIONS[1:2], seeds=[7])[0] == once[1]  # whatever set it is in
    seeds = {with_typos(QUESTIONS, seeds=[s])[0].question for s in range(10)}
    assert len(seeds) > 3


@given(st.from_regex(r"[A-Za-zë]{5,14}( [a-z]{1,9}){0,4}", fullmatch=True), st.integers(0, 99))
@example(text="AABJj", seed=5)  # two neighbours that differ in case only are no swap
def test_mistype_changes_one_content_word_by_one_edit(text: str, seed: int) -> None:
    typed = mistype(text, random.Random(seed))
    if not any(len(w) >= 5 and w.lower() not in STOPWORDS for w in _words(text)):
        assert typed == text
        return
    changed = [(a, b) for a, b in zip(text.split(" "), typed.split(" "), strict=True) if a != b]
    assert len(changed) == 1
    word, mistyped = changed[0]
    assert mistyped[0] == word[0] and fold(mistyped) in edits(fold(word))


def test_several_seeds_give_the_set_once_per_seed() -> None:
    both = with_typos(QUESTIONS, seeds=[1, 2])
    assert [q.id for q in both] == ["a~s1", "b~s1", "c~s1", "a~s2", "b~s2", "c~s2"]
    assert [q.question for q in both[:3]] == [q.question for q in with_typos(QUESTIONS, [1])]
    assert [q.question for q in both[3:]] == [q.question for q in with_typos(QUESTIONS, [2])]
