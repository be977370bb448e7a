"""ASGI middleware: body size limit, per-client rate limit, security headers, request log.

All are plain ASGI so they work for every response, streaming or not. Only the rate limit
does more than a lookup: an HMAC of the client's address and one call to its storage (in
memory, or Redis).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import secrets
import time
from collections.abc import Iterable

import redis.asyncio
from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("assistant.access")
limit_logger = logging.getLogger("assistant.ratelimit")

_SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        b"frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
# The interactive API docs load their own scripts; the strict policy applies everywhere else.
_DOCS_PATHS = ("/docs", "/redoc")


async def _send_error(
    send: Send, status: int, code: str, message: str, headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuses request bodies over `max_bytes` with 413, whether or not they declare a length."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: D102
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        await _send_error(
            send,
            413,
            "body_too_large",
            f"Het verzoek is te groot (hoogstens {self.max_bytes // 1024} kB).",
        )


class RateLimit:
    """`per_minute` requests per client and path in any 60 s (a moving window), then 429.

    The counting is done by the `limits` library (as slowapi uses it), in this process's
    memory (`memory://`) or in Redis (`redis://...`, `redis+unix://...`) so that all workers
    share one count. The client is keyed by an HMAC of its address with `salt`: the address
    itself is never logged or stored, and a Redis key tells nothing without the salt. When the
    storage cannot be reached, requests are let through (and that is logged): an outage of
    Redis must not take the service down.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_minute: int,
        paths: tuple[str, ...],
        storage: str = "memory://",
        salt: bytes | None = None,
    ) -> None:
        self.app = app
        self.per_minute = per_minute
        self.paths = paths
        self._salt = salt or secrets.token_bytes(16)
        self._item = RateLimitItemPerMinute(max(per_minute, 1))
        self._pool = _redis_pool(storage)
        self._limiter = MovingWindowRateLimiter(_open_storage(storage, self._pool))
        self._warned = -math.inf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: D102
        if scope["type"] == "lifespan" and self._pool is not None:
            await self.app(scope, self._closing_on_shutdown(receive), send)
            return
        path = scope.get("path", "")
        if scope["type"] != "http" or self.per_minute <= 0 or path not in self.paths:
            await self.app(scope, receive, send)
            return
        wait = await self._take(self.client_key(scope), path)
        if wait > 0:
            await _send_error(
                send,
                429,
                "rate_limited",
                "Er komen te veel vragen tegelijk binnen. Wacht even en probeer het opnieuw.",
                headers=[(b"retry-after", str(math.ceil(wait)).encode())],
            )
            return
        await self.app(scope, receive, send)

    def client_key(self, scope: Scope) -> str:
        """A keyed hash of the client's address (as set by the trusted proxy, if any)."""
        client = (scope.get("client") or ("unknown", 0))[0]
        return hmac.new(self._salt, str(client).encode(), hashlib.sha256).hexdigest()[:32]

    async def _take(self, client: str, path: str) -> float:
        """Count one request; returns 0 when allowed, else the seconds until the next one is."""
        try:
            if await self._limiter.hit(self._item, "wegwijzer", path, client):
                return 0.0
            stats = await self._limiter.get_window_stats(self._item, "wegwijzer", path, client)
        except Exception as exc:  # storage down: serve rather than refuse everyone
            now = time.monotonic()
            if now - self._warned > 60:  # one line a minute, not one per request
                self._warned = now
                limit_logger.error("Rate-limit storage unavailable, requests let through: %r", exc)
            return 0.0
        return max(1.0, stats.reset_time - time.time())

    def _closing_on_shutdown(self, receive: Receive) -> Receive:
        """`receive` that closes the Redis connections when the server shuts down."""

        async def closing_receive() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown" and self._pool is not None:
                await self._pool.disconnect()
            return message

        return closing_receive


_REDIS_SCHEMES = ("redis", "rediss", "redis+unix")


def _redis_pool(uri: str) -> redis.asyncio.ConnectionPool | None:
    """Our own connection pool for a Redis URL (so it can be closed), else None."""
    scheme, _, rest = uri.partition("://")
    if scheme not in _REDIS_SCHEMES:
        return None
    # A Redis that hangs must not hang requests: give up after half a second and let them in.
    return redis.asyncio.ConnectionPool.from_url(
        f"unix://{rest}" if scheme == "redis+unix" else uri,
        socket_timeout=0.5,
        socket_connect_timeout=0.5,
    )


def _open_storage(uri: str, pool: redis.asyncio.ConnectionPool | None) -> Storage:
    """The async `limits` storage for "memory://" or a Redis URL (over `pool`).

    Raises:
        ValueError: a storage this service does not support.
    """
    scheme = uri.partition("://")[0]
    if scheme == "memory":
        return MemoryStorage()
    if scheme in _REDIS_SCHEMES and pool is not None:
        # redis-py's asyncio client over our pool; `limits` would otherwise want coredis. Its
        # options are typed as scalars, but the redis-py bridge takes a `connection_pool`.
        return RedisStorage(
            f"async+{uri}",
            implementation="redispy",
            connection_pool=pool,  # type: ignore[arg-type]
        )
    raise ValueError(
        f"WEGWIJZER_RATE_LIMIT_STORAGE must be memory:// or a redis:// URL, not {scheme}://"
    )


class SecurityHeaders:
    """Adds CSP (no inline script), no-sniff, frame and referrer policies to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: D102
        if scope["type"] != "http" or scope.get("path", "").startswith(_DOCS_PATHS):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class RequestLog:
    """One log line per request: method, path, status, duration. Never the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: D102
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            logger.info(
                "%s %s %d %.1fms",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )
