"""The HTTP API and web page: `create_app` builds the FastAPI application."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from assistant.api import admin, answers, documents, feedback
from assistant.api.errors import install_error_handlers
from assistant.api.middleware import BodySizeLimit, RateLimit, RequestLog, SecurityHeaders
from assistant.config import PACKAGE_DIR, Settings, get_settings
from assistant.engine import Engine, EngineHolder, PublishWatcher
from assistant.errors import IndexUnavailableError
from assistant.feedback import FeedbackStore

logger = logging.getLogger(__name__)
STATIC_DIR = PACKAGE_DIR / "static"


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The application. Without `engine`, the index is loaded at start-up (lifespan).

    Usage:
        app = create_app(Settings(index_dir=Path("var/index")))
        uvicorn.run(app)
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not hasattr(app.state, "engines"):
            app.state.engines = EngineHolder(engine or Engine.load(settings), settings)
        uninstall = reload_on_hangup(app.state.engines)
        watcher = PublishWatcher(app.state.engines, settings.index_poll_seconds)
        watcher.start()
        yield
        watcher.stop()
        uninstall()

    app = FastAPI(
        title="Onderwijs-Zorg Wegwijzer",
        version="1.0",
        summary="Cited, extractive answers on zorgplicht, onderwijstijd, vrijstelling and "
        "financiering for children who need both education and care.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.feedback = FeedbackStore.for_settings(settings)
    if engine is not None:
        app.state.engines = EngineHolder(engine, settings)
    install_error_handlers(app)
    for router in (answers.router, documents.router, admin.router, feedback.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    # Outermost last: the request log sees every response, the limits run before routing.
    salt = settings.rate_limit_salt
    app.add_middleware(
        RateLimit,
        per_minute=settings.rate_limit_per_minute,
        paths=("/api/v1/ask", "/api/v1/search"),
        storage=settings.rate_limit_storage,
        salt=salt.get_secret_value().encode() if salt else None,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLog)
    if settings.trusted_proxies:
        # Outermost: the client address is the visitor's (not the proxy's) for all the rest.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app


def reload_on_hangup(holder: EngineHolder) -> Callable[[], None]:
    """Reload the published index on SIGHUP, as `POST /api/v1/admin/reload` does.

    The reload runs in a worker thread; requests keep being served by the old engine until the
    new one is loaded, and a damaged new index is refused with a log line. Returns the function
    that removes the handler. Where signals cannot be handled (Windows, or a server that does
    not run in the main thread, such as the test client), nothing is installed.
    """
    loop = asyncio.get_running_loop()

    def reload() -> None:
        try:
            fresh = holder.reload()
        except IndexUnavailableError as exc:
            logger.error("Reload on SIGHUP refused, keeping the current index: %s", exc)
        except Exception:  # a signal has no caller to report to: log it, keep serving
            logger.exception("Reload on SIGHUP failed, keeping the current index")
        else:
            logger.info("Reloaded on SIGHUP: %s", fresh.store.path)

    try:
        loop.add_signal_handler(signal.SIGHUP, lambda: loop.run_in_executor(None, reload))
    except (AttributeError, NotImplementedError, RuntimeError, ValueError):
        return lambda: None

    def uninstall() -> None:
        loop.remove_signal_handler(signal.SIGHUP)

    return uninstall
