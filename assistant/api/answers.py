"""`POST /api/v1/ask` and `POST /api/v1/search`."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import get_args

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel

from assistant.answering import Answer, AnswerSentence, Citation
from assistant.api.deps import EngineDep, SettingsDep
from assistant.api.errors import error_responses
from assistant.glossary import OTHER_TOPIC, Term
from assistant.privacy import mask_personal_data
from assistant.related import example_questions, related_questions
from assistant.retrieval import Hit
from assistant.schemas import (
    AnswerSentenceOut,
    AskRequest,
    AskResponse,
    CitationOut,
    CorrectionOut,
    ExampleOut,
    ExamplesResponse,
    Passage,
    SearchRequest,
    SearchResponse,
    TermOut,
    TopicName,
)
from assistant.spelling import Correction
from indexer.documents import DocumentMeta
from indexer.store import StoredDocument

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["answers"])
_TOPICS = frozenset(get_args(TopicName))
_ERRORS = error_responses(400, 413, 422, 429, 503)


def json_response(body: BaseModel) -> Response:
    """The model as JSON, serialised once.

    Returned as a `Response`, FastAPI neither validates the model again against the route's
    `response_model` (which stays, for the schema) nor hops to the thread pool to do so.
    """
    return Response(body.model_dump_json(), media_type="application/json")


@router.post("/ask", response_model=AskResponse, responses=_ERRORS)
def ask(request: AskRequest, engine: EngineDep, settings: SettingsDep) -> Response:
    """Answer a question with sentences from the documents, each with its citation."""
    if settings.log_questions:
        logger.info("question: %s", mask_personal_data(request.question))
    earlier = [turn.text for turn in request.history if turn.role == "user"]
    answer = engine.ask(request.question, earlier, mode=request.retriever)
    response = answer_out(answer, engine.store.documents)
    if settings.question_bank:
        rows = [engine.store.row_of[c.chunk.chunk_id] for c in answer.citations]
        asked = [request.question, *earlier]
        response.related_questions = related_questions(
            engine.store.bank, engine.store.chunks, rows, asked
        )
    return json_response(response)


@router.get("/examples", response_model=ExamplesResponse, responses=error_responses(503))
def examples(engine: EngineDep, settings: SettingsDep) -> ExamplesResponse:
    """Example questions for the start page: one or two per topic, from the question bank."""
    if not settings.question_bank:
        return ExamplesResponse(examples=[])
    return ExamplesResponse(
        examples=[
            ExampleOut(topic=e.topic, question=e.question)
            for e in example_questions(engine.store.bank)
        ]
    )


@router.post("/search", response_model=SearchResponse, responses=_ERRORS)
def search(request: SearchRequest, engine: EngineDep, settings: SettingsDep) -> Response:
    """Passages only, best first: for looking up and copying citations."""
    if settings.log_questions:
        logger.info("search: %s", mask_personal_data(request.query))
    hits = engine.search(
        request.query,
        k=request.k,
        mode=request.retriever,
        doc_ids=request.filters.doc_ids,
        topic=request.filters.topic,
    )
    return json_response(
        SearchResponse(
            passages=[passage_out(h, engine.store.documents) for h in hits],
            corrections=corrections_out(engine.corrections(request.query, request.retriever)),
        )
    )


def passage_out(hit: Hit, documents: Mapping[str, StoredDocument]) -> Passage:
    """The API view of a retrieved passage; `documents` give its document's kind."""
    chunk, meta = hit.chunk, _source(hit.chunk.doc_id, documents)
    return Passage(
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        title=chunk.title,
        doc_kind=meta.kind if meta else None,
        publisher=meta.publisher if meta else None,
        section=chunk.section,
        page=chunk.page,
        page_end=chunk.page_end,
        text=chunk.text,
        score=round(hit.score, 6),
        char_start=chunk.char_start,
        char_end=chunk.char_end,
        links=list(chunk.links),
        gaps=list(chunk.figure_gaps),
    )


def answer_out(answer: Answer, documents: Mapping[str, StoredDocument]) -> AskResponse:
    """The API view of an answer; `documents` give its sources' kinds."""
    return AskResponse(
        answerable=answer.answerable,
        topic=answer.topic if answer.topic in _TOPICS else OTHER_TOPIC,
        question_kind=answer.kind,
        message=answer.message,
        short_answer=_sentences_out(answer.short_answer),
        explanation=_sentences_out(answer.explanation),
        next_steps=_sentences_out(answer.next_steps),
        answer=_sentences_out(answer.sentences),
        citations=[_citation_out(c, documents) for c in answer.citations],
        rules=list(answer.rules),
        parties=list(answer.parties),
        confidence=answer.confidence,
        terms=[term_out(t) for t in answer.terms],
        corrections=corrections_out(answer.corrections),
    )


def corrections_out(corrections: Sequence[Correction]) -> list[CorrectionOut]:
    """The API view of the words read as others."""
    return [CorrectionOut(typed=c.typed, read_as=c.read_as) for c in corrections]


def _sentences_out(sentences: Sequence[AnswerSentence]) -> list[AnswerSentenceOut]:
    return [
        AnswerSentenceOut(
            text=s.text,
            citations=list(s.citations),
            gaps=list(s.gaps),
            addressed_to=s.addressed_to,
            municipality=s.municipality,
        )
        for s in sentences
    ]


def _source(doc_id: str, documents: Mapping[str, StoredDocument]) -> DocumentMeta | None:
    """What the catalog says of a passage's document (its kind, its publisher)."""
    document = documents.get(doc_id)
    return document.meta if document is not None else None


def _citation_out(citation: Citation, documents: Mapping[str, StoredDocument]) -> CitationOut:
    chunk, meta = citation.chunk, _source(citation.chunk.doc_id, documents)
    return CitationOut(
        n=citation.n,
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        title=chunk.title,
        doc_kind=meta.kind if meta else None,
        publisher=meta.publisher if meta else None,
        section=citation.section,
        page=chunk.page,
        quote=citation.quote,
        text=chunk.text,
        quote_spans=list(citation.quote_spans),
        char_start=chunk.char_start,
        char_end=chunk.char_end,
        gaps=list(chunk.figure_gaps),
        quote_gaps=list(citation.quote_gaps),
    )


def term_out(term: Term) -> TermOut:
    """The API view of a glossary term."""
    return TermOut(term=term.term, aliases=[term.full, *term.aliases], explanation=term.explanation)
