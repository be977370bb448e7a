"""Load/soak test: many clients asking and searching for a while, with an index reload midway.

Starts `python -m assistant` on 127.0.0.1 (a free port, rate limit off, a random admin token),
runs 16 concurrent clients for `--seconds` (60) that mix `POST /api/v1/ask` and
`POST /api/v1/search` with distinct questions, and calls `POST /api/v1/admin/reload` halfway.

Reports status codes, p50/p95/p99 per endpoint, the requests around the reload, and the
server's resident memory (VmRSS) at the start and the end. Exits 1 on any 5xx, any other
non-200, any request that got no answer (lost), or a reload that did not answer 200.

Usage:
    python -m scripts.soak
    python -m scripts.soak --seconds 20 --clients 8
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from scripts.loadtools import (
    ROOT,
    QuestionFeed,
    ServerProcess,
    fmt_ms,
    git_commit,
    percentile,
    questions,
    rss_mib,
)

ENDPOINTS = ("/api/v1/ask", "/api/v1/search")
RELOAD_PATH = "/api/v1/admin/reload"
# Requests that started within this many seconds of the reload count as "around the reload".
RELOAD_MARGIN_S = 1.0


@dataclass(frozen=True, slots=True)
class Sample:
    """One request: when it started and ended (monotonic s), its status, or its error."""

    endpoint: str
    started: float
    ended: float
    status: int | None
    error: str | None = None
    client: int = 0  # which client made it

    @property
    def ms(self) -> float:
        """Latency in milliseconds."""
        return (self.ended - self.started) * 1000


@dataclass(slots=True)
class Reload:
    """The reload call."""

    status: int | None = None
    started: float = 0.0
    ended: float = 0.0
    at_s: float = 0.0  # seconds after the start of the run
    detail: str = ""


@dataclass(slots=True)
class SoakResult:
    """Everything the soak run observed."""

    seconds: float
    clients: int
    samples: list[Sample] = field(default_factory=list)
    reload: Reload | None = None
    rss_start_mib: float | None = None
    rss_end_mib: float | None = None
    questions_reused: bool = False

    @property
    def total(self) -> int:
        """Requests made."""
        return len(self.samples)

    @property
    def statuses(self) -> Counter[str]:
        """Count per status code ("lost" for requests without an answer)."""
        return Counter(str(s.status) if s.status is not None else "lost" for s in self.samples)

    @property
    def server_errors(self) -> int:
        """Responses with a 5xx status."""
        return sum(1 for s in self.samples if s.status is not None and s.status >= 500)

    @property
    def lost(self) -> int:
        """Requests that got no HTTP answer at all (connection error, timeout)."""
        return sum(1 for s in self.samples if s.status is None)

    @property
    def failed(self) -> int:
        """Requests that did not get a 200."""
        return sum(1 for s in self.samples if s.status != 200)

    def around_reload(self) -> list[Sample]:
        """Requests in flight during the reload, or started just before or after it."""
        if self.reload is None:
            return []
        low = self.reload.started - RELOAD_MARGIN_S
        high = self.reload.ended + RELOAD_MARGIN_S
        return [s for s in self.samples if s.started <= high and s.ended >= low]

    def ok(self) -> bool:
        """No 5xx, no non-200, nothing lost, and the reload (if any) answered 200."""
        reload_ok = self.reload is None or self.reload.status == 200
        return self.failed == 0 and reload_ok

    def summary(self) -> dict[str, Any]:
        """The numbers, for JSON."""
        per_endpoint = {}
        for endpoint in ENDPOINTS:
            ms = [s.ms for s in self.samples if s.endpoint == endpoint]
            per_endpoint[endpoint] = {
                "requests": len(ms),
                "p50_ms": percentile(ms, 50),
                "p95_ms": percentile(ms, 95),
                "p99_ms": percentile(ms, 99),
            }
        around = self.around_reload()
        return {
            "seconds": self.seconds,
            "clients": self.clients,
            "requests": self.total,
            "requests_per_s": self.total / self.seconds if self.seconds else 0.0,
            "statuses": dict(self.statuses),
            "server_errors": self.server_errors,
            "non_200": self.failed,
            "lost": self.lost,
            "endpoints": per_endpoint,
            "reload": asdict(self.reload) if self.reload else None,
            "around_reload": {
                "requests": len(around),
                "failed": sum(1 for s in around if s.status != 200),
            },
            "rss_start_mib": self.rss_start_mib,
            "rss_end_mib": self.rss_end_mib,
            "questions_reused": self.questions_reused,
            "error_samples": [s.error for s in self.samples if s.error][:5],
        }


def run_load(
    url: str,
    *,
    seconds: float,
    clients: int,
    pool: list[str],
    admin_token: str | None = None,
    reload_at: float | None = None,
    timeout: float = 30,
    seed: int = 0,
    rss: Callable[[], float | None] | None = None,
    addresses: Sequence[str] | None = None,
) -> SoakResult:
    """`clients` threads mixing ask and search for `seconds`; a reload at `reload_at` s.

    Each client has its own connection (from its own local address in `addresses`, when
    given: a proxy in front then sees distinct visitors) and its own random choice of endpoint;
    questions come from `pool`, each used once while they last.
    """
    feed = QuestionFeed(pool)
    result = SoakResult(seconds=seconds, clients=clients)
    result.rss_start_mib = rss() if rss else None
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds

    def client_loop(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        transport = httpx.HTTPTransport(local_address=addresses[index]) if addresses else None
        with httpx.Client(base_url=url, timeout=timeout, transport=transport) as client:
            while time.monotonic() < deadline:
                endpoint = rng.choice(ENDPOINTS)
                question = feed.take()
                body: dict[str, Any] = (
                    {"question": question}
                    if endpoint.endswith("/ask")
                    else {"query": question, "k": rng.choice([3, 5, 10])}
                )
                began = time.monotonic()
                try:
                    response = client.post(endpoint, json=body)
                    error = (
                        None
                        if response.status_code == 200
                        else f"HTTP {response.status_code}: {response.text[:200]}"
                    )
                    sample = Sample(
                        endpoint, began, time.monotonic(), response.status_code, error, index
                    )
                except httpx.HTTPError as exc:
                    sample = Sample(
                        endpoint,
                        began,
                        time.monotonic(),
                        None,
                        f"{type(exc).__name__}: {exc}",
                        index,
                    )
                with lock:
                    result.samples.append(sample)

    def reload_index() -> None:
        assert reload_at is not None
        time.sleep(max(0.0, started + reload_at - time.monotonic()))
        now = time.monotonic()
        reload = Reload(started=now, at_s=now - started)
        try:
            with httpx.Client(base_url=url, timeout=120) as client:
                response = client.post(
                    RELOAD_PATH, headers={"authorization": f"Bearer {admin_token}"}
                )
            reload.status = response.status_code
            reload.detail = response.text[:300]
        except httpx.HTTPError as exc:
            reload.detail = f"{type(exc).__name__}: {exc}"
        reload.ended = time.monotonic()
        result.reload = reload

    threads = [
        threading.Thread(target=client_loop, args=(i,), name=f"soak-{i}") for i in range(clients)
    ]
    if reload_at is not None:
        threads.append(threading.Thread(target=reload_index, name="soak-reload"))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + timeout + 130)
    result.seconds = time.monotonic() - started
    result.rss_end_mib = rss() if rss else None
    result.questions_reused = feed.wrapped > 0
    return result


def markdown(result: SoakResult) -> str:
    """A Markdown report of a soak run."""
    s = result.summary()
    lines = [
        f"Soak: {s['clients']} clients for {s['seconds']:.0f} s: {s['requests']} requests "
        f"({s['requests_per_s']:.1f}/s)",
        "",
        "| endpoint | requests | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for endpoint, e in s["endpoints"].items():
        lines.append(
            f"| {endpoint} | {e['requests']} | {fmt_ms(e['p50_ms'])} | {fmt_ms(e['p95_ms'])} "
            f"| {fmt_ms(e['p99_ms'])} |"
        )
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(s["statuses"].items()))
    lines += [
        "",
        "| check | value |",
        "|---|---|",
        f"| status codes | {statuses} |",
        f"| 5xx | {s['server_errors']} |",
        f"| non-200 (incl. lost) | {s['non_200']} |",
        f"| lost (no answer) | {s['lost']} |",
    ]
    if result.reload is not None:
        r = result.reload
        lines.append(
            f"| reload | HTTP {r.status} at {r.at_s:.1f} s, took "
            f"{(r.ended - r.started) * 1000:.0f} ms |"
        )
        around = s["around_reload"]
        lines.append(
            f"| requests around the reload | {around['requests']}, failed {around['failed']} |"
        )
    rss_start, rss_end = s["rss_start_mib"], s["rss_end_mib"]
    if rss_start is not None and rss_end is not None:
        lines.append(
            f"| server RSS start → end | {rss_start:.0f} → {rss_end:.0f} MiB "
            f"({rss_end - rss_start:+.0f}) |"
        )
    if s["error_samples"]:
        lines += ["", "Errors (first 5):", *[f"- {e}" for e in s["error_samples"]]]
    lines += ["", "PASS" if result.ok() else "FAIL"]
    return "\n".join(lines)


def main() -> int:
    """Run the soak test; exit 1 on any 5xx, failed or lost request, or a failed reload."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long (60)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--reload-at", type=float, default=None, help="s (half of --seconds)")
    parser.add_argument("--port", type=int, default=0, help="server port (a free one)")
    parser.add_argument("--timeout", type=float, default=30, help="per request, s (30)")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "soak.json")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    token = secrets.token_urlsafe(24)
    env = {"WEGWIJZER_RATE_LIMIT_PER_MINUTE": "0", "WEGWIJZER_ADMIN_TOKEN": token}
    print("Starting the server ...")
    try:
        server = ServerProcess(port=args.port or None, env=env)
        server.start()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"Server {server.url} (pid {server.pid}); {args.clients} clients, {args.seconds:g} s")
        result = run_load(
            server.url,
            seconds=args.seconds,
            clients=args.clients,
            pool=questions(7000, seed=args.seed),
            admin_token=token,
            reload_at=args.reload_at if args.reload_at is not None else args.seconds / 2,
            timeout=args.timeout,
            seed=args.seed,
            rss=lambda: rss_mib(server.pid),
        )
        alive = server.is_running()
    finally:
        server.stop()
    report = markdown(result)
    print()
    print(report)
    print(f"Load average (1 min) at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs.")
    if not alive:
        print("The server died during the run.")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "loadavg_after": os.getloadavg(),
        "cpus": os.cpu_count(),
        "commit": git_commit(),
        **result.summary(),
        "markdown": report,
    }
    args.json.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nWrote {args.json}")
    return 0 if result.ok() and alive else 1


if __name__ == "__main__":
    sys.exit(main())
