"""Real servers for the deployment tests: Redis, PostgreSQL, nginx (Debian's), and the service
in several worker processes. A missing server binary skips with the package to install on a
developer's machine, and fails in CI (CI=true), where `make test` installs them."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from assistant.config import Settings
from indexer.build import build_index
from scripts.services import MissingBinary, PostgreSQL, Redis
from tests.conftest import SHARED_CACHE
from tests.indexer.test_build import _small_corpus


def need(error: MissingBinary) -> None:
    """Skip (fail in CI) for a missing server binary."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must have the deployment servers: {error}")
    pytest.skip(str(error))


def running(server: Redis | PostgreSQL) -> Iterator[Redis | PostgreSQL]:
    """Start `server` for a fixture (skip or fail when its binary is missing), stop it after."""
    try:
        server.start()
    except MissingBinary as exc:
        server.stop()
        need(exc)
    except BaseException:
        server.stop()
        raise
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[Redis | PostgreSQL]:
    """A throwaway redis-server on a Unix socket."""
    yield from running(Redis())


@pytest.fixture(scope="module")
def postgres() -> Iterator[Redis | PostgreSQL]:
    """A throwaway PostgreSQL cluster on 127.0.0.1, removed after the module."""
    yield from running(PostgreSQL())


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:
    """A two-document index (built with the real model), published under its own var/."""
    root = tmp_path_factory.mktemp("deploy")
    settings = Settings(
        corpus_dir=_small_corpus(root),
        index_dir=root / "var" / "index",
        cache_dir=SHARED_CACHE,
        feedback_db=root / "var" / "feedback.sqlite",
        _env_file=None,
    )  # type: ignore[call-arg]
    build_index(settings, embedder=embedder)
    return settings
