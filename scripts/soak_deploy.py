"""Soak of the whole deployment: nginx -> 2 workers -> PostgreSQL + Redis, a publish halfway.

Starts throwaway Debian servers on loopback (scripts/services.py): Redis on a Unix socket, a
PostgreSQL cluster, `python -m assistant --workers 2` over a copy of the published index
(`var/index`), and nginx with the shipped proxy settings in front. Then `--clients` (16)
clients, each from its own loopback address (127.0.1.N, so nginx and the rate limit see 16
visitors), mix ask and search through nginx for `--seconds` (60); a feedback post goes to
PostgreSQL every second; halfway a new index build is published by swapping the symlink, as
`python -m indexer build` does, and every worker must load it by itself.

Checks: no 5xx and no request without an answer; every answer 200 or 429 (the rate limit,
`--limit` per visitor and endpoint per minute, counted in Redis across both workers: no
visitor gets more than the limit of 200s from one endpoint within any 60 s); every worker on
the new index; every feedback post exported once. Reports p50/p95/p99 of the 200s per
endpoint and the workers' memory (VmRSS).
With `--baseline` (default) the same load first runs against one worker, no proxy, memory
limits and SQLite: the numbers of the deployment are then quoted against it, same machine,
same run.

Usage:
    python -m scripts.soak_deploy
    python -m scripts.soak_deploy --seconds 20 --clients 8 --no-baseline
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from indexer.store import builds_root, publish
from scripts.loadtools import (
    ROOT,
    ServerProcess,
    fmt_ms,
    git_commit,
    percentile,
    questions,
    rss_mib,
)
from scripts.services import MissingBinary, Nginx, PostgreSQL, Redis
from scripts.soak import ENDPOINTS, Sample, run_load

WINDOW_S = 60.0  # the rate limit's window
PUBLISHED_LOG = r"assistant\.engine Loaded the newly published index"


@dataclass(slots=True)
class Phase:
    """One load run and what it observed."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0
    rss_start: dict[int, float | None] = field(default_factory=dict)
    rss_end: dict[int, float | None] = field(default_factory=dict)
    publish_at_s: float | None = None
    all_workers_new_after_s: float | None = None
    workers_on_new_index: int = 0
    workers: int = 0
    feedback_posted: int = 0
    feedback_exported: int = 0
    feedback_errors: list[str] = field(default_factory=list)

    def statuses(self) -> Counter[str]:
        """Count per status ("lost" for no answer)."""
        return Counter(str(s.status) if s.status is not None else "lost" for s in self.samples)

    def ok_in_window(self) -> list[int]:
        """Per visitor and endpoint (the limit's key): the most 200s within any WINDOW_S."""
        counts = []
        for key in {(s.client, s.endpoint) for s in self.samples}:
            starts = sorted(
                s.started for s in self.samples if (s.client, s.endpoint) == key and s.status == 200
            )
            low, best = 0, 0
            for high, start in enumerate(starts):
                while start - starts[low] >= WINDOW_S:
                    low += 1
                best = max(best, high - low + 1)
            counts.append(best)
        return counts

    def summary(self, limit: int) -> dict[str, Any]:
        """The numbers, for JSON and the report."""
        ok = [s for s in self.samples if s.status == 200]
        statuses = self.statuses()
        return {
            "phase": self.name,
            "seconds": self.seconds,
            "requests": len(self.samples),
            "ok_per_s": len(ok) / self.seconds if self.seconds else 0.0,
            "statuses": dict(statuses),
            "server_errors": sum(
                1 for s in self.samples if s.status is not None and s.status >= 500
            ),
            "lost": statuses.get("lost", 0),
            "unexpected": sum(1 for s in self.samples if s.status not in (200, 429)),
            "endpoints": {
                e: {
                    "ok": len(ms := [s.ms for s in ok if s.endpoint == e]),
                    "p50_ms": percentile(ms, 50),
                    "p95_ms": percentile(ms, 95),
                    "p99_ms": percentile(ms, 99),
                }
                for e in ENDPOINTS
            },
            "limit_per_minute": limit,
            "max_ok_per_visitor_endpoint_in_60s": max(self.ok_in_window(), default=0),
            "min_ok_per_visitor_endpoint_in_60s": min(self.ok_in_window(), default=0),
            "clients_limited": len({s.client for s in self.samples if s.status == 429}),
            "publish_at_s": self.publish_at_s,
            "all_workers_new_after_s": self.all_workers_new_after_s,
            "workers_on_new_index": self.workers_on_new_index,
            "workers": self.workers,
            "rss_start_mib": self.rss_start,
            "rss_end_mib": self.rss_end,
            "feedback_posted": self.feedback_posted,
            "feedback_exported": self.feedback_exported,
            "feedback_errors": self.feedback_errors[:5],
            "error_samples": [s.error for s in self.samples if s.error and s.status != 429][:5],
        }

    def ok(self, limit: int, *, publish: bool) -> bool:
        """The checks of the module docstring."""
        s = self.summary(limit)
        published = not publish or (self.workers_on_new_index == self.workers and self.workers > 0)
        return (
            s["server_errors"] == 0
            and s["lost"] == 0
            and s["unexpected"] == 0
            and s["max_ok_per_visitor_endpoint_in_60s"] <= limit
            and published
            and not self.feedback_errors
            and self.feedback_exported == self.feedback_posted
        )


def _pids(server: ServerProcess) -> list[int]:
    return sorted(server.worker_pids()) or [server.pid]


def _feedback_loop(url: str, stop: threading.Event, phase: Phase, tag: str) -> None:
    """One feedback post a second until stopped (not rate limited; PostgreSQL or SQLite)."""
    n = 0
    with httpx.Client(base_url=url, timeout=30) as client:
        while not stop.wait(1.0):
            body = {"rating": "up", "question": f"{tag} {n}", "citation_ids": []}
            try:
                response = client.post("/api/v1/feedback", json=body)
                if response.status_code == 201:
                    phase.feedback_posted += 1
                else:
                    phase.feedback_errors.append(f"HTTP {response.status_code}")
            except httpx.HTTPError as exc:
                phase.feedback_errors.append(f"{type(exc).__name__}: {exc}")
            n += 1


def _count_exported(url: str, token: str, tag: str) -> int:
    response = httpx.get(
        f"{url}/api/v1/feedback/export", headers={"authorization": f"Bearer {token}"}, timeout=60
    )
    response.raise_for_status()
    found = [r["question"] for r in response.json()["feedback"] if r["question"].startswith(tag)]
    if len(found) != len(set(found)):
        return -1  # doubled
    return len(found)


def run_phase(
    name: str,
    *,
    server: ServerProcess,
    url: str,
    args: argparse.Namespace,
    token: str,
    publish_to: tuple[Path, Path] | None,
) -> Phase:
    """The load against `url`; publishes `publish_to` = (build, index_dir) halfway."""
    phase = Phase(name)
    pids = _pids(server)
    phase.workers = len(pids)
    phase.rss_start = {pid: rss_mib(pid) for pid in pids}
    stop = threading.Event()
    tag = f"soak-{name}-{secrets.token_hex(4)}"
    feedback = threading.Thread(target=_feedback_loop, args=(url, stop, phase, tag))
    started = time.monotonic()

    def publish_halfway() -> None:
        assert publish_to is not None
        time.sleep(args.seconds / 2)
        publish(*publish_to)
        phase.publish_at_s = time.monotonic() - started
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            loaded = server.pids_logging(PUBLISHED_LOG)
            phase.workers_on_new_index = len(loaded & set(pids))
            if phase.workers_on_new_index == len(pids):
                phase.all_workers_new_after_s = time.monotonic() - started - phase.publish_at_s
                return
            time.sleep(0.1)

    publisher = threading.Thread(target=publish_halfway) if publish_to else None
    feedback.start()
    if publisher:
        publisher.start()
    addresses = [f"127.0.1.{i + 1}" for i in range(args.clients)]
    result = run_load(
        url,
        seconds=args.seconds,
        clients=args.clients,
        pool=questions(7000, seed=args.seed),
        timeout=args.timeout,
        seed=args.seed,
        addresses=addresses,
    )
    stop.set()
    feedback.join(timeout=60)
    if publisher:
        publisher.join(timeout=90)
    phase.samples = result.samples
    phase.seconds = result.seconds
    phase.rss_end = {pid: rss_mib(pid) for pid in pids}
    phase.feedback_exported = _count_exported(url, token, tag)
    return phase


def _row(s: dict[str, Any], base: dict[str, Any] | None) -> list[str]:
    lines = []
    for endpoint, e in s["endpoints"].items():
        ratio = ""
        if base is not None:
            b = base["endpoints"][endpoint]["p50_ms"]
            ratio = f" ({e['p50_ms'] / b:.2f}x baseline p50)" if b else ""
        lines.append(
            f"| {s['phase']} | {endpoint} | {e['ok']} | {fmt_ms(e['p50_ms'])} | "
            f"{fmt_ms(e['p95_ms'])} | {fmt_ms(e['p99_ms'])} |{ratio}"
        )
    return lines


def markdown(phases: list[Phase], limit: int) -> str:
    """The report."""
    summaries = [p.summary(limit) for p in phases]
    base = next((s for s in summaries if s["phase"] == "baseline"), None)
    lines = [
        "| phase | endpoint | 200s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for s in summaries:
        lines += _row(s, base if s is not base else None)
    lines.append("")
    for s in summaries:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(s["statuses"].items()))
        rss = ", ".join(
            f"{s['rss_start_mib'][pid]:.0f} → {s['rss_end_mib'][pid]:.0f} MiB"
            for pid in s["rss_start_mib"]
            if s["rss_start_mib"][pid] is not None and s["rss_end_mib"].get(pid) is not None
        )
        lines += [
            f"**{s['phase']}**: {s['requests']} requests in {s['seconds']:.0f} s "
            f"({s['ok_per_s']:.1f} answered/s); {statuses}; 5xx {s['server_errors']}, "
            f"lost {s['lost']}, other {s['unexpected']}.",
            f"Rate limit {limit}/min per visitor and endpoint: "
            f"{s['min_ok_per_visitor_endpoint_in_60s']}–{s['max_ok_per_visitor_endpoint_in_60s']}"
            f" 200s per visitor and endpoint in any 60 s; "
            f"{s['clients_limited']} visitors got 429s.",
            f"Feedback: {s['feedback_posted']} posted, {s['feedback_exported']} exported.",
            f"Worker RSS: {rss}.",
        ]
        if s["publish_at_s"] is not None:
            after = s["all_workers_new_after_s"]
            lines.append(
                f"Published a new index at {s['publish_at_s']:.1f} s: "
                f"{s['workers_on_new_index']}/{s['workers']} workers on it"
                + (f" {after:.1f} s later." if after is not None else " (not all!).")
            )
        if s["error_samples"] or s["feedback_errors"]:
            lines.append(f"Errors: {s['error_samples'] + s['feedback_errors']}")
        lines.append("")
    return "\n".join(lines)


def _copy_index(published: Path, into: Path) -> tuple[Path, Path]:
    """A private published index (the current build, copied twice: now and the next)."""
    index_dir = into / "index"
    builds = builds_root(index_dir)
    builds.mkdir(parents=True)
    first, second = builds / "soak-a", builds / "soak-b"
    shutil.copytree(published.resolve(), first)
    shutil.copytree(published.resolve(), second)
    publish(first, index_dir)
    os.utime(second)  # the newer one: kept when publish() drops old builds
    return index_dir, second


def main() -> int:
    """Run the deployment soak; exit 1 when a check fails."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="per phase (60)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent visitors (16)")
    parser.add_argument(
        "--limit", type=int, default=40, help="requests/min per visitor and endpoint (40)"
    )
    parser.add_argument("--timeout", type=float, default=30, help="per request, s (30)")
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "index")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "soak-deploy.json")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not 1 <= args.clients <= 200:
        parser.error("--clients must be 1..200")
    if not (args.index / "manifest.json").exists():
        print(f"error: no index at {args.index}: run `make index`", file=sys.stderr)
        return 1
    token = secrets.token_urlsafe(24)
    scratch = Path(tempfile.mkdtemp(prefix="wegwijzer-soak-"))
    common = {
        "WEGWIJZER_RATE_LIMIT_PER_MINUTE": str(args.limit),
        "WEGWIJZER_FEEDBACK_TOKEN": token,
        "WEGWIJZER_EMBEDDER_INSTANCES": "1",
        "WEGWIJZER_INDEX_POLL_SECONDS": "1",
    }
    phases: list[Phase] = []
    try:
        index_dir, next_build = _copy_index(args.index, scratch)
        common["WEGWIJZER_INDEX_DIR"] = str(index_dir)
        if args.baseline:
            print("Baseline: one worker, no proxy, limits in memory, SQLite ...")
            env = {
                **common,
                "WEGWIJZER_FEEDBACK_DB": str(scratch / "feedback.sqlite"),
                "WEGWIJZER_EMBEDDER_INSTANCES": "2",  # the same two model copies as 2 workers
                "WEGWIJZER_INDEX_POLL_SECONDS": "0",
            }
            with ServerProcess(env=env, log_level="info") as server:
                phases.append(
                    run_phase(
                        "baseline",
                        server=server,
                        url=server.url,
                        args=args,
                        token=token,
                        publish_to=None,
                    )
                )
        print("Deployment: nginx -> 2 workers -> PostgreSQL + Redis ...")
        with Redis() as redis, PostgreSQL() as pg:
            env = {
                **common,
                "WEGWIJZER_DATABASE_URL": pg.url,
                "WEGWIJZER_RATE_LIMIT_STORAGE": redis.url,
                "WEGWIJZER_TRUSTED_PROXIES": "127.0.0.1",
            }
            with ServerProcess(env=env, workers=2, log_level="info") as server:
                deadline = time.monotonic() + 120
                while len(server.worker_pids()) < 2 and time.monotonic() < deadline:
                    time.sleep(0.2)
                with Nginx([server.port]) as nginx:
                    phases.append(
                        run_phase(
                            "deployment",
                            server=server,
                            url=nginx.url,
                            args=args,
                            token=token,
                            publish_to=(next_build, index_dir),
                        )
                    )
    except (MissingBinary, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report = markdown(phases, args.limit)
    print()
    print(report)
    print(f"Load average (1 min) at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs.")
    passed = all(p.ok(args.limit, publish=p.name == "deployment") for p in phases)
    print("PASS" if passed else "FAIL")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "cpus": os.cpu_count(),
        "loadavg_after": os.getloadavg(),
        "phases": [p.summary(args.limit) for p in phases],
        "passed": passed,
        "markdown": report,
    }
    args.json.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nWrote {args.json}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
