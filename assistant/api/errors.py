"""Turning every error into one JSON shape: `{"error": {"code", "message"}}`, message in Dutch.

Domain errors become HTTP errors here; a route that answers one with a status of its own
(a reload refused: 409; the feedback store down: 503) raises `HTTPException` with
`{"code", "message"}` itself, and the handler here gives it the same shape.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import IndexUnavailableError, NotFoundError
from assistant.schemas import ErrorResponse

logger = logging.getLogger(__name__)

_FIELD_NAMES = {
    "question": "De vraag",
    "query": "De zoekvraag",
    "history": "Het gesprek",
    "text": "Een eerdere beurt in het gesprek",
    "role": "De rol van een beurt in het gesprek",
    "k": "Het aantal resultaten (k)",
    "filters": "De filters",
    "doc_ids": "De documentfilter",
    "topic": "Het onderwerp",
    "retriever": "De zoekmethode",
    "rating": "De beoordeling",
    "remark": "De opmerking",
    "citation_ids": "De bronverwijzingen",
}
# What a field must look like, for a value of the wrong type: the history's turns are objects,
# where a client may send the earlier questions as plain strings.
_FIELD_SHAPES = {
    "history": (
        'moet een lijst van beurten zijn, elke beurt als {"role": "user", "text": "..."} '
        '(role: "user" of "assistant")'
    ),
    "doc_ids": "moet een lijst van document-id's (teksten) zijn",
    "citation_ids": "moeten een lijst van passage-id's (teksten) zijn",
}
_STATUS_MESSAGES = {
    400: "Het verzoek kon niet worden gelezen: stuur geldige JSON in UTF-8.",
    404: "Deze pagina of dit onderdeel bestaat niet.",
    405: "Deze methode is hier niet toegestaan.",
    413: "Het verzoek is te groot.",
    429: "Er komen te veel vragen tegelijk binnen. Wacht even en probeer het opnieuw.",
}


_DESCRIPTIONS = {
    400: "Onleesbaar verzoek (geen JSON in UTF-8)",
    403: "Geen of een verkeerd token",
    404: "Onbekend document of passage",
    409: "Nieuwe index onbruikbaar; de huidige blijft in gebruik",
    413: "Verzoek te groot",
    422: "Ongeldige invoer",
    429: "Te veel verzoeken; zie Retry-After",
    503: "Geen zoekindex geladen, of de functie staat uit",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of error responses, all in the common error shape."""
    return {code: {"model": ErrorResponse, "description": _DESCRIPTIONS[code]} for code in codes}


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A response in the common error shape."""
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def validation_message(errors: Sequence[Any]) -> str:
    """One Dutch sentence per problem in a pydantic validation error list."""
    return " ".join(dict.fromkeys(_one_message(e) for e in errors)) or "Het verzoek is ongeldig."


def _one_message(error: Any) -> str:
    loc = [str(p) for p in error.get("loc", ()) if p not in ("body",) and not str(p).isdigit()]
    key = loc[-1] if loc else ""
    field = _FIELD_NAMES.get(key, f"Het veld '{'.'.join(loc)}'") if loc else "Het verzoek"
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"{field} ontbreekt."
    if kind == "json_invalid":
        return "Het verzoek is geen geldige JSON."
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return (
            f"{field} is leeg." if least == 1 else f"{field} is te kort (minstens {least} tekens)."
        )
    if kind == "too_short":
        return f"{field} bevat te weinig onderdelen (minstens {ctx.get('min_length', 1)})."
    if kind == "string_too_long":
        return f"{field} is te lang (hoogstens {ctx.get('max_length')} tekens)."
    if kind == "too_long":
        return f"{field} bevat te veel onderdelen (hoogstens {ctx.get('max_length')})."
    if kind in ("greater_than_equal", "less_than_equal", "int_parsing", "int_type"):
        return f"{field} moet een geheel getal zijn binnen de toegestane grenzen."
    if kind in ("literal_error", "enum"):
        return f"{field} heeft een onbekende waarde; kies uit {ctx.get('expected', '')}."
    if kind == "extra_forbidden":
        return f"{field} is geen bekend veld."
    if kind == "value_error":
        return f"{field} {ctx.get('error', 'is ongeldig')!s}."
    if kind in (
        "string_type",
        "model_type",
        "model_attributes_type",
        "list_type",
        "dict_type",
        "bool_type",
    ):
        shape = _FIELD_SHAPES.get(key)
        return f"{field} {shape}." if shape else f"{field} heeft het verkeerde type."
    return f"{field} is ongeldig."


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the common shape."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", validation_message(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.detail, dict) and {"code", "message"} <= exc.detail.keys():
            return error_response(
                exc.status_code,
                exc.detail["code"],
                exc.detail["message"],
                exc.headers,
            )
        message = _STATUS_MESSAGES.get(exc.status_code, "Het verzoek kon niet worden verwerkt.")
        code = "invalid_request" if exc.status_code == 400 else f"http_{exc.status_code}"
        return error_response(exc.status_code, code, message, exc.headers)

    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return error_response(404, "not_found", str(exc))

    @app.exception_handler(IndexUnavailableError)
    async def _unavailable(_: Request, exc: IndexUnavailableError) -> JSONResponse:
        logger.error("Index unavailable: %s", exc)
        return error_response(
            503,
            "index_unavailable",
            "De zoekindex is niet beschikbaar. Probeer het later opnieuw.",
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("Unexpected error: %s", type(exc).__name__)
        return error_response(
            500, "internal_error", "Er ging iets mis bij ons. Probeer het later opnieuw."
        )


__all__ = ["error_response", "error_responses", "install_error_handlers", "validation_message"]
