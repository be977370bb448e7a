"""The deployment end to end: Debian's nginx (with deploy/nginx/wegwijzer-proxy.conf) in front of
`python -m assistant --workers 2`, rate limits in one real Redis, feedback in a real PostgreSQL,
and a new index published while the workers are under load.

Clients get their own loopback addresses (127.0.0.2, 127.0.0.3, ...), so the service can tell
them apart the way it tells visitors apart behind a real proxy.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis

from assistant.config import Settings
from indexer.build import build_index
from indexer.store import CHUNKS_DB, builds_root, publish
from scripts.loadtools import ServerProcess
from scripts.services import MissingBinary, Nginx, PostgreSQL, Redis
from tests.deploy.conftest import need

LIMIT = 5  # requests per minute per client
ADMIN = "stack-admin-token"
EXPORT = "stack-export-token"
SEARCH = "/api/v1/search"
QUERY = {"query": "vervoer naar school", "k": 1}


@dataclass
class Stack:
    """The running deployment."""

    server: ServerProcess
    nginx: Nginx
    settings: Settings

    @property
    def app_url(self) -> str:
        """The workers' own port, bypassing nginx."""
        return self.server.url

    def worker_pids(self) -> set[int]:
        """The pids of the workers that loaded the app."""
        return self.server.worker_pids()

    def pids_logging(self, pattern: str) -> set[int]:
        """The pids of the processes whose log lines match `pattern`."""
        return self.server.pids_logging(pattern)


def client(url: str, address: str = "127.0.0.1") -> httpx.Client:
    """An HTTP client whose connections come from `address`."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=url, transport=transport, timeout=30)


@pytest.fixture(scope="module")
def stack(redis_server: Redis, postgres: PostgreSQL, small_index: Settings) -> Iterator[Stack]:
    env = {
        "WEGWIJZER_INDEX_DIR": str(small_index.index_dir),
        "WEGWIJZER_CORPUS_DIR": str(small_index.corpus_dir),
        "WEGWIJZER_CACHE_DIR": str(small_index.cache_dir),
        "WEGWIJZER_DATABASE_URL": postgres.url,
        "WEGWIJZER_RATE_LIMIT_STORAGE": redis_server.url,
        "WEGWIJZER_RATE_LIMIT_PER_MINUTE": str(LIMIT),
        "WEGWIJZER_TRUSTED_PROXIES": "127.0.0.1",
        "WEGWIJZER_ADMIN_TOKEN": ADMIN,
        "WEGWIJZER_FEEDBACK_TOKEN": EXPORT,
        "WEGWIJZER_EMBEDDER_INSTANCES": "1",
        "WEGWIJZER_INDEX_POLL_SECONDS": "0.5",
    }
    server = ServerProcess(env=env, workers=2, log_level="info", startup_timeout=180)
    server.start()
    try:
        deadline = time.monotonic() + 120  # healthy means one worker is; wait for both
        while len(server.worker_pids()) < 2:
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.2)
        try:
            nginx = Nginx([server.port])
            nginx.start()
        except MissingBinary as exc:
            nginx.stop()
            need(exc)
        try:
            yield Stack(server, nginx, small_index)
        finally:
            nginx.stop()
    finally:
        server.stop()


def test_two_visitors_behind_nginx_have_their_own_limit(stack: Stack) -> None:
    with (
        client(stack.nginx.url, "127.0.0.2") as first,
        client(stack.nginx.url, "127.0.0.3") as second,
    ):
        codes = [first.post(SEARCH, json=QUERY).status_code for _ in range(LIMIT)]
        assert codes == [200] * LIMIT
        refused = first.post(SEARCH, json=QUERY)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["error"] == {
            "code": "rate_limited",
            "message": "Er komen te veel vragen tegelijk binnen. "
            "Wacht even en probeer het opnieuw.",
        }
        assert second.post(SEARCH, json=QUERY).status_code == 200  # not the proxy's bucket

        # A forged X-Forwarded-For does not buy a new bucket: nginx puts the real address.
        forged = first.post(SEARCH, json=QUERY, headers={"x-forwarded-for": "10.9.9.9"})
        assert forged.status_code == 429
    # Nor straight at the workers from an address that is not a trusted proxy.
    with client(stack.app_url, "127.0.0.2") as direct:
        forged = direct.post(SEARCH, json=QUERY, headers={"x-forwarded-for": "10.9.9.10"})
        assert forged.status_code == 429
    # From the trusted proxy's address, the header is believed.
    with client(stack.app_url, "127.0.0.1") as proxy:
        believed = proxy.post(SEARCH, json=QUERY, headers={"x-forwarded-for": "10.9.9.11"})
        assert believed.status_code == 200


def _burst(url: str, visitor: str, n: int) -> list[int]:
    """`n` requests at once for one visitor, each on its own connection (so both workers)."""

    def one(_: int) -> int:
        with client(url) as c:
            return c.post(SEARCH, json=QUERY, headers={"x-forwarded-for": visitor}).status_code

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_the_limit_is_shared_by_both_workers_through_redis(stack: Stack) -> None:
    served_by: set[int] = set()
    for attempt in range(3):
        before = len(stack.server.log_text())
        codes = _burst(stack.app_url, f"10.20.0.{attempt}", 3 * LIMIT)
        assert sorted(codes) == [200] * LIMIT + [429] * (2 * LIMIT)  # exactly the limit
        time.sleep(0.3)  # let the log lines land
        lines = stack.server.log_text()[before:]
        served_by = {
            int(p) for p in re.findall(r"\[(\d+)\] assistant\.access POST /api/v1/search", lines)
        }
        if len(served_by) == 2:
            break
    assert served_by == stack.worker_pids(), "both workers should have counted requests"


def test_feedback_from_both_workers_lands_once_in_postgresql(stack: Stack) -> None:
    def post(n: int) -> int:
        # Straight to the workers, each request on its own connection, so that both write;
        # through nginx its kept-alive connections may all lead to one worker.
        with client(stack.app_url, "127.0.0.1") as c:
            body = {"rating": "up", "question": f"stack vraag {n}", "citation_ids": ["x#1"]}
            headers = {"x-forwarded-for": f"10.30.{n // 250}.{n % 250}"}
            return c.post("/api/v1/feedback", json=body, headers=headers).status_code

    sent: list[int] = []
    written_by: set[int] = set()
    for attempt in range(3):  # the kernel spreads connections over the workers, not by rule
        before = len(stack.server.log_text())
        batch = range(60 * attempt, 60 * (attempt + 1))
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(post, batch))
        assert codes == [201] * 60
        sent += batch
        time.sleep(0.3)  # let the log lines land
        lines = stack.server.log_text()[before:]
        pattern = r"\[(\d+)\] assistant\.access POST /api/v1/feedback 201"
        written_by |= {int(p) for p in re.findall(pattern, lines)}
        if len(written_by) == 2:
            break
    assert written_by == stack.worker_pids(), "both workers should have written feedback"
    with client(stack.nginx.url) as c:
        export = c.get("/api/v1/feedback/export", headers={"authorization": f"Bearer {EXPORT}"})
    assert export.status_code == 200
    questions = [row["question"] for row in export.json()["feedback"]]
    stack_questions = [q for q in questions if q.startswith("stack vraag ")]
    assert sorted(stack_questions) == sorted(f"stack vraag {n}" for n in sent)


@dataclass
class _Load:
    codes: list[int]
    stop: threading.Event


def _load(url: str, threads: int) -> tuple[_Load, list[threading.Thread]]:
    """Searches from `threads` visitors (each request a new visitor address) until stopped."""
    load = _Load([], threading.Event())
    lock = threading.Lock()

    def run(index: int) -> None:
        n = 0
        while not load.stop.is_set():
            n += 1
            visitor = f"10.{30 + index}.{n // 250 % 250}.{n % 250}"
            try:
                with client(url) as c:
                    code = c.post(
                        SEARCH, json=QUERY, headers={"x-forwarded-for": visitor}
                    ).status_code
            except httpx.HTTPError:
                code = -1
            with lock:
                load.codes.append(code)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    return load, workers


def _documents_seen(stack: Stack, polls: int = 20) -> set[int]:
    seen = set()
    for _ in range(polls):
        with client(stack.app_url) as c:  # a new connection each time: either worker
            seen.add(c.get("/api/v1/healthz").json()["documents"])
    return seen


def _wait_for_log(stack: Stack, pattern: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while stack.pids_logging(pattern) != stack.worker_pids():
        assert time.monotonic() < deadline, (
            f"not every worker logged {pattern!r}\n"
            + (
                "\n".join(
                    line for line in stack.server.log_text().splitlines() if ".access " not in line
                )[-4000:]
            )
        )
        time.sleep(0.2)


def test_a_published_index_reaches_every_worker_under_load_and_a_damaged_one_none(
    stack: Stack, embedder
) -> None:
    settings = stack.settings
    assert _documents_seen(stack, 4) == {2}
    load, threads = _load(stack.app_url, 3)
    try:
        time.sleep(1)
        (settings.corpus_dir / "logeren.txt").write_text(
            "De gemeente biedt een logeerregeling voor kinderen met een zware zorgvraag. " * 8,
            encoding="utf-8",
        )
        build_index(settings, embedder=embedder)  # publishes: the symlink now points elsewhere
        _wait_for_log(stack, r"assistant\.engine Loaded the newly published index")
        time.sleep(1)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert len(load.codes) > 10
    assert set(load.codes) == {200}, f"failed requests: {sorted(set(load.codes))}"
    assert _documents_seen(stack) == {3}
    good = settings.index_dir.resolve()

    # A damaged build, published: every worker refuses it and keeps serving the good one.
    damaged = builds_root(settings.index_dir) / "damaged-build"
    shutil.copytree(good, damaged)
    with (damaged / CHUNKS_DB).open("ab") as fh:
        fh.write(b"corruption")
    publish(damaged, settings.index_dir)
    _wait_for_log(stack, r"assistant\.engine Newly published index refused")
    assert _documents_seen(stack) == {3}
    with client(stack.app_url) as c:
        health = c.get("/api/v1/healthz").json()
        assert Path(health["index"]) == good
        ok = c.post(SEARCH, json=QUERY, headers={"x-forwarded-for": "10.99.0.1"})
        assert ok.status_code == 200
    publish(good, settings.index_dir)  # leave the module's index as it was


def test_redis_holds_no_visitor_address(stack: Stack, redis_server: Redis) -> None:
    with client(stack.nginx.url, "127.0.0.4") as visitor:
        assert visitor.post(SEARCH, json=QUERY).status_code == 200
    keys = redis.Redis(unix_socket_path=str(redis_server.socket)).keys("*")
    assert keys, "the limits should be counted in Redis"
    text = b" ".join(keys).decode()
    assert not re.search(r"\d+\.\d+\.\d+\.\d+", text), text  # keyed hashes, no addresses
