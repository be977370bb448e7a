"""What the harness talks to: the in-process engine or a running service, as a `Backend`.

`EngineBackend` wraps `assistant.engine.Engine` (the service's own code path); `HttpBackend`
calls a running service's `/api/v1/search` and `/api/v1/ask`. Both return `Passage` records that
carry each passage's span of the original document text, on which relevance is judged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, get_args

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from eval.relevance import Span
from indexer.documents import discover, read_document

logger = logging.getLogger(__name__)

RetrieverName = Literal["hybrid", "bm25", "dense"]
RETRIEVERS: tuple[RetrieverName, ...] = get_args(RetrieverName)


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
class AnsweredSentence:
    """One sentence of an answer with the passage its first citation points at.

    `short` says whether it belongs to the short answer, the sentences a reader sees first.
    """

    text: str
    passage: Passage | None
    short: bool


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """What an answer call returned: refusal or text, its sentences and the cited passages."""

    answerable: bool
    topic: str
    text: str
    cited: tuple[Passage, ...]
    confidence: float | None = None
    sentences: tuple[AnsweredSentence, ...] = ()


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
    def short_answer(self) -> Sequence[SentenceLike]: ...  # noqa: D102
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


def _answered(
    sentences: Sequence[SentenceLike],
    short_answer: Sequence[SentenceLike],
    cited: Mapping[int, Passage],
) -> tuple[AnsweredSentence, ...]:
    short = {(s.text, tuple(s.citations)) for s in short_answer}
    return tuple(
        AnsweredSentence(
            text=s.text,
            passage=cited.get(s.citations[0]) if s.citations else None,
            short=(s.text, tuple(s.citations)) in short,
        )
        for s in sentences
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
        cited = {c.n: _passage_from_chunk(c.chunk) for c in answer.citations}
        return AnswerResult(
            answerable=bool(answer.answerable),
            topic=answer.topic,
            text=" ".join(sentence.text for sentence in answer.sentences),
            cited=_distinct(cited.values()),
            confidence=float(answer.confidence),
            sentences=_answered(answer.sentences, answer.short_answer, cited),
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
        return Passage(**self.model_dump(include=set(_PassageModel.model_fields)))


class _SearchResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    passages: list[_PassageModel]


class _SentenceModel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str
    citations: list[int] = []


class _CitationModel(_PassageModel):
    n: int


class _AnswerResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    answerable: bool
    topic: str = ""
    answer: list[_SentenceModel] = []
    # A service from before the structured answer has none: its first sentence is read first.
    short_answer: list[_SentenceModel] | None = None
    citations: list[_CitationModel] = []
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
        cited = {c.n: c.to_passage() for c in parsed.citations}
        short = parsed.answer[:1] if parsed.short_answer is None else parsed.short_answer
        return AnswerResult(
            answerable=parsed.answerable,
            topic=parsed.topic,
            text=" ".join(sentence.text for sentence in parsed.answer),
            cited=_distinct(cited.values()),
            confidence=parsed.confidence,
            sentences=_answered(parsed.answer, short, cited),
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
