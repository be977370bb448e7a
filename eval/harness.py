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
from types import TracebackType
from typing import Any, Literal, Protocol, get_args

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from eval import metrics
from eval.questions import Question
from eval.relevance import Span, covered_quotes, relevant_chunk_ids
from indexer.documents import discover, read_document

logger = logging.getLogger(__name__)

RetrieverName = Literal["hybrid", "bm25", "dense"]
RETRIEVERS: tuple[RetrieverName, ...] = get_args(RetrieverName)
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
    "must_mention",
    "abstain_accuracy",
    "refused_answerable",
    "refused_unanswerable",
    "latency_ms_p50",
    "latency_ms_p95",
)


class EvaluationError(Exception):
    """The backend returned something the harness cannot score."""


# ---------------------------------------------------------------------------------------------
# What the harness sees of a backend


@dataclass(frozen=True, slots=True)
class Passage:
    """A returned or cited chunk; `char_start`/`char_end` is its span of the original text."""

    chunk_id: str
    doc_id: str
    title: str
    section: str | None
    page: int | None
    text: str
    char_start: int
    char_end: int
    score: float | None = None

    @property
    def span(self) -> Span:
        """The passage's span of the original document text."""
        return Span(self.char_start, self.char_end)


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """What an answer call returned: refusal or text, and the distinct cited passages."""

    answerable: bool
    topic: str
    text: str
    cited: tuple[Passage, ...]
    confidence: float | None = None


class Backend(Protocol):
    """The service operations the harness needs."""

    def search(self, query: str, k: int, retriever: RetrieverName) -> Sequence[Passage]:
        """The top k passages for a query, best first."""
        ...

    def ask(self, question: str, retriever: RetrieverName) -> AnswerResult:
        """An answer to a question, without history."""
        ...

    def document_text(self, doc_id: str) -> str | None:
        """The original text of a document, or None for an unknown id."""
        ...

    def all_chunks(self) -> Sequence[Passage] | None:
        """Every chunk of the index, or None when the backend cannot list them."""
        ...


# Structural types of the in-process engine (assistant.engine), as far as the harness uses it.


class ChunkLike(Protocol):
    """A chunk of the index."""

    @property
    def chunk_id(self) -> str: ...  # noqa: D102
    @property
    def doc_id(self) -> str: ...  # noqa: D102
    @property
    def title(self) -> str: ...  # noqa: D102
    @property
    def section(self) -> str | None: ...  # noqa: D102
    @property
    def page(self) -> int | None: ...  # noqa: D102
    @property
    def text(self) -> str: ...  # noqa: D102
    @property
    def char_start(self) -> int: ...  # noqa: D102
    @property
    def char_end(self) -> int: ...  # noqa: D102


class HitLike(Protocol):
    """A search hit: a chunk and its score."""

    @property
    def chunk(self) -> ChunkLike: ...  # noqa: D102
    @property
    def score(self) -> float: ...  # noqa: D102


class SentenceLike(Protocol):
    """An answer sentence with the numbers of the citations supporting it."""

    @property
    def text(self) -> str: ...  # noqa: D102
    @property
    def citations(self) -> Sequence[int]: ...  # noqa: D102


class CitationLike(Protocol):
    """A numbered citation of an answer."""

    @property
    def n(self) -> int: ...  # noqa: D102
    @property
    def chunk(self) -> ChunkLike: ...  # noqa: D102


class AnswerLike(Protocol):
    """An answer of the engine."""

    @property
    def answerable(self) -> bool: ...  # noqa: D102
    @property
    def topic(self) -> str: ...  # noqa: D102
    @property
    def sentences(self) -> Sequence[SentenceLike]: ...  # noqa: D102
    @property
    def citations(self) -> Sequence[CitationLike]: ...  # noqa: D102
    @property
    def confidence(self) -> float: ...  # noqa: D102


class EngineLike(Protocol):
    """The in-process engine: `assistant.engine.Engine`."""

    def search(  # noqa: D102
        self, query: str, *, k: int = ..., mode: RetrieverName = ...
    ) -> Sequence[HitLike]: ...

    def ask(  # noqa: D102
        self, question: str, history: Sequence[str] = ..., *, mode: RetrieverName = ...
    ) -> AnswerLike: ...

    def document_text(self, doc_id: str) -> str: ...  # noqa: D102


def _passage_from_chunk(chunk: ChunkLike, score: float | None = None) -> Passage:
    return Passage(
        chunk_id=str(chunk.chunk_id),
        doc_id=chunk.doc_id,
        title=chunk.title,
        section=chunk.section,
        page=chunk.page,
        text=chunk.text,
        char_start=int(chunk.char_start),
        char_end=int(chunk.char_end),
        score=None if score is None else float(score),
    )


def _distinct(passages: Iterable[Passage]) -> tuple[Passage, ...]:
    seen: dict[str, Passage] = {}
    for passage in passages:
        seen.setdefault(passage.chunk_id, passage)
    return tuple(seen.values())


class EngineBackend:
    """The in-process engine as a `Backend`: the same code path the service runs.

    Args:
        engine: An `assistant.engine.Engine` (anything with its `search`, `ask` and
            `document_text`).
        chunks: Every chunk of the engine's index (e.g. `IndexStore.chunks`), which makes
            relevant sets exhaustive; None pools them from the run.
    """

    def __init__(self, engine: EngineLike, chunks: Sequence[ChunkLike] | None = None) -> None:
        self._engine = engine
        self._chunks = chunks

    def search(self, query: str, k: int, retriever: RetrieverName) -> list[Passage]:
        """The top k passages for a query, best first."""
        hits = self._engine.search(query, k=k, mode=retriever)
        return [_passage_from_chunk(hit.chunk, hit.score) for hit in hits]

    def ask(self, question: str, retriever: RetrieverName) -> AnswerResult:
        """An answer to a question, without history."""
        answer = self._engine.ask(question, mode=retriever)
        return AnswerResult(
            answerable=bool(answer.answerable),
            topic=answer.topic,
            text=" ".join(sentence.text for sentence in answer.sentences),
            cited=_distinct(_passage_from_chunk(c.chunk) for c in answer.citations),
            confidence=float(answer.confidence),
        )

    def document_text(self, doc_id: str) -> str | None:
        """The original text of a document, or None for an unknown id."""
        try:
            return self._engine.document_text(doc_id)
        except LookupError:
            return None

    def all_chunks(self) -> list[Passage] | None:
        """Every chunk of the index if they were given, else None."""
        if self._chunks is None:
            return None
        return [_passage_from_chunk(chunk) for chunk in self._chunks]


class _PassageModel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    chunk_id: str
    doc_id: str
    title: str = ""
    section: str | None = None
    page: int | None = None
    text: str = ""
    char_start: int
    char_end: int
    score: float | None = None

    def to_passage(self) -> Passage:
        return Passage(**self.model_dump())


class _SearchResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    passages: list[_PassageModel]


class _SentenceModel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str
    citations: list[int] = []


class _AnswerResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    answerable: bool
    topic: str = ""
    answer: list[_SentenceModel] = []
    citations: list[_PassageModel] = []
    confidence: float | None = None


class HttpBackend:
    """A running service as a `Backend` (`POST /api/v1/search` and `/api/v1/ask`).

    Document texts are read from the corpus folder, since the API does not serve them.

    Args:
        url: The service's base URL, e.g. `http://127.0.0.1:8000`.
        document_texts: Gives a document's original text by id, or None when unknown.
        chunks: Every chunk of the service's index, which makes relevant sets exhaustive;
            None pools them from the run.
        timeout: Seconds to wait for one request.
        client: An httpx client to use instead of a new one (tests).
    """

    def __init__(
        self,
        url: str,
        document_texts: Callable[[str], str | None],
        *,
        chunks: Sequence[ChunkLike] | None = None,
        timeout: float = 120.0,
        client: httpx.Client | None = None,
    ) -> None:
        self._base = url.rstrip("/")
        self._texts = document_texts
        self._chunks = chunks
        self._client = client or httpx.Client(timeout=timeout)

    def __enter__(self) -> HttpBackend:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()

    def _post(self, path: str, payload: Mapping[str, Any]) -> Any:
        response = self._client.post(f"{self._base}{path}", json=payload)
        response.raise_for_status()
        return response.json()

    def search(self, query: str, k: int, retriever: RetrieverName) -> list[Passage]:
        """The top k passages for a query, best first."""
        data = self._post(
            "/api/v1/search", {"query": query, "k": k, "filters": {}, "retriever": retriever}
        )
        try:
            parsed = _SearchResponse.model_validate(data)
        except ValidationError as exc:
            raise EvaluationError(f"unexpected /api/v1/search response: {exc}") from exc
        return [p.to_passage() for p in parsed.passages]

    def ask(self, question: str, retriever: RetrieverName) -> AnswerResult:
        """An answer to a question, without history."""
        data = self._post(
            "/api/v1/ask", {"question": question, "history": [], "retriever": retriever}
        )
        try:
            parsed = _AnswerResponse.model_validate(data)
        except ValidationError as exc:
            raise EvaluationError(f"unexpected /api/v1/ask response: {exc}") from exc
        return AnswerResult(
            answerable=parsed.answerable,
            topic=parsed.topic,
            text=" ".join(sentence.text for sentence in parsed.answer),
            cited=_distinct(c.to_passage() for c in parsed.citations),
            confidence=parsed.confidence,
        )

    def document_text(self, doc_id: str) -> str | None:
        """The original text of a document from the corpus folder, or None."""
        return self._texts(doc_id)

    def all_chunks(self) -> list[Passage] | None:
        """Every chunk of the index if they were given (the API does not list them), else None."""
        if self._chunks is None:
            return None
        return [_passage_from_chunk(chunk) for chunk in self._chunks]


def corpus_document_texts(corpus_dir: Path) -> Callable[[str], str | None]:
    """Original document texts read from a corpus folder, as the indexer reads them.

    The folder is listed at once; each document is read on first use.

    Raises:
        CorpusError: The corpus folder does not exist.
    """
    sources = {source.doc_id: source for source in discover(corpus_dir)}
    cache: dict[str, str] = {}

    def text(doc_id: str) -> str | None:
        source = sources.get(doc_id)
        if source is None:
            return None
        if doc_id not in cache:
            cache[doc_id] = read_document(source).text
        return cache[doc_id]

    return text


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
    covers; `n_relevant` is the size of the question's relevant set.
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
    runs = tuple(
        score_run(retriever, [judge(o, sizes[o.question.id]) for o in observed[retriever]], k)
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


def judge(observation: Observation, n_relevant: int) -> QuestionResult:
    """Judge one observation: relevance of its passages and citations, must-mention terms."""
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
    )


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
