"""`GET /api/v1/healthz` and the token-protected `POST /api/v1/admin/reload`."""

from __future__ import annotations

import logging
import secrets
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException
from pydantic import SecretStr

from assistant.api.deps import EngineDep, HolderDep, SettingsDep
from assistant.api.errors import error_responses
from assistant.engine import Engine
from assistant.errors import IndexUnavailableError
from assistant.schemas import Health

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["admin"])


@router.get("/healthz", response_model=Health)
def health(engine: EngineDep) -> Health:
    """The loaded index, its embedder and size."""
    return health_of(engine)


@router.post(
    "/admin/reload",
    response_model=Health,
    responses=error_responses(403, 409, 503),
)
def reload_index(
    holder: HolderDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Health:
    """Swap to the newly published index without dropping requests in flight."""
    require_token(settings.admin_token, authorization)
    try:
        engine = holder.reload()
    except IndexUnavailableError as exc:
        logger.error("Reload refused, keeping the current index: %s", exc)
        raise HTTPException(
            409,
            detail={
                "code": "reload_refused",
                "message": f"De nieuwe index is niet geladen; de huidige blijft in gebruik. {exc}",
            },
        ) from exc
    return health_of(engine)


def require_token(expected: SecretStr | str | None, authorization: str | None) -> None:
    """Check a `Bearer` token in constant time; 503 when no token is configured."""
    secret = expected.get_secret_value() if isinstance(expected, SecretStr) else expected or ""
    if not secret:
        raise HTTPException(
            503, detail={"code": "disabled", "message": "Deze functie staat uit op deze server."}
        )
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not secrets.compare_digest(given.encode(), secret.encode()):
        raise HTTPException(
            403, detail={"code": "forbidden", "message": "Geen toegang: het token klopt niet."}
        )


def health_of(engine: Engine) -> Health:
    """The health record of an engine."""
    manifest = engine.store.manifest
    return Health(
        status="ok",
        index=str(engine.store.path),
        embedder=manifest.embedder_id,
        documents=len(engine.store.documents),
        chunks=len(engine.store.chunks),
        built_at=manifest.built_at,
    )
