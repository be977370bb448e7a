"""`GET /api/v1/documents`, `GET /api/v1/documents/{doc_id}` and `GET /api/v1/glossary`."""

from __future__ import annotations

from fastapi import APIRouter, Query

from assistant.api.answers import term_out
from assistant.api.deps import EngineDep
from assistant.api.errors import error_responses
from assistant.engine import Engine
from assistant.errors import NotFoundError
from assistant.schemas import (
    DocumentDetail,
    DocumentOut,
    DocumentPassage,
    DocumentsResponse,
    GlossaryResponse,
)

router = APIRouter(prefix="/api/v1", tags=["documents"])


@router.get("/documents", response_model=DocumentsResponse)
def list_documents(engine: EngineDep) -> DocumentsResponse:
    """All documents the answers come from."""
    return DocumentsResponse(
        documents=[_document_out(engine, d) for d in sorted(engine.store.documents)]
    )


@router.get(
    "/documents/{doc_id}",
    response_model=DocumentDetail,
    responses=error_responses(404, 422),
)
def read_document(
    doc_id: str,
    engine: EngineDep,
    chunk_id: str | None = Query(default=None, max_length=200, description="Passage to highlight"),
) -> DocumentDetail:
    """A document's passages in order; with `chunk_id`, that passage is highlighted."""
    if doc_id not in engine.store.documents:
        raise NotFoundError(f"Het document '{doc_id[:100]}' bestaat niet.")
    chunks = engine.store.document_chunks(doc_id)
    if chunk_id is not None and all(c.chunk_id != chunk_id for c in chunks):
        raise NotFoundError(f"De passage '{chunk_id[:100]}' staat niet in dit document.")
    return DocumentDetail(
        document=_document_out(engine, doc_id),
        passages=[
            DocumentPassage(
                chunk_id=c.chunk_id,
                section=c.section,
                page=c.page,
                text=c.text,
                highlight=c.chunk_id == chunk_id,
                gaps=list(c.figure_gaps),
            )
            for c in chunks
        ],
    )


@router.get("/glossary", response_model=GlossaryResponse)
def read_glossary(engine: EngineDep) -> GlossaryResponse:
    """Jargon with plain explanations, for the web chat."""
    return GlossaryResponse(terms=[term_out(t) for t in engine.glossary.terms])


def _document_out(engine: Engine, doc_id: str) -> DocumentOut:
    document = engine.store.documents[doc_id]
    entry = engine.store.manifest.documents[doc_id]
    meta = document.meta
    return DocumentOut(
        doc_id=doc_id,
        title=meta.title,
        publisher=meta.publisher,
        year=meta.year,
        kind=meta.kind,
        url=meta.url,
        chunks=entry.chunks,
        pages=entry.pages,
    )
