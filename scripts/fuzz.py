"""Fuzz the document pipeline: malformed PDFs and odd texts through read, clean and chunk.

Every input is written to a temporary file and run through what `python -m indexer build`
does with a file: `read_document`, then `clean` and `chunk_document`. Each input runs in a
worker process with a time limit (default 10 s) and an address-space limit (default 2 GiB).

An input fails when anything other than `DocumentReadError` is raised, or when it hits the time
or memory limit, or the worker dies. Failing inputs are saved under var/fuzz/ with a note of
the error; the command exits 1 when there is any failure.

Usage:
    python -m scripts.fuzz                       # 120 s, random seed
    python -m scripts.fuzz --seconds 30 --seed 7
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import multiprocessing as mp
import random
import re
import resource
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from indexer.chunking import chunk_document
from indexer.cleaning import clean
from indexer.documents import SourceFile, read_document
from indexer.errors import DocumentReadError
from tests.pdfs import POLICY_PAGES, write_encrypted_pdf, write_pdf

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "var" / "fuzz"
TIME_LIMIT_S = 10.0
MEMORY_LIMIT_MB = 2048
STARTUP_LIMIT_S = 60.0

# fmt: off
WORDS = [
    "de", "het", "een", "school", "gemeente", "ouders", "kind", "leerling", "zorgplicht",
    "leerplicht", "onderwijstijd", "vrijstelling", "financiering", "jeugdhulp", "verpleging",
    "bestuur", "samenwerkingsverband", "bezwaar", "aanvraag", "inspectie", "artikel", "wet",
    "regelgeving", "passend", "onderwijs", "thuiszitter", "zorgaanbieder", "één", "coördinatie",
    "ruimte", "beschikking", "indicatie",
]
# fmt: on
# Characters of other scripts, invisible and separator characters, and emoji.
FOREIGN_RANGES = [
    (0x0400, 0x04FF),  # Cyrillic
    (0x0590, 0x05FF),  # Hebrew
    (0x0600, 0x06FF),  # Arabic
    (0x0900, 0x097F),  # Devanagari
    (0x0E00, 0x0E7F),  # Thai
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x4E00, 0x4FFF),  # CJK
    (0xAC00, 0xACFF),  # Hangul
    (0x1F300, 0x1F64F),  # emoji
    (0x0300, 0x036F),  # combining marks
]
ODD_CHARS = "\u200b\u200c\u200d\u200e\u200f\u202e\ufeff\u00a0\u2028\u2029\x85\x0b\r\t\x00\x1f"
RUN_CHARS = ".…?!-–•'\"’”)(:;0123456789 \f\n\t_/|*"
PDF_TOKENS = [
    b"obj",
    b"endobj",
    b"stream\n",
    b"\nendstream",
    b"xref\n0 1\n0000000000 65535 f \n",
    b"trailer\n<< /Size 1 /Root 1 0 R >>\n",
    b"startxref\n0\n%%EOF\n",
    b"<< /Type /Page /Parent 1 0 R /Contents 2 0 R >>",
    b"<< /Type /Pages /Kids [1 0 R] /Count 1 >>",
    b"/Filter /FlateDecode",
    b"/Length 999999999",
    b"BT /F1 12 Tf (tekst) Tj ET",
    b"[" * 2000,
    b"<<" * 2000,
]


@dataclass(frozen=True, slots=True)
class FuzzInput:
    """One generated input: its kind, file suffix and bytes."""

    kind: str
    suffix: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one input did: `ok`, `rejected` (DocumentReadError) or `failure`."""

    status: str
    detail: str


@dataclass(slots=True)
class Summary:
    """Counts per kind and the failures, with where their reproducers were saved."""

    tried: Counter[str] = field(default_factory=Counter)
    ok: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str, Path | None]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        """Number of failing inputs."""
        return len(self.failures)


# ---------------------------------------------------------------------------------------------
# The worker: runs one file through the pipeline, under an address-space limit.


def _pipeline(path: Path) -> Outcome:
    """Read, clean and chunk one file, as the index build does."""
    source = SourceFile(path=path, doc_id=path.stem, sha256="0")
    try:
        document = read_document(source)
    except DocumentReadError as exc:
        return Outcome("rejected", exc.reason[:200])
    chunks = chunk_document(document, clean(document.text))
    return Outcome(
        "ok", f"{document.page_count} pages, {len(document.text)} chars, {len(chunks)} chunks"
    )


def _worker(conn: Connection, memory_mb: int) -> None:
    """Serve file paths from `conn` until it closes; one Outcome per path."""
    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    warnings.simplefilter("ignore")  # pypdf warns about every defect it repairs
    logging.disable(logging.CRITICAL)
    conn.send("ready")
    while True:
        try:
            path = conn.recv()
        except EOFError:
            return
        try:
            outcome = _pipeline(Path(path))
        except BaseException as exc:  # anything but DocumentReadError is a finding
            detail = f"{type(exc).__name__}: {str(exc)[:300]}\n{traceback.format_exc()[-3000:]}"
            outcome = Outcome("failure", detail)
        conn.send(outcome)


class Sandbox:
    """A worker process that runs inputs with a time limit; restarted after any failure."""

    def __init__(self, *, time_limit: float = TIME_LIMIT_S, memory_mb: int = MEMORY_LIMIT_MB):
        self.time_limit = time_limit
        self.memory_mb = memory_mb
        self._ctx = mp.get_context("spawn")  # no fork of a process that may hold threads
        self._process: mp.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> Connection:
        parent, child = self._ctx.Pipe()
        self._process = self._ctx.Process(
            target=_worker, args=(child, self.memory_mb), name="fuzz-worker", daemon=True
        )
        self._process.start()
        child.close()
        self._conn = parent
        # Start-up (a fresh interpreter importing pypdf) does not count against an input.
        if not parent.poll(STARTUP_LIMIT_S) or parent.recv() != "ready":
            self.close(kill=True)
            raise RuntimeError("the fuzz worker did not start")
        return parent

    def run(self, path: Path) -> Outcome:
        """Run one file; a timeout or a dead worker is a failure."""
        conn = self._conn or self._start()
        conn.send(str(path))
        try:
            if conn.poll(self.time_limit):
                outcome: Outcome = conn.recv()
            else:
                self.close(kill=True)
                return Outcome("failure", f"time limit: no result within {self.time_limit:g} s")
        except (EOFError, ConnectionError):
            code = self._process.exitcode if self._process else None
            self.close(kill=True)
            return Outcome("failure", f"worker died (exit code {code}; memory limit or crash)")
        if outcome.status == "failure":
            self.close()  # a MemoryError or an odd exception may leave the worker unusable
        return outcome

    def close(self, *, kill: bool = False) -> None:
        """Stop the worker (it is restarted on the next input); `kill` when it may be stuck."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            if kill:
                self._process.kill()
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(timeout=5)
            self._process = None


# ---------------------------------------------------------------------------------------------
# Generators: malformed PDFs.


def _sentence(rng: random.Random, words: int | None = None) -> str:
    count = words or rng.randint(3, 14)
    text = " ".join(rng.choice(WORDS) for _ in range(count))
    return text[:1].upper() + text[1:] + rng.choice(["", ".", ".", "?", ":"])


def _dutch_lines(rng: random.Random, count: int) -> list[str]:
    lines = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.08:
            lines.append(f"{rng.randint(1, 9)}.{rng.randint(1, 9)} {_sentence(rng, 3).title()}")
        elif roll < 0.15:
            lines.append("- " + _sentence(rng))
        elif roll < 0.2:
            lines.append(f"https://www.example.nl/{rng.randint(0, 10**6)}")
        elif roll < 0.25:
            lines.append(f"{rng.randint(1, 40)} Zie artikel {rng.randint(1, 99)} van de wet.")
        elif roll < 0.3:
            lines.append(_sentence(rng)[:-1] + " samenwerkings-")
        else:
            lines.append(_sentence(rng))
    return lines


def _latin1(line: str) -> str:
    """fpdf2's core fonts take Latin-1 only."""
    return line.encode("latin-1", "replace").decode("latin-1")


def _pdf_bytes(pages: list[list[str]], *, compress: bool, directory: Path) -> bytes:
    path = directory / "seed.pdf"
    if compress:
        write_pdf(path, pages)
    else:
        from fpdf import FPDF

        pdf = FPDF(format="A4")
        pdf.set_compression(False)
        pdf.set_auto_page_break(False)
        for lines in pages:
            pdf.add_page()
            pdf.set_font("Helvetica", size=11)
            for line in lines:
                pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        pdf.output(str(path))
    return path.read_bytes()


def make_seed_pdfs(rng: random.Random, directory: Path, *, huge_pages: int = 150) -> list[bytes]:
    """Valid PDFs to mutate: the policy text, random Dutch pages, compressed or not."""
    seeds = [
        _pdf_bytes(POLICY_PAGES, compress=True, directory=directory),
        _pdf_bytes(POLICY_PAGES, compress=False, directory=directory),
    ]
    for compress in (True, False):
        pages = [
            [_latin1(line) for line in _dutch_lines(rng, rng.randint(5, 35))]
            for _ in range(rng.randint(1, 6))
        ]
        seeds.append(_pdf_bytes(pages, compress=compress, directory=directory))
    if huge_pages:
        pages = [[_latin1(line) for line in _dutch_lines(rng, 38)] for _ in range(huge_pages)]
        seeds.append(_pdf_bytes(pages, compress=True, directory=directory))
    return seeds


def make_encrypted_pdf(directory: Path) -> bytes:
    """A password-protected PDF (the reader must refuse it)."""
    return write_encrypted_pdf(directory / "encrypted.pdf").read_bytes()


def _truncate(rng: random.Random, data: bytes) -> bytes:
    if rng.random() < 0.5:
        return data[: rng.randint(0, len(data))]
    return data[: max(0, len(data) - rng.randint(1, min(len(data), 400)))]  # lose the tail


def _flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 2, 5, 20, 100])):
        if not out:
            break
        i = rng.randrange(len(out))
        out[i] = rng.randrange(256) if rng.random() < 0.5 else out[i] ^ (1 << rng.randrange(8))
    return bytes(out)


_NUMBER = re.compile(rb"(?<![\w.])\d+(?![\w.])")
_EXTREMES = [b"0", b"-1", b"1", b"2147483648", b"18446744073709551616", b"99999999999", b"3"]


def _structural(rng: random.Random, data: bytes) -> bytes:
    """Break the PDF's structure: odd numbers, self-references, cut or duplicated tokens."""
    out = data
    for _ in range(rng.randint(1, 6)):
        roll = rng.random()
        numbers = list(_NUMBER.finditer(out))
        if roll < 0.4 and numbers:
            m = rng.choice(numbers)
            out = out[: m.start()] + rng.choice(_EXTREMES) + out[m.end() :]
        elif roll < 0.55:
            refs = list(re.finditer(rb"(\d+) 0 R", out))
            if refs:  # point a reference at another object (page tree cycles and the like)
                m, target = rng.choice(refs), rng.choice(refs)
                out = out[: m.start()] + target.group() + out[m.end() :]
        elif roll < 0.7:
            token = rng.choice([b"endobj", b"endstream", b"xref", b"trailer", b"startxref"])
            out = (
                out.replace(token, b"", 1) if rng.random() < 0.5 else out.replace(token, token * 2)
            )
        else:
            at = rng.randint(0, len(out))
            out = out[:at] + rng.choice(PDF_TOKENS) + out[at:]
    return out


def _random_pdf(rng: random.Random) -> bytes:
    head = b"%PDF-1." + str(rng.randint(0, 7)).encode() + b"\n"
    parts = [head]
    for _ in range(rng.randint(0, 30)):
        parts.append(
            rng.choice(PDF_TOKENS) if rng.random() < 0.4 else rng.randbytes(rng.randint(0, 4000))
        )
    return b"".join(parts)


def pdf_inputs(rng: random.Random, seeds: list[bytes], encrypted: bytes) -> Iterator[FuzzInput]:
    """An endless stream of malformed (and a few valid) PDFs."""
    small = seeds[:-1] if len(seeds) > 4 else seeds
    kinds: list[tuple[str, float, Callable[[], bytes]]] = [
        ("pdf-truncated", 3, lambda: _truncate(rng, rng.choice(seeds))),
        ("pdf-byteflip", 3, lambda: _flip(rng, rng.choice(small))),
        ("pdf-structural", 3, lambda: _structural(rng, rng.choice(small[1::2] or small))),
        ("pdf-random", 2, lambda: _random_pdf(rng)),
        ("pdf-empty", 0.3, lambda: rng.choice([b"", b"%PDF", b"%PDF-1.4\n%%EOF\n", b"\x00" * 64])),
        ("pdf-encrypted", 0.5, lambda: encrypted if rng.random() < 0.3 else _flip(rng, encrypted)),
        ("pdf-splice", 1, lambda: _splice(rng, rng.choice(seeds), rng.choice(seeds))),
        ("pdf-huge", 0.15, lambda: seeds[-1]),
    ]
    names = [k for k, _, _ in kinds]
    weights = [w for _, w, _ in kinds]
    makers = {k: make for k, _, make in kinds}
    while True:
        kind = rng.choices(names, weights)[0]
        yield FuzzInput(kind, ".pdf", makers[kind]())


def _splice(rng: random.Random, a: bytes, b: bytes) -> bytes:
    return a[: rng.randint(0, len(a))] + b[rng.randint(0, len(b)) :]


# ---------------------------------------------------------------------------------------------
# Generators: texts.


def _foreign_text(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 60)):
        words = []
        for _ in range(rng.randint(1, 15)):
            low, high = rng.choice(FOREIGN_RANGES)
            word = "".join(chr(rng.randint(low, high)) for _ in range(rng.randint(1, 10)))
            if rng.random() < 0.2:
                word += rng.choice(ODD_CHARS)
            words.append(word)
        lines.append(" ".join(words) + rng.choice(["", ".", "。", "؟", "!"]))
    return rng.choice(["\n", "\n\n", "\f", "\u2028", "\r\n"]).join(lines)


def _pathological_text(rng: random.Random) -> str:
    """Long runs of one character, where a backtracking regular expression would stall."""
    parts = []
    for _ in range(rng.randint(1, 4)):
        run = rng.choice(RUN_CHARS) * rng.choice([100, 5_000, 50_000, 200_000])
        parts.append(
            rng.choice(["", "Een zin ", "x", "A"]) + run + rng.choice(["", "x", " A", "."])
        )
    return "\n".join(parts)


def _structured_text(rng: random.Random) -> str:
    lines = _dutch_lines(rng, rng.randint(1, 300))
    for _ in range(rng.randint(0, 10)):  # repeated lines, as after page breaks
        lines.insert(rng.randint(0, len(lines)), rng.choice(lines))
    out = []
    for line in lines:
        out.append(line)
        out.append(rng.choice(["\n", "\n", "\n\n", "\f", "\n\f\n"]))
    return "".join(out)


def _huge_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.4:
        lines, size = [], 0
        while size < rng.choice([2, 5, 8]) * 10**6:
            line = _sentence(rng)
            lines.append(line)
            size += len(line) + 1
        return "\n".join(lines)
    if roll < 0.7:  # one enormous line, no line breaks
        return " ".join(rng.choice(WORDS) for _ in range(400_000))
    if roll < 0.85:  # one enormous word
        return "a" * 3_000_000
    return "\n" * 2_000_000 + "Een zin."


def text_inputs(rng: random.Random) -> Iterator[FuzzInput]:
    """An endless stream of non-Dutch, binary, pathological and huge texts."""
    kinds: list[tuple[str, float, Callable[[], bytes]]] = [
        ("text-foreign", 3, lambda: _foreign_text(rng).encode("utf-8")),
        ("text-binary", 2, lambda: rng.randbytes(rng.randint(0, 20_000))),
        (
            "text-binary-utf8",
            2,
            lambda: rng.randbytes(rng.randint(0, 20_000)).decode("latin-1").encode("utf-8"),
        ),
        ("text-dutch", 3, lambda: _structured_text(rng).encode("utf-8")),
        ("text-pathological", 1.5, lambda: _pathological_text(rng).encode("utf-8")),
        ("text-huge", 0.1, lambda: _huge_text(rng).encode("utf-8")),
    ]
    names = [k for k, _, _ in kinds]
    weights = [w for _, w, _ in kinds]
    makers = {k: make for k, _, make in kinds}
    while True:
        kind = rng.choices(names, weights)[0]
        yield FuzzInput(kind, rng.choice([".txt", ".md"]), makers[kind]())


# ---------------------------------------------------------------------------------------------
# The run.


def save_reproducer(item: FuzzInput, outcome: Outcome, out_dir: Path) -> Path:
    """Save a failing input and a note of its error; returns the input's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(item.data).hexdigest()[:12]
    path = out_dir / f"{item.kind}-{digest}{item.suffix}"
    path.write_bytes(item.data)
    path.with_suffix(path.suffix + ".error.txt").write_text(outcome.detail + "\n", encoding="utf-8")
    return path


def run_fuzz(
    *,
    seconds: float,
    seed: int,
    out_dir: Path | None = DEFAULT_OUT,
    max_pdfs: int | None = None,
    max_texts: int | None = None,
    time_limit: float = TIME_LIMIT_S,
    memory_mb: int = MEMORY_LIMIT_MB,
    huge_pages: int = 150,
    log: Callable[[str], None] | None = None,
) -> Summary:
    """Alternate PDF and text inputs until `seconds` pass or both maxima are reached."""
    rng = random.Random(seed)
    summary = Summary()
    started = time.monotonic()
    deadline = started + seconds
    with (
        tempfile.TemporaryDirectory(prefix="wegwijzer-fuzz-") as tmp,
        Sandbox(time_limit=time_limit, memory_mb=memory_mb) as sandbox,
    ):
        work = Path(tmp)
        seeds = make_seed_pdfs(rng, work, huge_pages=huge_pages)
        streams = {
            "pdf": (pdf_inputs(rng, seeds, make_encrypted_pdf(work)), max_pdfs),
            "text": (text_inputs(rng), max_texts),
        }
        done = Counter[str]()
        while time.monotonic() < deadline:
            active = [n for n, (_, cap) in streams.items() if cap is None or done[n] < cap]
            if not active:
                break
            for name in active:
                item = next(streams[name][0])
                done[name] += 1
                path = work / f"input{item.suffix}"
                path.write_bytes(item.data)
                outcome = sandbox.run(path)
                summary.tried[item.kind] += 1
                if outcome.status == "ok":
                    summary.ok[item.kind] += 1
                elif outcome.status == "rejected":
                    summary.rejected[item.kind] += 1
                else:
                    saved = save_reproducer(item, outcome, out_dir) if out_dir else None
                    summary.failures.append((item.kind, outcome.detail, saved))
                    if log:
                        log(f"FAIL {item.kind}: {outcome.detail.splitlines()[0]} -> {saved}")
    summary.seconds = time.monotonic() - started
    return summary


def format_summary(summary: Summary, seed: int) -> str:
    """A Markdown table of inputs per kind, then the failures."""
    rows = [
        f"Fuzzed {sum(summary.tried.values())} inputs in {summary.seconds:.0f} s (seed {seed})",
        "",
        "| kind | tried | read | refused (DocumentReadError) | failed |",
        "|---|---:|---:|---:|---:|",
    ]
    failed = Counter(kind for kind, _, _ in summary.failures)
    for kind in sorted(summary.tried):
        rows.append(
            f"| {kind} | {summary.tried[kind]} | {summary.ok[kind]} | "
            f"{summary.rejected[kind]} | {failed[kind]} |"
        )
    rows.append("")
    if summary.failures:
        rows.append(f"{summary.failed} failure(s):")
        for kind, detail, saved in summary.failures:
            rows.append(f"- {kind}: {detail.splitlines()[0]}  ({saved})")
    else:
        rows.append("No failures.")
    return "\n".join(rows)


def main() -> int:
    """Run the fuzzer; exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120, help="how long to fuzz (120)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (random)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="reproducers (var/fuzz)")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT_S, help="s per input")
    parser.add_argument("--memory-mb", type=int, default=MEMORY_LIMIT_MB, help="per input")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"Fuzzing for {args.seconds:g} s with seed {seed}; reproducers go to {args.out}")
    summary = run_fuzz(
        seconds=args.seconds,
        seed=seed,
        out_dir=args.out,
        time_limit=args.time_limit,
        memory_mb=args.memory_mb,
        log=print,
    )
    print(format_summary(summary, seed))
    return 1 if summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())
