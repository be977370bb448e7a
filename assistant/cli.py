"""`python -m assistant`: serve the API and web chat with uvicorn."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import uvicorn

from assistant.api import create_app
from assistant.config import Settings
from assistant.engine import Engine
from assistant.errors import IndexUnavailableError


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server; exits 1 with a clear message when there is no usable index."""
    parser = argparse.ArgumentParser(
        prog="python -m assistant", description="Serve the Wegwijzer API and web chat."
    )
    parser.add_argument("--host", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (8000)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v}
    settings = Settings(**overrides)
    try:
        engine = Engine.load(settings)
    except IndexUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    # The first embedding pays for starting the model's threads (about a second): pay it now,
    # not in the first visitor's request.
    engine.search("warm-up", k=1)
    app = create_app(settings, engine=engine)
    print(
        f"Wegwijzer: http://{settings.host}:{settings.port}  ({len(engine.store.chunks)} "
        f"passages from {len(engine.store.documents)} documents)"
    )
    # uvicorn's access log would add client addresses; our RequestLog middleware logs without.
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level=args.log_level, access_log=False
    )
    return 0
