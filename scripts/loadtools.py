"""Shared by the benchmark and the soak test: the server, distinct questions, percentiles.

Usage:
    with ServerProcess(env={"WEGWIJZER_RATE_LIMIT_PER_MINUTE": "0"}) as server:
        httpx.post(f"{server.url}/api/v1/ask", json={"question": questions(1)[0]})
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import re
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only
HEALTH_PATH = "/api/v1/healthz"

# Questions as parents and consultants ask them; {slots} are filled from SLOTS.
TEMPLATES = (
    "Mag de school {kind} weigeren omdat {hij} {zorg} heeft?",
    "Wie betaalt {zorg} voor {kind} tijdens de schooldag?",
    "{Kind} kan geen hele schooldag aan, mag {hij} minder uren naar {school}?",
    "Hoe vraag ik een vrijstelling van de leerplicht aan voor {kind}?",
    "Wat is de zorgplicht van {school} als {kind} {zorg} nodig heeft?",
    "Welke rol heeft {instantie} bij de onderwijstijd van {kind}?",
    "Kan {instantie} {zorg} op school vergoeden?",
    "Wanneer krijgt {kind} een ontheffing van de leerplicht?",
    "Wie beslist over een afwijking van de onderwijstijd op {school}?",
    "Moet {instantie} instemmen als {kind} minder onderwijstijd krijgt?",
    "Hoe lang mag {kind} thuiszitten voordat {instantie} iets moet doen?",
    "Wat kan ik doen als {school} geen passende plek heeft voor {kind}?",
    "Mag {kind} {zorg} krijgen in de klas van {school}?",
    "Wie regelt het vervoer naar {school} voor {kind} met {zorg}?",
    "Wat houdt het ontwikkelingsperspectief in voor {kind} op {school}?",
    "Kan {kind} deels naar {school} en deels naar de dagbesteding?",
    "Welke afspraken maakt {instantie} over {zorg} onder schooltijd?",
    "Hoe werkt de combinatie van onderwijs en zorg voor {kind} met {zorg}?",
    "Betaalt het samenwerkingsverband of {instantie} voor {zorg}?",
    "Is er een wachtlijst voor {school} en wat moet {instantie} dan doen?",
    "Welke documenten heeft {instantie} nodig voor een vrijstelling voor {kind}?",
    "Kan ik bezwaar maken als {instantie} {zorg} voor {kind} weigert?",
    "Wat betekent de zorgplicht als {kind} al op {school} staat ingeschreven?",
    "Hoeveel uur onderwijs moet {kind} minimaal krijgen op {school}?",
    "Mag een zorgmedewerker met {zorg} helpen in de klas van {school}?",
    "Wie is verantwoordelijk als {kind} door {zorg} niet naar {school} kan?",
    "Waar vind ik de regels over onderwijstijd voor {kind} met {zorg}?",
    "Wat is een onderwijszorgarrangement voor {kind} met {zorg}?",
    "Moet {school} een plan maken als {kind} {zorg} heeft?",
    "Kan {instantie} helpen als {school} {kind} naar huis stuurt?",
    "Welke vergoeding is er voor {zorg} op {school}?",
    "Hoe lang duurt een aanvraag bij {instantie} voor {kind}?",
    "Wat gebeurt er met de leerplicht als {kind} {zorg} krijgt?",
    "Mag {school} zeggen dat {kind} alleen 's ochtends mag komen?",
    "Wie coördineert onderwijs en {zorg} voor {kind}?",
    "Als consulent: welke regels gelden voor {zorg} bij een leerling van {school}?",
    "Als consulent: wanneer moet {instantie} een thuiszitter melden?",
    "Als consulent: hoe onderbouw ik minder onderwijstijd voor {kind} met {zorg}?",
    "Als consulent: welk artikel regelt de vrijstelling als {kind} niet naar {school} kan?",
    "Als consulent: wie financiert {zorg} voor een leerling op {school}?",
)
SLOTS: Mapping[str, Sequence[str]] = {
    "kind": (
        "mijn zoon",
        "mijn dochter",
        "ons kind",
        "mijn pleegzoon",
        "de leerling",
        "mijn stiefdochter",
        "mijn kleinzoon",
        "mijn neefje",
    ),
    "zorg": (
        "verpleging",
        "epilepsie",
        "autisme",
        "diabetes",
        "sondevoeding",
        "een rolstoel",
        "ernstige ADHD",
        "een meervoudige beperking",
        "begeleiding",
        "persoonlijke verzorging",
        "jeugdhulp",
        "logopedie",
        "astma",
        "een hartafwijking",
        "een hoorapparaat",
        "fysiotherapie",
    ),
    "school": (
        "de basisschool",
        "het speciaal onderwijs",
        "de middelbare school",
        "het vso",
        "de reguliere school",
        "een kindcentrum",
    ),
    "instantie": (
        "de gemeente",
        "het samenwerkingsverband",
        "de leerplichtambtenaar",
        "het zorgkantoor",
        "de inspectie",
        "het schoolbestuur",
        "de zorgverzekeraar",
    ),
}
# The pronoun and capitalised forms follow the chosen {kind}.
_PRONOUN = {"mijn dochter": "ze", "mijn stiefdochter": "ze"}


def questions(n: int, *, seed: int = 0) -> list[str]:
    """`n` distinct questions (every template with its slots filled), shuffled by `seed`.

    Raises:
        ValueError: more questions asked for than the templates can make.
    """
    formatter = string.Formatter()
    made: set[str] = set()
    for template in TEMPLATES:
        names = sorted(
            {f.lower() for _, f, _, _ in formatter.parse(template) if f and f.lower() != "hij"}
        )
        for values in itertools.product(*(SLOTS[name] for name in names)):
            chosen = dict(zip(names, values, strict=True))
            kind = chosen.get("kind", "het kind")
            fields = {
                **chosen,
                "Kind": kind[:1].upper() + kind[1:],
                "hij": _PRONOUN.get(kind, "hij"),
            }
            made.add(template.format(**fields))
    if n > len(made):
        raise ValueError(f"only {len(made)} distinct questions can be made, {n} asked")
    pool = sorted(made)
    random.Random(seed).shuffle(pool)
    return pool[:n]


class QuestionFeed:
    """Distinct questions for many threads; starts over (and counts it) when they run out."""

    def __init__(self, pool: Sequence[str]) -> None:
        self._pool = list(pool)
        self._next = 0
        self._lock = threading.Lock()
        self.wrapped = 0

    def take(self) -> str:
        """The next question."""
        with self._lock:
            if self._next == len(self._pool):
                self._next = 0
                self.wrapped += 1
            question = self._pool[self._next]
            self._next += 1
            return question


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100) with linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def rss_mib(pid: int) -> float | None:
    """Resident memory of a process in MiB, from /proc (None when unavailable)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, *, timeout: float = 120, alive: Any = None) -> dict[str, Any]:
    """Poll the health endpoint until it answers 200; returns its body.

    `alive` is called between polls and returns False when the server has died.

    Raises:
        RuntimeError: no healthy answer within `timeout` seconds, or the server died.
    """
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            if alive is not None and not alive():
                raise RuntimeError("the server exited before it became healthy")
            try:
                response = client.get(url + HEALTH_PATH)
                if response.status_code == 200:
                    body: dict[str, Any] = response.json()
                    return body
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise RuntimeError(f"no healthy answer from {url} within {timeout:g} s")


class ServerProcess:
    """`python -m assistant` on 127.0.0.1 as a subprocess; always stopped on exit.

    The server's output goes to a temporary log file, shown when start-up fails.
    """

    def __init__(
        self,
        *,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
        startup_timeout: float = 120,
        workers: int = 1,
        log_level: str = "warning",
    ) -> None:
        self.port = port or free_port()
        self.workers = workers
        self.log_level = log_level
        self.url = f"http://{HOST}:{self.port}"
        self._env = {**os.environ, **(env or {})}
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.health: dict[str, Any] = {}

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self._process is not None, "the server is not running"
        return self._process.pid

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start the server and wait until it is healthy.

        Raises:
            RuntimeError: the server did not become healthy (its log is in the message).
        """
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
        command = [sys.executable, "-m", "assistant", "--host", HOST, "--port", str(self.port)]
        if self.workers > 1:
            command += ["--workers", str(self.workers)]
        self._process = subprocess.Popen(
            [*command, "--log-level", self.log_level],
            cwd=ROOT,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers can be killed with it
        )
        try:
            self.health = wait_healthy(
                self.url, timeout=self._startup_timeout, alive=self.is_running
            )
        except RuntimeError as exc:
            log = self.log_tail()
            self.stop()
            raise RuntimeError(f"{exc}\n--- server log ---\n{log}") from exc

    def is_running(self) -> bool:
        """Whether the server process is still alive."""
        return self._process is not None and self._process.poll() is None

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's output."""
        return self.log_text()[-chars:]

    def worker_pids(self) -> set[int]:
        """The pids of the worker processes that announced their app (`assistant.cli`)."""
        return {int(pid) for pid in re.findall(r"Wegwijzer \[(\d+)\]:", self.log_text())}

    def pids_logging(self, pattern: str) -> set[int]:
        """The pids of the processes that logged a line matching `pattern` (after the pid)."""
        return {int(pid) for pid in re.findall(rf"\[(\d+)\] {pattern}", self.log_text())}

    def log_text(self) -> str:
        """The server's output so far."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        """Stop the server: SIGTERM, then SIGKILL after 15 s (its workers with it)."""
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(self._process.pid, signal.SIGKILL)
                    self._process.wait(timeout=15)
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None


@contextmanager
def serve_in_thread(app: Any, *, startup_timeout: float = 60) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a background thread; yields the base URL.

    The same approach as the browser tests' live server, for tests of the load tools.
    """
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host=HOST, port=port, log_level="warning", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="load-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the in-process server did not start")
            time.sleep(0.05)
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def write_report(path: Path, report: Mapping[str, Any]) -> None:
    """Write a benchmark's report as pretty JSON (UTF-8), making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def git_commit() -> str | None:
    """The current commit, with "+dirty" for uncommitted changes (None outside git)."""
    try:
        head, status = (
            subprocess.run(
                ["git", *command],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=5,
                check=True,
            ).stdout.strip()
            for command in (["rev-parse", "--short", "HEAD"], ["status", "--porcelain"])
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if status else head or None


def fmt_ms(value: float) -> str:
    """Milliseconds for a table cell."""
    return "–" if math.isnan(value) else f"{value:.1f}"
