"""The question bank: per document, the questions its passages answer, in parents' words.

    corpus/questions/<doc_id>.toml      one file per document (see the README's editor section)

    [[entry]]
    id = "ppb-001"
    topic = "zorgplicht"
    anchors = ["<a verbatim sentence of the document>"]
    parents = ["mag de school mijn zoon weigeren?", "..."]      # 2-5
    consultants = ["Wat houdt de zorgplicht in?"]               # 1-2
    situations = ["Onze zoon van 6 ... Mag de school hem zomaar weigeren?"]   # 0-3

`parents` are short questions, as typed in a chat; `situations` are a parent's longer messages
that tell a bit of their situation before they ask (the way most parents write). Both are
matched against a question; only the short ones are offered as related and example questions.

An entry is tied to the passages (chunks) whose text holds its anchors. An anchor must be a
sentence of the document: it is looked up in the cleaned text and in the original, both with
every run of whitespace collapsed to one space; a broken anchor fails the build with the
entry id, the document and the nearest text.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from indexer.chunking import Chunk
from indexer.embedding import Embedder, EmbeddingCache, Vectors, concurrency
from indexer.errors import IndexerError
from indexer.lexical import LexicalIndex

BankTopic = Literal[
    "zorgplicht", "onderwijstijd", "leerplichtontheffing", "financiering", "samenwerking", "overig"
]
Audience = Literal["ouder", "consulent"]
BANK_DIRNAME = "questions"
_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=600)]
_WHITESPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


class BankError(IndexerError):
    """A bank file is malformed or one of its anchors is not in its document."""


class _EntryModel(BaseModel):
    """One `[[entry]]` of a bank file, as written by an editor."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
    topic: BankTopic
    anchors: list[_Text] = Field(min_length=1, max_length=2)
    parents: list[_Text] = Field(min_length=2, max_length=5)
    consultants: list[_Text] = Field(min_length=1, max_length=2)
    situations: list[_Text] = Field(default_factory=list, max_length=3)


@dataclass(frozen=True, slots=True)
class BankEntry:
    """The questions one or two anchored sentences of a document answer."""

    entry_id: str
    doc_id: str
    topic: str
    anchors: tuple[str, ...]
    parents: tuple[str, ...]
    consultants: tuple[str, ...]
    situations: tuple[str, ...] = ()

    @property
    def questions(self) -> tuple[tuple[Audience, str], ...]:
        """Parents' questions first, then their situations, then the consultants' questions."""
        return (
            *(("ouder", q) for q in self.parents),
            *(("ouder", q) for q in self.situations),
            *(("consulent", q) for q in self.consultants),
        )


@dataclass(frozen=True, slots=True)
class Bank:
    """All entries of a bank folder, in file and entry order, with the folder's checksum."""

    entries: tuple[BankEntry, ...]
    checksum: str

    @property
    def question_count(self) -> int:
        """Questions over all entries."""
        return sum(len(e.questions) for e in self.entries)


@dataclass(frozen=True, slots=True)
class BrokenAnchor:
    """An anchor that is not a sentence of its document, with the closest text there is."""

    entry_id: str
    doc_id: str
    anchor: str
    nearest: str

    def describe(self) -> str:
        """One line for the person who edits the bank."""
        return (
            f"{self.doc_id}: entry {self.entry_id}: anchor not found in the document: "
            f"{self.anchor!r}; nearest text: {self.nearest!r}"
        )


@dataclass(frozen=True, slots=True)
class AnchoredEntry:
    """An entry with the chunk rows (in the build's chunk order) that hold its anchors."""

    entry: BankEntry
    chunk_rows: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Collapsed:
    text: str
    offsets: list[int]  # offsets[i]: where character i of `text` is in the uncollapsed text

    @classmethod
    def of(cls, text: str) -> _Collapsed:
        return cls(*collapse(text))

    def find(self, anchor: str) -> tuple[int, int] | None:
        """The span in the uncollapsed text of `anchor`, its whitespace runs collapsed too."""
        needle = _WHITESPACE.sub(" ", anchor).strip()
        at = self.text.find(needle) if needle else -1
        if at < 0:
            return None
        return self.offsets[at], self.offsets[at + len(needle) - 1] + 1


@dataclass(frozen=True, slots=True)
class DocumentText:
    """What anchors are matched against: a document's cleaned and original text, collapsed."""

    cleaned: _Collapsed
    original: _Collapsed

    @classmethod
    def of(cls, cleaned: str, original: str) -> DocumentText:
        """Collapse both texts once."""
        return cls(_Collapsed.of(cleaned), _Collapsed.of(original))


def bank_files(bank_dir: Path) -> list[Path]:
    """The bank's `*.toml` files, sorted by name; none when the folder does not exist."""
    return sorted(p for p in bank_dir.glob("*.toml") if p.is_file()) if bank_dir.is_dir() else []


def bank_checksum(bank_dir: Path) -> str:
    """A hash of the names and contents of the bank's files ("" for no bank)."""
    files = bank_files(bank_dir)
    if not files:
        return ""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def load_bank(bank_dir: Path) -> Bank:
    """Read and validate every bank file of `bank_dir`.

    Raises:
        BankError: a file is not valid TOML, an entry breaks the format, or an id repeats;
            the message names the file and the entry id.
    """
    entries: list[BankEntry] = []
    seen: dict[str, str] = {}
    for path in bank_files(bank_dir):
        for entry in _read_file(path):
            if entry.entry_id in seen:
                raise BankError(
                    f"{path}: entry {entry.entry_id}: the id is also used in {seen[entry.entry_id]}"
                )
            seen[entry.entry_id] = path.name
            entries.append(entry)
    return Bank(entries=tuple(entries), checksum=bank_checksum(bank_dir))


def _read_file(path: Path) -> list[BankEntry]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BankError(f"{path}: not a readable TOML file: {exc}") from exc
    raw_entries = data.get("entry", [])
    if not isinstance(raw_entries, list) or set(data) - {"entry"}:
        raise BankError(f"{path}: expected [[entry]] tables")
    entries: list[BankEntry] = []
    for position, raw in enumerate(raw_entries, start=1):
        label = raw.get("id", f"#{position}") if isinstance(raw, dict) else f"#{position}"
        try:
            model = _EntryModel.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {e['msg']}" for e in exc.errors()
            )
            raise BankError(f"{path}: entry {label}: {problems}") from exc
        entries.append(
            BankEntry(
                entry_id=model.id,
                doc_id=path.stem,
                topic=model.topic,
                anchors=tuple(model.anchors),
                parents=tuple(model.parents),
                consultants=tuple(model.consultants),
                situations=tuple(model.situations),
            )
        )
    return entries


def collapse(text: str) -> tuple[str, list[int]]:
    """`text` with every whitespace run as one space, and the offset in `text` of each character."""
    out: list[str] = []
    offsets: list[int] = []
    for match in re.finditer(r"\s+|\S+", text):
        if match.group().isspace():
            out.append(" ")
            offsets.append(match.start())
        else:
            out.append(match.group())
            offsets.extend(range(match.start(), match.end()))
    return "".join(out), offsets


def nearest_text(anchor: str, collapsed: str) -> str:
    """The sentence of `collapsed` most like `anchor` (difflib), for an error message."""
    candidates = [s for s in _SENTENCE_END.split(collapsed) if s.strip()]
    close = difflib.get_close_matches(anchor, candidates, n=1, cutoff=0.0)
    return close[0] if close else ""


def anchor_entries(
    bank: Bank,
    texts: Mapping[str, DocumentText],
    chunks: Sequence[Chunk],
    *,
    skipped: Sequence[str] = (),
) -> tuple[list[AnchoredEntry], list[BrokenAnchor]]:
    """Tie every entry to the chunks holding its anchors; the anchors that are not found.

    An entry of a document that was skipped (unreadable) is left out without complaint; an
    entry of a document that is not in the corpus at all is broken.
    """
    rows_by_doc: dict[str, list[int]] = {}
    for row, chunk in enumerate(chunks):
        rows_by_doc.setdefault(chunk.doc_id, []).append(row)
    anchored: list[AnchoredEntry] = []
    broken: list[BrokenAnchor] = []
    for entry in bank.entries:
        if entry.doc_id in skipped:
            continue
        document = texts.get(entry.doc_id)
        if document is None:
            broken.extend(
                BrokenAnchor(entry.entry_id, entry.doc_id, a, "(no such document in the corpus)")
                for a in entry.anchors
            )
            continue
        rows: list[int] = []
        for anchor in entry.anchors:
            found = _chunk_rows(anchor, document, chunks, rows_by_doc.get(entry.doc_id, []))
            if not found:
                nearest = (
                    nearest_text(anchor, document.cleaned.text)
                    if found is None
                    else "(in the text, but in no passage: the cleaning drops it)"
                )
                broken.append(BrokenAnchor(entry.entry_id, entry.doc_id, anchor, nearest))
            else:
                rows.extend(r for r in found if r not in rows)
        if rows:
            anchored.append(AnchoredEntry(entry, tuple(rows)))
    return anchored, broken


def _chunk_rows(
    anchor: str, document: DocumentText, chunks: Sequence[Chunk], rows: Sequence[int]
) -> list[int] | None:
    """The rows of the chunks overlapping the anchor's span; None when it is not in the text."""
    span = document.cleaned.find(anchor)
    if span is not None:
        start, end = span
        hit = [r for r in rows if chunks[r].clean_start < end and start < chunks[r].clean_end]
    else:
        span = document.original.find(anchor)
        if span is None:
            return None
        start, end = span
        hit = [r for r in rows if chunks[r].char_start < end and start < chunks[r].char_end]
    return hit


class BankIndex:
    """The bank as stored in an index: entries with their chunks, questions, vectors and BM25.

    Question i belongs to entry `question_entry[i]`; `vectors[i]` is its query-mode embedding
    and row i of `lexical` its BM25 document. Row r of `passages` is chunk r's BM25 text
    followed by all questions and situations of the entries anchored in it (doc2query with
    the editors' questions in place of a generator's): a question in parents' words finds the
    passage through the words of the questions it answers.

    Usage:
        store.bank.question_vectors()[0]       # ("mag de school ...?", array of shape (dim,))
        store.bank.entries_of(chunk_row)       # indexes into store.bank.entries
    """

    def __init__(
        self,
        *,
        entries: Sequence[AnchoredEntry],
        vectors: Vectors,
        lexical: LexicalIndex | None,
        checksum: str,
        passages: LexicalIndex | None = None,
    ) -> None:
        self.entries = tuple(entries)
        self.questions = tuple(q for a in self.entries for _, q in a.entry.questions)
        self.audiences = tuple(au for a in self.entries for au, _ in a.entry.questions)
        self.question_entry: npt.NDArray[np.int64] = np.repeat(
            np.arange(len(self.entries)), [len(a.entry.questions) for a in self.entries]
        ).astype(np.int64)
        self.vectors = vectors
        self.lexical = lexical
        self.passages = passages
        self.checksum = checksum
        self._by_chunk: dict[int, list[int]] = {}
        for index, anchored in enumerate(self.entries):
            for row in anchored.chunk_rows:
                self._by_chunk.setdefault(row, []).append(index)
        self._by_id = {a.entry.entry_id: i for i, a in enumerate(self.entries)}

    def __len__(self) -> int:
        return len(self.entries)

    def entries_of(self, chunk_row: int) -> list[int]:
        """The entries (indexes into `entries`) anchored in this chunk."""
        return self._by_chunk.get(chunk_row, [])

    def entry(self, entry_id: str) -> AnchoredEntry | None:
        """The entry with this id, if any."""
        index = self._by_id.get(entry_id)
        return None if index is None else self.entries[index]

    def question_vectors(self) -> list[tuple[str, Vectors]]:
        """Every bank question with its precomputed query vector."""
        return [(q, self.vectors[i]) for i, q in enumerate(self.questions)]

    def offered_question_vectors(self) -> list[tuple[str, Vectors]]:
        """The questions the chat offers to click, with their vectors (to prime a query cache).

        Those are the entries' short `parents` questions, never a situation or a consultant's.
        """
        offered = {q for a in self.entries for q in a.entry.parents}
        return [(q, vector) for q, vector in self.question_vectors() if q in offered]


def query_mode_id(embedder_id: str) -> str:
    """The embedding cache's name for an embedder's query-mode vectors (the bank's questions)."""
    return f"{embedder_id}#query"


class _QueryMode:
    """An embedder whose `embed_passages` embeds queries: bank questions are queries.

    Its id differs from the embedder's (`query_mode_id`), so query-mode vectors never collide
    with passage vectors in the embedding cache.
    """

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    @property
    def embedder_id(self) -> str:
        return query_mode_id(self._embedder.embedder_id)

    @property
    def dim(self) -> int:
        return self._embedder.dim

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._embedder.embed_queries(texts)

    def embed_query(self, text: str) -> Vectors:
        return self._embedder.embed_query(text)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._embedder.embed_queries(texts)

    @property
    def instances(self) -> int:
        return concurrency(self._embedder)


def embed_questions(
    cache_path: Path, embedder: Embedder, questions: Sequence[str]
) -> tuple[Vectors, int]:
    """Query-mode vectors of the questions (cached by text hash) and how many were new."""
    query_mode = _QueryMode(embedder)
    cache = EmbeddingCache(cache_path)
    try:
        missing = cache.count_missing(query_mode.embedder_id, questions)
        (vectors,) = cache.embed_groups(
            query_mode, [(questions, 64)], workers=concurrency(embedder)
        )
    finally:
        cache.close()
    return vectors, missing


def index_bank(
    anchored: Sequence[AnchoredEntry],
    embedder: Embedder,
    *,
    cache_path: Path,
    analyzer_source: LexicalIndex,
    checksum: str,
    passage_texts: Sequence[str],
) -> tuple[BankIndex, int]:
    """The bank's vectors and BM25 for an index; returns it and the questions embedded anew.

    `passage_texts` are the chunks' BM25 texts in row order; each is indexed again followed
    by its entries' questions (`BankIndex.passages`).
    """
    questions = [q for a in anchored for _, q in a.entry.questions]
    vectors, embedded = embed_questions(cache_path, embedder, questions)
    lexical = passages = None
    if questions:
        lexical = LexicalIndex.build(questions, analyzer_source.analyzer)
        passages = LexicalIndex.build(
            expanded_passages(anchored, passage_texts), analyzer_source.analyzer
        )
    bank = BankIndex(
        entries=anchored, vectors=vectors, lexical=lexical, checksum=checksum, passages=passages
    )
    return bank, embedded


def expanded_passages(anchored: Sequence[AnchoredEntry], passage_texts: Sequence[str]) -> list[str]:
    """Each passage's text followed by all questions and situations of its anchored entries."""
    questions: list[list[str]] = [[] for _ in passage_texts]
    for a in anchored:
        for row in a.chunk_rows:
            questions[row].extend(q for _, q in a.entry.questions)
    return ["\n".join((text, *asked)) for text, asked in zip(passage_texts, questions, strict=True)]
