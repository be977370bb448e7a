"""Feedback endpoints: `POST /api/v1/feedback` and `GET /api/v1/feedback/export` (token).

The application provides `app.state.feedback` (a `FeedbackStore`) and `app.state.settings`
(with `feedback_token`); errors are raised as `HTTPException(detail={"code", "message"})` and
rendered by the application's error handler in the common `{"error": {...}}` shape.

Usage:
    app.state.feedback = FeedbackStore.for_settings(settings)
    app.include_router(feedback.router)
"""

from __future__ import annotations

import logging
import secrets
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from assistant.api.errors import error_responses
from assistant.feedback import (
    MAX_CITATIONS,
    MAX_QUESTION_CHARS,
    MAX_REMARK_CHARS,
    FeedbackRecord,
    FeedbackStore,
    FeedbackUnavailableError,
    StoredFeedback,
)

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["feedback"])

ChunkId = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class FeedbackRequest(BaseModel):
    """A rating of one answer, with the question and the chunk ids that answer cited."""

    model_config = ConfigDict(extra="forbid")

    rating: Literal["up", "down"]
    remark: str | None = Field(default=None, max_length=MAX_REMARK_CHARS)
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    citation_ids: list[ChunkId] = Field(default_factory=list, max_length=MAX_CITATIONS)


class FeedbackCreated(BaseModel):
    """The id of the stored feedback."""

    id: int


class FeedbackItem(BaseModel):
    """One stored piece of feedback, as exported."""

    id: int
    created_at: str
    rating: Literal["up", "down"]
    remark: str | None
    question: str
    citation_ids: list[str]


class FeedbackExport(BaseModel):
    """All stored feedback, oldest first."""

    count: int
    feedback: list[FeedbackItem]


def _error(status_code: int, code: str, message: str) -> HTTPException:
    return HTTPException(status_code=status_code, detail={"code": code, "message": message})


def _unavailable() -> HTTPException:
    return _error(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "feedback_unavailable",
        "Feedback geven kan op dit moment niet. Probeer het later nog eens.",
    )


def get_feedback_store(request: Request) -> FeedbackStore:
    """The application's feedback store (`app.state.feedback`)."""
    store = getattr(request.app.state, "feedback", None)
    if not isinstance(store, FeedbackStore):
        raise _unavailable()
    return store


def get_export_token(request: Request) -> str | None:
    """The configured export token (`app.state.settings.feedback_token`), or None when unset."""
    settings = getattr(request.app.state, "settings", None)
    token = getattr(settings, "feedback_token", None)
    if token is None:
        return None
    if hasattr(token, "get_secret_value"):  # pydantic SecretStr
        token = token.get_secret_value()
    token = str(token)
    return token or None


Store = Annotated[FeedbackStore, Depends(get_feedback_store)]
ExportToken = Annotated[str | None, Depends(get_export_token)]


@router.post(
    "/feedback",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 413, 422, 503),
)
def post_feedback(body: FeedbackRequest, store: Store) -> FeedbackCreated:
    """Store a thumbs up/down (with an optional remark) for one answer."""
    remark = body.remark.strip() if body.remark else None
    record = FeedbackRecord(
        rating=body.rating,
        question=body.question,
        remark=remark or None,
        citation_ids=tuple(body.citation_ids),
    )
    try:
        new_id = store.add(record)
    except ValueError as exc:
        raise _error(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "invalid_feedback",
            "De feedback kon niet worden opgeslagen: controleer de invoer.",
        ) from exc
    except FeedbackUnavailableError as exc:
        logger.error("Feedback not stored: %s", exc)
        raise _unavailable() from exc
    return FeedbackCreated(id=new_id)


@router.get("/feedback/export", responses=error_responses(403, 503))
def export_feedback(
    response: Response,
    store: Store,
    token: ExportToken,
    authorization: Annotated[str | None, Header()] = None,
) -> FeedbackExport:
    """All feedback, for the maintainers; needs `Authorization: Bearer <feedback_token>`."""
    if token is None:
        raise _error(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "export_disabled",
            "Export staat uit: er is geen sleutel voor de feedback-export ingesteld.",
        )
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        given.strip().encode("utf-8"), token.encode("utf-8")
    ):
        raise _error(
            status.HTTP_403_FORBIDDEN,
            "forbidden",
            "Geen toegang: de sleutel voor de feedback-export ontbreekt of klopt niet.",
        )
    response.headers["Cache-Control"] = "no-store"
    try:
        rows = store.export()
    except FeedbackUnavailableError as exc:
        logger.error("Feedback export failed: %s", exc)
        raise _unavailable() from exc
    return FeedbackExport(count=len(rows), feedback=[_item(row) for row in rows])


def _item(row: StoredFeedback) -> FeedbackItem:
    return FeedbackItem(
        id=row.id,
        created_at=row.created_at,
        rating=row.rating,
        remark=row.remark,
        question=row.question,
        citation_ids=row.citation_ids,
    )
