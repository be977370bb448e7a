"""Command line: `python -m eval run` evaluates retrieval and answers on a question set.

Usage:
    python -m eval run [--questions FILE] [--index DIR] [--corpus DIR]
                       [--retriever hybrid|bm25|dense ...] [--k 10]
                       [--json OUT] [--md OUT] [--plot OUT.png] [--url http://...]

`--retriever` takes a comma-separated list and may be repeated; all retrievers are compared
side by side. Without `--url` the in-process engine runs (the service's own code path);
with `--url` a running service is queried over HTTP.

Exit status: 0 on success, 2 on bad input (question file, options, missing index or corpus),
1 when the service or engine fails during the run.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

from assistant.errors import AssistantError, IndexUnavailableError
from eval.backends import (
    RETRIEVERS,
    Backend,
    EngineBackend,
    EvaluationError,
    HttpBackend,
    RetrieverName,
    corpus_document_texts,
)
from eval.harness import run_evaluation
from eval.questions import DEFAULT_QUESTIONS, QuestionSetError, load_questions
from eval.report import format_table, plot_recall_curves, write_json, write_markdown
from indexer.chunking import Chunk
from indexer.errors import IndexerError
from indexer.settings import IndexSettings
from indexer.store import IndexStore, read_manifest

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `python -m eval`."""
    parser = argparse.ArgumentParser(
        prog="python -m eval", description="Evaluate retrieval and answers on a question set."
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a question set and report metrics")
    run.add_argument(
        "--questions",
        type=Path,
        default=DEFAULT_QUESTIONS,
        help="question file, JSON Lines (default: eval/questions/dev.jsonl)",
    )
    run.add_argument("--index", type=Path, help="index folder (default: from settings)")
    run.add_argument("--corpus", type=Path, help="corpus folder (default: from settings)")
    run.add_argument(
        "--retriever",
        action="append",
        metavar="NAME[,NAME...]",
        help=f"retriever(s) to compare: {', '.join(RETRIEVERS)} (default: hybrid); repeatable",
    )
    run.add_argument("--k", type=int, default=10, help="passages retrieved per question")
    run.add_argument("--json", type=Path, metavar="OUT", help="write the JSON report here")
    run.add_argument("--md", type=Path, metavar="OUT", help="write the Markdown report here")
    run.add_argument(
        "--plot", type=Path, metavar="OUT", help="write the PNG plot here (default: next to --md)"
    )
    run.add_argument("--url", help="evaluate a running service at this base URL instead")
    run.add_argument("--timeout", type=float, default=120.0, help="HTTP timeout in seconds")
    return parser


def parse_retrievers(values: Sequence[str] | None) -> list[RetrieverName]:
    """Retriever names from repeated, comma-separated `--retriever` values, in order.

    Raises:
        ValueError: A name is not a known retriever.
    """
    names: list[RetrieverName] = []
    for value in values or ["hybrid"]:
        for raw in value.split(","):
            name = raw.strip().lower()
            if not name:
                continue
            if name not in RETRIEVERS:
                raise ValueError(f"unknown retriever {raw.strip()!r}; choose from {RETRIEVERS}")
            if name not in names:
                names.append(name)
    if not names:
        raise ValueError("no retriever given")
    return names


def read_index_info(index_dir: Path) -> dict[str, Any] | None:
    """Build information from the index manifest, or None without a readable manifest.

    Keeps the manifest's scalar fields and its chunking options, not the per-file lists.
    """
    manifest = read_manifest(index_dir)
    if manifest is None:
        return None
    data = asdict(manifest)
    info = {k: v for k, v in data.items() if isinstance(v, str | int | float | bool) or v is None}
    info["chunking"] = data["chunking"]
    return info


def _index_chunks(index_dir: Path) -> tuple[Chunk, ...]:
    return IndexStore.open(index_dir, verify=False).chunks


def _display_path(path: Path) -> str:
    """The path relative to the working directory when it lies below it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _engine_backend(index_dir: Path, corpus_dir: Path) -> EngineBackend:
    # Imported here so that `--url` runs do not load the engine and its embedder.
    from assistant.config import Settings
    from assistant.engine import Engine

    engine = Engine.load(Settings(index_dir=index_dir, corpus_dir=corpus_dir))
    return EngineBackend(engine, chunks=engine.store.chunks)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        retrievers = parse_retrievers(args.retriever)
    except ValueError as exc:
        parser.error(str(exc))
    if args.k < 1:
        parser.error(f"--k must be at least 1, got {args.k}")
    defaults = IndexSettings()
    index_dir: Path = args.index or defaults.index_dir
    corpus_dir: Path = args.corpus or defaults.corpus_dir
    try:
        return _run(args, retrievers, index_dir, corpus_dir)
    except QuestionSetError as exc:
        print(f"error: invalid question file\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (IndexerError, IndexUnavailableError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except httpx.HTTPError as exc:
        print(f"error: service at {args.url}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (EvaluationError, AssistantError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _run(
    args: argparse.Namespace,
    retrievers: list[RetrieverName],
    index_dir: Path,
    corpus_dir: Path,
) -> int:
    backend: Backend
    if args.url:
        # The service's index is only known when --index names it.
        chunks = _index_chunks(index_dir) if args.index else None
        texts = corpus_document_texts(corpus_dir)
        backend = HttpBackend(args.url, texts, chunks=chunks, timeout=args.timeout)
    else:
        backend = _engine_backend(index_dir, corpus_dir)
    try:
        questions = load_questions(args.questions, backend.document_text)
        report = run_evaluation(
            backend,
            questions,
            retrievers=retrievers,
            k=args.k,
            questions_path=_display_path(args.questions),
            index=read_index_info(index_dir) if (args.index or not args.url) else None,
        )
    finally:
        if isinstance(backend, HttpBackend):
            backend.close()
    print(format_table(report))
    if args.json:
        write_json(report, args.json)
        print(f"JSON report: {args.json}")
    plot: Path | None = args.plot
    if args.md:
        plot = plot or args.md.with_suffix(".png")
        write_markdown(report, args.md, plot)
        print(f"Markdown report: {args.md} (plot: {plot})")
    elif plot:
        plot_recall_curves(report, plot)
        print(f"Plot: {plot}")
    return EXIT_OK
