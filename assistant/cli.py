"""`python -m assistant`: serve the API and web chat with uvicorn, in one or several workers.

With `--workers N` uvicorn starts N worker processes on one socket; each loads the published
index read-only (`worker_app`) and watches for a newly published one
(`WEGWIJZER_INDEX_POLL_SECONDS`). Rate limits are shared between the workers only with
`WEGWIJZER_RATE_LIMIT_STORAGE=redis://...`, feedback only with SQLite on one machine or
`WEGWIJZER_DATABASE_URL=postgresql://...` (README, "In productie").
"""

from __future__ import annotations

import argparse
import logging
import logging.config
import os
import secrets
import sys
from collections.abc import Sequence
from typing import Any

import uvicorn
from fastapi import FastAPI

from assistant.answer_model import AnswerModelError
from assistant.api import create_app
from assistant.config import Settings
from assistant.engine import Engine, load_answer_models
from assistant.errors import IndexUnavailableError
from assistant.feedback import FeedbackUnavailableError
from indexer.errors import IndexerError
from indexer.store import IndexStore

_LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s %(message)s"


def log_config(level: str) -> dict[str, Any]:
    """Logging for the master and every worker: one format, with the process id."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": _LOG_FORMAT}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"level": level.upper(), "handlers": [], "propagate": True},
            "bm25s": {"level": "WARNING"},
            "faiss": {"level": "WARNING"},
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server; exits 1 with a clear message when there is no usable index."""
    parser = argparse.ArgumentParser(
        prog="python -m assistant", description="Serve the Wegwijzer API and web chat."
    )
    parser.add_argument("--host", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (8000)")
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes sharing the port (1)"
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    logging_setup = log_config(args.log_level)
    logging.config.dictConfig(logging_setup)
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v}
    settings = Settings(**overrides)
    # uvicorn's access log would add client addresses; our RequestLog middleware logs without.
    # Proxy headers are handled by the app, from WEGWIJZER_TRUSTED_PROXIES only.
    server_options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": args.log_level,
        "log_config": logging_setup,
        "access_log": False,
        "proxy_headers": False,
    }
    if args.workers == 1:
        try:
            app = app_for(settings)
        except (IndexUnavailableError, FeedbackUnavailableError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"Wegwijzer: http://{settings.host}:{settings.port}")
        uvicorn.run(app, **server_options)
        return 0
    try:  # fail here, once and clearly, rather than in every worker
        IndexStore.open(settings.index_dir)
        load_answer_models(settings)
    except (IndexerError, AnswerModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    # All workers key the rate limit alike; spawned workers inherit the environment.
    os.environ.setdefault("WEGWIJZER_RATE_LIMIT_SALT", secrets.token_hex(16))
    print(f"Wegwijzer: http://{settings.host}:{settings.port}  ({args.workers} workers)")
    uvicorn.run("assistant.cli:worker_app", factory=True, workers=args.workers, **server_options)
    return 0


def app_for(settings: Settings) -> FastAPI:
    """The application over the published index, warmed up.

    Raises:
        IndexUnavailableError: no usable index.
        FeedbackUnavailableError: the feedback database cannot be reached.
    """
    engine = Engine.load(settings)
    # The first embedding pays for starting the model's threads (about a second): pay it now,
    # not in the first visitor's request.
    engine.search("warm-up", k=1)
    app = create_app(settings, engine=engine)
    print(
        f"Wegwijzer [{os.getpid()}]: {len(engine.store.chunks)} passages from "
        f"{len(engine.store.documents)} documents",
        flush=True,
    )
    return app


def worker_app() -> FastAPI:
    """Uvicorn's factory for each worker process: settings from the environment."""
    return app_for(Settings())
