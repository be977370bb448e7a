"""The rate limit of `assistant.api.middleware.RateLimit` on its own: storage by setting, and an
unreachable Redis that lets requests through instead of failing them."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.api.middleware import RateLimit
from scripts.services import Redis


def _app(storage: str, salt: bytes = b"salt", per_minute: int = 2) -> FastAPI:
    app = FastAPI()

    @app.post("/api/v1/search")
    def search() -> dict[str, str]:
        return {"ok": "ja"}

    app.add_middleware(
        RateLimit, per_minute=per_minute, paths=("/api/v1/search",), storage=storage, salt=salt
    )
    return app


def _codes(app: FastAPI, n: int) -> list[int]:
    with TestClient(app) as client:
        return [client.post("/api/v1/search").status_code for _ in range(n)]


def test_two_apps_on_one_redis_share_the_count(redis_server: Redis) -> None:
    first, second = _app(redis_server.url), _app(redis_server.url)
    assert _codes(first, 1) + _codes(second, 2) == [200, 200, 429]


def test_in_memory_each_app_counts_alone() -> None:
    first, second = _app("memory://"), _app("memory://")
    assert _codes(first, 2) + _codes(second, 2) == [200, 200, 200, 200]


def test_another_salt_is_another_visitor(redis_server: Redis) -> None:
    assert _codes(_app(redis_server.url, b"a", 1), 2) == [200, 429]
    assert _codes(_app(redis_server.url, b"b", 1), 1) == [200]


def test_an_unreachable_redis_lets_requests_through_and_says_so(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(f"redis+unix://{tmp_path}/no-redis.sock")
    with caplog.at_level(logging.ERROR, logger="assistant.ratelimit"):
        assert _codes(app, 4) == [200] * 4
    assert len([r for r in caplog.records if "storage unavailable" in r.message]) == 1


def test_an_unknown_storage_is_refused() -> None:
    with pytest.raises(ValueError, match="memory:// or a redis:// URL"):
        RateLimit(_app("memory://"), per_minute=1, paths=(), storage="memcached://x")
