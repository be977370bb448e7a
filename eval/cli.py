"""Command line: `python -m eval run`, `fit-answers` and `fit-fusion`.

`run` evaluates retrieval and answers on a question set; `fit-answers` and `fit-fusion` fit
the answer model and a fusion weight with cross-validation.

Usage:
    python -m eval run [--questions FILE] [--index DIR] [--corpus DIR]
                       [--retriever hybrid|bm25|dense ...] [--k 10]
                       [--json OUT] [--md OUT] [--plot OUT.png] [--url http://...]
                       [--typos SEED,...] [--timeout S]
    python -m eval fit-answers --questions FILE [--questions FILE ...]
                       [--order fusion|second-pass] [--out FILE] [--max-refused SHARE]
                       [--bank-questions N]
    python -m eval fit-fusion --questions FILE [--questions FILE ...]
                       --weight NAME --grid V,V,...

`--retriever` takes a comma-separated list and may be repeated; all retrievers are compared
side by side. Without `--url` the in-process engine runs (the service's own code path);
with `--url` a running service is queried over HTTP.

Exit status: 0 on success, 2 on bad input (question file, options, missing index or corpus),
1 when the service or engine fails during the run.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from assistant.answer_model import ANSWER_ORDERS
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
from eval.questions import (
    DEFAULT_QUESTIONS,
    TOTALS_ONLY_SETS,
    QuestionSetError,
    load_questions,
    read_only_as_totals,
)
from eval.report import format_table, plot_recall_curves, write_json, write_markdown
from eval.typos import with_typos
from indexer.chunking import Chunk
from indexer.errors import IndexerError
from indexer.settings import IndexSettings
from indexer.store import IndexStore, read_manifest

if TYPE_CHECKING:
    from assistant.engine import Engine

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
    run.add_argument(
        "--typos",
        type=_seeds,
        metavar="SEED[,SEED...]",
        help="give every question one typing mistake, drawn with each seed (eval.typos); "
        "several seeds run the set once per seed",
    )
    run.add_argument("--url", help="evaluate a running service at this base URL instead")
    run.add_argument("--timeout", type=float, default=120.0, help="HTTP timeout in seconds")
    fit = commands.add_parser(
        "fit-answers",
        help="fit the answer-sentence model on question sets (never the blind or short one)",
    )
    _add_fit_sources(fit)
    fit.add_argument(
        "--order",
        choices=ANSWER_ORDERS,
        default="fusion",
        help="fit on the fusion's order (the model that decides whether to answer) or on the "
        "second pass's (the one that picks the sentences)",
    )
    fit.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the model (default: the service's file for that order, "
        "Settings.answer_model_for)",
    )
    fit.add_argument(
        "--max-refused",
        type=float,
        default=0.06,
        help="largest share of any set's answerable questions the threshold may refuse",
    )
    fit.add_argument(
        "--bank-questions",
        type=int,
        default=0,
        metavar="N",
        help="also train on each bank entry's first N parents' questions, searched with the "
        "bank off (so in the fusion's order) and labelled by the entry's anchors (never held "
        "out; default 0: none)",
    )
    fusion = commands.add_parser(
        "fit-fusion",
        help="cross-validate one fusion weight on question sets (never the blind or short one)",
    )
    _add_fit_sources(fusion)
    fusion.add_argument(
        "--weight",
        required=True,
        help="a field of FusionWeights, e.g. bank, or reorder_depth (the second pass's depth)",
    )
    fusion.add_argument(
        "--grid",
        required=True,
        help="comma-separated values to try, e.g. 0.2,0.3,0.5,0.8 (the current one is added)",
    )
    return parser


def _add_fit_sources(command: argparse.ArgumentParser) -> None:
    """The question sets, index and corpus a fitting command reads."""
    command.add_argument(
        "--questions",
        type=Path,
        action="append",
        required=True,
        help="question file to fit on; repeat for several sets",
    )
    command.add_argument("--index", type=Path, help="index folder (default: from settings)")
    command.add_argument("--corpus", type=Path, help="corpus folder (default: from settings)")


def _seeds(value: str) -> list[int]:
    """`--typos 1,2,3`: distinct whole numbers, in order."""
    try:
        seeds = [int(part) for part in value.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {value!r}") from None
    if len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"a seed is given twice: {value!r}")
    return seeds


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


def _load_engine(index_dir: Path, corpus_dir: Path, *, untrained: bool = False) -> Engine:
    # Imported here so that `--url` runs do not load the engine and its embedder.
    from assistant.answer_model import AnswerModel
    from assistant.config import Settings
    from assistant.engine import Engine

    # No answer cache: the harness times every answer, its warm-up question's too.
    settings = Settings(index_dir=index_dir, corpus_dir=corpus_dir, answer_cache_size=0)
    return Engine.load(settings, answer_model=AnswerModel.untrained() if untrained else None)


def _engine_backend(index_dir: Path, corpus_dir: Path) -> EngineBackend:
    engine = _load_engine(index_dir, corpus_dir)
    return EngineBackend(engine, chunks=engine.store.chunks)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    defaults = IndexSettings()
    index_dir: Path = args.index or defaults.index_dir
    corpus_dir: Path = args.corpus or defaults.corpus_dir
    if args.command in ("fit-answers", "fit-fusion"):
        retrievers: list[RetrieverName] = []
        if any(read_only_as_totals(path) for path in args.questions):
            parser.error(
                f"the {' and '.join(TOTALS_ONLY_SETS)} sets are never fitted on: they only give "
                "the final totals"
            )
        if args.command == "fit-answers" and args.bank_questions < 0:
            parser.error(f"--bank-questions must be 0 or more, got {args.bank_questions}")
    else:
        try:
            retrievers = parse_retrievers(args.retriever)
        except ValueError as exc:
            parser.error(str(exc))
        if args.k < 1:
            parser.error(f"--k must be at least 1, got {args.k}")
    try:
        if args.command == "fit-answers":
            return _fit_answers(args, index_dir, corpus_dir)
        if args.command == "fit-fusion":
            return _fit_fusion(args, parser, index_dir, corpus_dir)
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


def _fit_answers(args: argparse.Namespace, index_dir: Path, corpus_dir: Path) -> int:
    from assistant.config import Settings
    from eval.answer_fit import collect, collect_bank, fit, write_model

    engine = _load_engine(index_dir, corpus_dir, untrained=True)
    backend = EngineBackend(engine)
    extra = collect_bank(engine, per_entry=args.bank_questions)  # first: it may find no bank
    items = []
    for path in args.questions:
        questions = load_questions(path, backend.document_text)
        items.extend(collect(engine, questions, path.stem, order=args.order))
    model, report = fit(items, max_refused=args.max_refused, extra=extra)
    report["order"] = args.order  # checked when the service loads the file
    out: Path = args.out or Settings().answer_model_for(args.order)
    write_model(model, report, out)
    print(json.dumps(report, indent=1))
    print("weights:")
    ranked = sorted(zip(model.features, model.weights, strict=True), key=lambda x: -abs(x[1]))
    for name, weight in ranked:
        print(f"  {name:<26} {weight:+.3f}")
    print(f"Model: {out}")
    return EXIT_OK


def _fit_fusion(
    args: argparse.Namespace, parser: argparse.ArgumentParser, index_dir: Path, corpus_dir: Path
) -> int:
    from eval.fusion_fit import DEPTH, MAX_DEPTH, cross_validate, judge_grid, weight_names

    if args.weight not in weight_names():
        parser.error(f"--weight must be one of {', '.join(weight_names())}, got {args.weight!r}")
    try:
        grid = [float(v) for v in args.grid.split(",") if v.strip()]
    except ValueError:
        parser.error(f"--grid takes comma-separated numbers, got {args.grid!r}")
    if not grid or any(v < 0 for v in grid):
        parser.error(f"--grid takes one or more numbers >= 0, got {args.grid!r}")
    if args.weight == DEPTH and any(v != int(v) or v > MAX_DEPTH for v in grid):
        parser.error(f"--grid for {DEPTH} takes whole numbers up to {MAX_DEPTH}, got {args.grid!r}")
    engine = _load_engine(index_dir, corpus_dir)
    backend = EngineBackend(engine)
    questions = [q for path in args.questions for q in load_questions(path, backend.document_text)]
    report = cross_validate(judge_grid(engine, questions, args.weight, grid))
    print(json.dumps({"weight": args.weight, **report}, indent=1))
    return EXIT_OK


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
        shown = _display_path(args.questions)
        if args.typos:
            questions = with_typos(questions, args.typos)
            seeds = ",".join(map(str, args.typos))
            shown = f"{shown} (one typo each, seeds {seeds})"
        report = run_evaluation(
            backend,
            questions,
            retrievers=retrievers,
            k=args.k,
            questions_path=shown,
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
        write_markdown(report, args.md, plot, totals_only=read_only_as_totals(args.questions))
        print(f"Markdown report: {args.md} (plot: {plot})")
    elif plot:
        plot_recall_curves(report, plot)
        print(f"Plot: {plot}")
    return EXIT_OK
