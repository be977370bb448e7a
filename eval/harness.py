"""Running a question set through the retrieval and answer code path, and scoring it.

The harness talks to a `Backend`: `EngineBackend` wraps the in-process `assistant.engine.Engine`
(the service's own code path), `HttpBackend` a running service. For every retriever and question
it runs one search (top k passages) and one answer, then judges relevance on original document
spans (see `eval.relevance`) and computes the metrics of `eval.metrics`.

Relevant sets are exhaustive when the backend can list every chunk of the index; otherwise they
are pooled: the relevant passages returned by any retriever in the run, plus cited ones.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal

from eval import metrics
from eval.backends import (
    RETRIEVERS,
    AnsweredSentence,
    AnswerResult,
    Backend,
    Passage,
    RetrieverName,
)
from eval.questions import Question
from eval.relevance import Evidence, QuoteLocator, covered_quotes, covers_quote, relevant_chunk_ids

logger = logging.getLogger(__name__)

RelevanceMode = Literal["exhaustive", "pooled"]

RECALL_CUTOFFS = (1, 3, 5, 10)
QUOTE_RECALL_CUTOFF = 5
RANK_CUTOFF = 10  # for mrr@10 and ndcg@10
_PROGRESS_EVERY = 10
METRIC_KEYS = (
    "recall@1",
    "recall@3",
    "recall@5",
    "recall@10",
    "quote_recall@5",
    "mrr@10",
    "ndcg@10",
    "citation_precision",
    "answer_evidence",
    "first_sentence_evidence",
    "must_mention",
    "abstain_accuracy",
    "refused_answerable",
    "refused_unanswerable",
    "latency_ms_p50",
    "latency_ms_p95",
)


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class Observation:
    """The raw outcome of one question with one retriever, before judging."""

    question: Question
    passages: tuple[Passage, ...]
    answer: AnswerResult
    search_ms: float
    ask_ms: float


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One question with one retriever, judged.

    `relevant[i]` and `covered[i]` say whether passage i is relevant and which quotes it
    covers; `n_relevant` is the size of the question's relevant set. `answer_evidence` says
    whether a sentence of the answer covers an evidence quote, `first_sentence_evidence`
    whether a sentence of the short answer does (the harness's relevance test, applied to the
    sentence's span of the original text).
    """

    question: Question
    passages: tuple[Passage, ...]
    relevant: tuple[bool, ...]
    covered: tuple[frozenset[int], ...]
    n_relevant: int
    answer: AnswerResult
    cited_relevant: int
    must_mention: float | None
    search_ms: float
    ask_ms: float
    answer_evidence: bool = False
    first_sentence_evidence: bool = False

    @property
    def first_relevant_rank(self) -> int | None:
        """Rank of the first relevant passage among those returned, or None."""
        return metrics.first_relevant_rank(self.relevant)

    @property
    def abstained_correctly(self) -> bool:
        """Whether the answer refused exactly when the question is unanswerable."""
        return self.answer.answerable == self.question.answerable


@dataclass(frozen=True, slots=True)
class Summary:
    """Aggregated metrics of a group of questions (keys: `METRIC_KEYS`; None = undefined)."""

    questions: int
    answerable: int
    metrics: Mapping[str, float | None]
    recall_curve: tuple[float | None, ...]  # recall@1 … recall@k


@dataclass(frozen=True, slots=True)
class RetrieverRun:
    """All results of one retriever, overall and per topic and audience."""

    retriever: RetrieverName
    summary: Summary
    by_topic: Mapping[str, Summary]
    by_audience: Mapping[str, Summary]
    results: tuple[QuestionResult, ...]


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """A whole evaluation run: one `RetrieverRun` per retriever, side by side."""

    questions_path: str | None
    k: int
    relevance: RelevanceMode
    index: Mapping[str, Any] | None
    created: str
    runs: tuple[RetrieverRun, ...]


# ---------------------------------------------------------------------------------------------
# Running and scoring


def run_evaluation(
    backend: Backend,
    questions: Sequence[Question],
    *,
    retrievers: Sequence[RetrieverName] = ("hybrid",),
    k: int = 10,
    questions_path: Path | str | None = None,
    index: Mapping[str, Any] | None = None,
    warm_up: bool = True,
) -> EvaluationReport:
    """Run every question through every retriever and score the results.

    Args:
        backend: Where searches and answers come from (`EngineBackend`, `HttpBackend`).
        questions: Validated questions (`eval.questions.load_questions`).
        retrievers: Retrievers to compare, side by side; no repeats.
        k: Passages retrieved per question.
        questions_path: The question file, recorded in the report.
        index: Build information of the index, recorded in the report.
        warm_up: Answer the first question once, untimed, per retriever before measuring, so
            that loading models and caches does not count as latency.

    Returns:
        The report.

    Raises:
        ValueError: `k` < 1, or no, unknown or repeated retrievers.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if not retrievers or len(set(retrievers)) != len(retrievers):
        raise ValueError(f"give one or more distinct retrievers, got {list(retrievers)}")
    unknown = [r for r in retrievers if r not in RETRIEVERS]
    if unknown:
        raise ValueError(f"unknown retriever(s) {unknown}; choose from {list(RETRIEVERS)}")
    observed: dict[RetrieverName, list[Observation]] = {}
    for retriever in retrievers:
        observed[retriever] = []
        if warm_up and questions:
            backend.ask(questions[0].question, retriever)
        for number, question in enumerate(questions, start=1):
            observed[retriever].append(observe(backend, question, retriever, k))
            if number % _PROGRESS_EVERY == 0 or number == len(questions):
                logger.info("%s: %d/%d questions", retriever, number, len(questions))
    catalog = backend.all_chunks()
    relevance: RelevanceMode = "pooled" if catalog is None else "exhaustive"
    if catalog is None:
        sizes = pooled_relevant_counts(questions, observed.values())
    else:
        sizes = exhaustive_relevant_counts(questions, catalog)
    locator = QuoteLocator(backend.document_text)
    runs = tuple(
        score_run(
            retriever,
            [judge(o, sizes[o.question.id], locator) for o in observed[retriever]],
            k,
        )
        for retriever in retrievers
    )
    return EvaluationReport(
        questions_path=None if questions_path is None else str(questions_path),
        k=k,
        relevance=relevance,
        index=index,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        runs=runs,
    )


def observe(backend: Backend, question: Question, retriever: RetrieverName, k: int) -> Observation:
    """Search (top k) and answer one question with one retriever, timing both calls."""
    start = time.perf_counter()
    passages = tuple(backend.search(question.question, k, retriever))[:k]
    search_ms = (time.perf_counter() - start) * 1000.0
    start = time.perf_counter()
    answer = backend.ask(question.question, retriever)
    ask_ms = (time.perf_counter() - start) * 1000.0
    logger.debug("%s %s: %d passages, %.0f ms", retriever, question.id, len(passages), ask_ms)
    return Observation(question, passages, answer, search_ms, ask_ms)


def exhaustive_relevant_counts(
    questions: Sequence[Question], chunks: Sequence[Passage]
) -> dict[str, int]:
    """Size of each question's relevant set among all chunks of the index."""
    triples = [(c.chunk_id, c.doc_id, c.span) for c in chunks]
    return {q.id: len(relevant_chunk_ids(triples, q.evidence)) for q in questions}


def pooled_relevant_counts(
    questions: Sequence[Question], observations: Iterable[Sequence[Observation]]
) -> dict[str, int]:
    """Size of each question's relevant set among all passages returned or cited in a run."""
    pools: dict[str, set[str]] = {q.id: set() for q in questions}
    evidence = {q.id: q.evidence for q in questions}
    for run in observations:
        for observation in run:
            qid = observation.question.id
            seen = (*observation.passages, *observation.answer.cited)
            triples = [(p.chunk_id, p.doc_id, p.span) for p in seen]
            pools[qid].update(relevant_chunk_ids(triples, evidence[qid]))
    return {qid: len(pool) for qid, pool in pools.items()}


def judge(
    observation: Observation, n_relevant: int, locator: QuoteLocator | None = None
) -> QuestionResult:
    """Judge one observation: relevance of its passages, citations and answer sentences.

    Without a `locator` (which finds answer sentences in the original documents) the answer
    sentences are not judged.
    """
    question = observation.question
    covered = tuple(
        covered_quotes(p.doc_id, p.span, question.evidence) for p in observation.passages
    )
    answer = observation.answer
    cited_relevant = sum(
        bool(covered_quotes(p.doc_id, p.span, question.evidence)) for p in answer.cited
    )
    return QuestionResult(
        question=question,
        passages=observation.passages,
        relevant=tuple(bool(c) for c in covered),
        covered=covered,
        n_relevant=max(n_relevant, sum(bool(c) for c in covered)),
        answer=answer,
        cited_relevant=cited_relevant,
        must_mention=metrics.must_mention_coverage(question.must_mention, answer.text),
        search_ms=observation.search_ms,
        ask_ms=observation.ask_ms,
        answer_evidence=_holds_evidence(answer.sentences, question.evidence, locator),
        first_sentence_evidence=_holds_evidence(
            [s for s in answer.sentences if s.short], question.evidence, locator
        ),
    )


def _holds_evidence(
    sentences: Iterable[AnsweredSentence],
    evidence: Sequence[Evidence],
    locator: QuoteLocator | None,
) -> bool:
    """Whether any of the sentences covers an evidence quote (in the original text)."""
    if locator is None:
        return False
    for sentence in sentences:
        passage = sentence.passage
        if passage is None:
            continue
        span = locator.locate_within(passage.doc_id, passage.span, sentence.text)
        if span is not None and any(covers_quote(passage.doc_id, span, e) for e in evidence):
            return True
    return False


def score_run(retriever: RetrieverName, results: Sequence[QuestionResult], k: int) -> RetrieverRun:
    """Aggregate one retriever's results overall, per topic and per audience."""
    return RetrieverRun(
        retriever=retriever,
        summary=summarise(results, k),
        by_topic=_grouped(results, k, lambda r: r.question.topic),
        by_audience=_grouped(results, k, lambda r: r.question.audience),
        results=tuple(results),
    )


def _grouped(
    results: Sequence[QuestionResult], k: int, key: Callable[[QuestionResult], str]
) -> dict[str, Summary]:
    groups: dict[str, list[QuestionResult]] = {}
    for result in results:
        groups.setdefault(key(result), []).append(result)
    return {name: summarise(group, k) for name, group in sorted(groups.items())}


def summarise(results: Sequence[QuestionResult], k: int) -> Summary:
    """Aggregate metrics of a group of question results.

    Ranking metrics average over answerable questions; a cutoff beyond `k` is None.
    Citation precision pools the cited passages of answerable questions that were answered.
    """
    ranked = [r for r in results if r.question.answerable]
    unanswerable = [r for r in results if not r.question.answerable]
    answered = [r for r in ranked if r.answer.answerable]

    def at(cutoff: int, value: Callable[[QuestionResult], float]) -> float | None:
        return metrics.mean(value(r) for r in ranked) if cutoff <= k else None

    values: dict[str, float | None] = {}
    for cutoff in RECALL_CUTOFFS:
        values[f"recall@{cutoff}"] = at(cutoff, partial(_success, cutoff=cutoff))
    values[f"quote_recall@{QUOTE_RECALL_CUTOFF}"] = at(
        QUOTE_RECALL_CUTOFF,
        lambda r: metrics.quote_recall_at_k(
            r.covered, len(r.question.evidence), QUOTE_RECALL_CUTOFF
        ),
    )
    values[f"mrr@{RANK_CUTOFF}"] = at(
        RANK_CUTOFF, lambda r: metrics.reciprocal_rank(r.relevant, RANK_CUTOFF)
    )
    values[f"ndcg@{RANK_CUTOFF}"] = at(
        RANK_CUTOFF, lambda r: metrics.ndcg_at_k(r.relevant, r.n_relevant, RANK_CUTOFF)
    )
    values["citation_precision"] = metrics.ratio(
        sum(r.cited_relevant for r in answered), sum(len(r.answer.cited) for r in answered)
    )
    values["answer_evidence"] = at(0, lambda r: float(r.answer_evidence))
    values["first_sentence_evidence"] = at(0, lambda r: float(r.first_sentence_evidence))
    values["must_mention"] = metrics.mean(r.must_mention for r in ranked)
    values["abstain_accuracy"] = metrics.ratio(
        sum(r.abstained_correctly for r in results), len(results)
    )
    values["refused_answerable"] = metrics.ratio(
        sum(not r.answer.answerable for r in ranked), len(ranked)
    )
    values["refused_unanswerable"] = metrics.ratio(
        sum(not r.answer.answerable for r in unanswerable), len(unanswerable)
    )
    latencies = [r.ask_ms for r in results]
    values["latency_ms_p50"] = metrics.percentile(latencies, 50)
    values["latency_ms_p95"] = metrics.percentile(latencies, 95)
    curve = tuple(metrics.mean(_success(r, c) for r in ranked) for c in range(1, k + 1))
    return Summary(
        questions=len(results),
        answerable=len(ranked),
        metrics={key: values[key] for key in METRIC_KEYS},
        recall_curve=curve,
    )


def _success(result: QuestionResult, cutoff: int) -> float:
    return metrics.success_at_k(result.relevant, cutoff)
