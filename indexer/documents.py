r"""Source documents: discovering them, their metadata, and reading their text page by page.

A document's text is kept exactly as extracted. For a PDF the pages are joined with a form
feed ("\\f") and `page_starts` records where each page begins, so that every character can be
traced to its 1-based page number.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from indexer.errors import CorpusError, DocumentReadError

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md")
CATALOG_NAME = "documents.toml"
PAGE_BREAK = "\f"
# A file (PDF or text) larger than this is refused rather than read: it would stall the build.
MAX_FILE_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """What the catalog says about a document; only the id and title are required."""

    doc_id: str
    title: str
    publisher: str | None = None
    year: int | None = None
    date: str | None = None
    kind: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file in the corpus folder, identified by the sha256 of its bytes."""

    path: Path
    doc_id: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Document:
    """The extracted text of one source file.

    `page_starts[i]` is the offset in `text` where page i+1 begins; it is empty for text files,
    which have no pages.
    """

    meta: DocumentMeta
    source: SourceFile
    text: str
    page_starts: tuple[int, ...] = ()

    @property
    def doc_id(self) -> str:
        """The document id: the file name without its extension."""
        return self.meta.doc_id

    @property
    def page_count(self) -> int:
        """Number of pages (0 for text files)."""
        return len(self.page_starts)

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding the character at `offset`, or None without pages."""
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)


def load_catalog(corpus_dir: Path) -> dict[str, DocumentMeta]:
    """Read `documents.toml` from the corpus folder; an absent catalog is an empty one."""
    path = corpus_dir / CATALOG_NAME
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"{path}: not valid TOML ({exc}). Fix the file and build again.") from exc
    return {doc_id: _meta_from_table(doc_id, table) for doc_id, table in data.items()}


def _meta_from_table(doc_id: str, table: Mapping[str, Any]) -> DocumentMeta:
    year = table.get("year")
    return DocumentMeta(
        doc_id=doc_id,
        title=str(table.get("title") or doc_id),
        publisher=table.get("publisher"),
        year=int(year) if year is not None else None,
        date=str(table["date"]) if "date" in table else None,
        kind=table.get("kind"),
        url=table.get("url"),
    )


def discover(corpus_dir: Path) -> list[SourceFile]:
    """List the supported files in `corpus_dir`, sorted by name, with their content hash."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"Corpus folder {corpus_dir} does not exist. Pass --corpus DIR.")
    files = sorted(
        p for p in corpus_dir.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
    )
    seen: dict[str, Path] = {}
    sources = []
    for path in files:
        doc_id = path.stem
        if doc_id in seen:
            logger.warning("Skipping %s: %s has the same document id", path.name, seen[doc_id].name)
            continue
        seen[doc_id] = path
        sources.append(SourceFile(path=path, doc_id=doc_id, sha256=file_sha256(path)))
    return sources


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_document(source: SourceFile, meta: DocumentMeta | None = None) -> Document:
    """Read one source file into a Document.

    Raises:
        DocumentReadError: the file is unreadable, encrypted, too large or holds no text.
    """
    meta = meta or DocumentMeta(doc_id=source.doc_id, title=source.doc_id)
    if source.path.suffix.lower() == ".pdf":
        pages = list(_read_pdf_pages(source.path))
        text, starts = _join_pages(pages)
    else:
        text, starts = _read_text(source.path), ()
    if not text.strip():
        raise DocumentReadError(source.path, "no text could be extracted (scanned or empty file)")
    return Document(meta=meta, source=source, text=text, page_starts=starts)


def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DocumentReadError(path, f"larger than {MAX_FILE_BYTES // 2**20} MiB; split it")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentReadError(path, f"cannot be read ({exc.strerror})") from exc
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise DocumentReadError(path, "is not UTF-8 text; save it as UTF-8") from exc


def _read_pdf_pages(path: Path) -> Iterator[str]:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DocumentReadError(path, f"larger than {MAX_FILE_BYTES // 2**20} MiB; split it")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            raise DocumentReadError(path, "the PDF is encrypted; save an unprotected copy")
        for page in reader.pages:
            yield (page.extract_text() or "").replace(PAGE_BREAK, "\n")
    except (DocumentReadError, MemoryError):
        raise
    except Exception as exc:  # pypdf raises many kinds of error on damaged files (fuzzing)
        raise DocumentReadError(path, f"not a readable PDF ({type(exc).__name__}: {exc})") from exc


def _join_pages(pages: list[str]) -> tuple[str, tuple[int, ...]]:
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + len(PAGE_BREAK)
    return PAGE_BREAK.join(pages), tuple(starts)
