"""Structure-aware chunking: passages of 100 to 300 words that follow headings and sentences.

Each chunk is a contiguous span of a document's cleaned text. A new chunk starts at a heading
(once the current one has enough words) and, once a chunk is near its target size, at the next
paragraph or list item; a chunk never ends mid-sentence unless a single "sentence" (a flattened
table row, say) is longer than a whole chunk.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from indexer.cleaning import Block, CleanText
from indexer.documents import Document
from indexer.figures import gaps_within, lost_figures
from indexer.headings import section_number
from indexer.sentence_roles import SentenceRole, mark_duplicates, person_names, sentence_roles
from indexer.sentences import split_sentences

ChunkKind = Literal["body", "footnote"]
SECTION_SEPARATOR = " › "
FOOTNOTE_SECTION = "Voetnoten"
# The number that opens a footnote ("7 In Nederland …"), as `footnote_numbers` reads it.
_NOTE_NUMBER = re.compile(r"\d{1,3}\s+")


@dataclass(frozen=True, slots=True)
class ChunkingOptions:
    """Sizes in words; a chunk closes at a paragraph boundary once it reaches `target_words`."""

    min_words: int = 100
    max_words: int = 300

    @property
    def target_words(self) -> int:
        """The size at which a chunk closes at the next paragraph boundary."""
        return (self.min_words + self.max_words) // 2


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage of a document, with everything needed to cite it.

    `clean_start/clean_end` index the document's cleaned text, `char_start/char_end` its
    original text; `sentences` are spans within `text`, `sentence_roles` what each of them is
    (`indexer.sentence_roles`) and `sentence_origins` each one's span of the original text.
    `figure_gaps` are the offsets in `text` where the extraction lost a figure
    (`indexer.figures`): "Kiki is |jaar". `section` is the heading path where the passage
    begins; a passage may run past a heading (a section too short for a passage of its own),
    so `sentence_sections` holds each sentence's own (`section_at`).
    """

    chunk_id: str
    doc_id: str
    title: str
    ordinal: int
    kind: ChunkKind
    section: str
    text: str
    clean_start: int
    clean_end: int
    char_start: int
    char_end: int
    page: int | None
    page_end: int | None
    sentences: tuple[tuple[int, int], ...]
    links: tuple[str, ...]
    sentence_roles: tuple[SentenceRole, ...] = ()
    sentence_origins: tuple[tuple[int, int], ...] = ()
    figure_gaps: tuple[int, ...] = ()
    sentence_sections: tuple[str, ...] = ()

    def sentence(self, index: int) -> str:
        """The text of sentence `index`."""
        start, end = self.sentences[index]
        return self.text[start:end]

    def section_at(self, offset: int) -> str:
        """The section of the sentence at `offset` in `text`.

        Before the first sentence, or for a chunk without per-sentence sections: `section`.
        """
        index = bisect.bisect_right([a for a, _ in self.sentences], offset) - 1
        return self.sentence_section(index)

    def sentence_section(self, index: int) -> str:
        """The section of sentence `index`; `section` for -1, or without per-sentence sections."""
        if 0 <= index < len(self.sentence_sections):
            return self.sentence_sections[index]
        return self.section

    @property
    def word_count(self) -> int:
        """Number of whitespace-separated words."""
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    end: int
    opens_block: bool
    section: str
    kind: ChunkKind
    # Where the text that leads this unit in begins: the run-in title right before it
    # (`indexer.cleaning.BlockKind`), or the number that opens a footnote. A chunk that opens
    # with this unit opens with it, so its words stay in the passage (BM25, its vector, the
    # source view) though in no sentence.
    lead_start: int | None = None

    @property
    def opening(self) -> int:
        """Where a chunk that opens with this unit begins: at what leads it in, if anything."""
        return self.start if self.lead_start is None else self.lead_start


def chunk_document(
    document: Document, cleaned: CleanText, options: ChunkingOptions | None = None
) -> list[Chunk]:
    """Cut a cleaned document into chunks, in document order."""
    options = options or ChunkingOptions()
    groups = _group_units(cleaned.text, _units(cleaned, options), options)
    lost = lost_figures(document.text, cleaned)
    chunks: list[Chunk] = []
    seen_ids: set[str] = set()
    for units in groups:
        chunk = _make_chunk(document, cleaned, units, len(chunks), seen_ids, lost)
        if chunk is not None:
            chunks.append(chunk)
    return _with_roles(chunks, person_names(cleaned.text))


def _with_roles(chunks: list[Chunk], names: frozenset[str]) -> list[Chunk]:
    """The chunks with the role of every sentence, near-duplicates within the document marked."""
    texts = [[c.sentence(i) for i in range(len(c.sentences))] for c in chunks]
    roles = mark_duplicates(
        texts,
        [
            sentence_roles(t, footnotes=c.kind == "footnote", names=names)
            for c, t in zip(chunks, texts, strict=True)
        ],
    )
    return [dataclasses.replace(c, sentence_roles=r) for c, r in zip(chunks, roles, strict=True)]


def _units(cleaned: CleanText, options: ChunkingOptions) -> list[_Unit]:
    """Sentences (or word windows of over-long sentences) with their section.

    A run-in title is no sentence: the first unit of its paragraph carries where it begins
    (`_Unit.lead_start`; after two titles in a row, the first). A title with no paragraph
    of its own (a heading or the end comes next), or too long to share a chunk with it, is
    text like any other: a unit.
    """
    headings: list[tuple[int, str]] = []
    units: list[_Unit] = []
    titles: list[Block] = []  # run-in titles waiting for their paragraph
    notes = footnote_numbers(cleaned)

    def section() -> str:
        return SECTION_SEPARATOR.join(t for _, t in headings)

    def flush_titles() -> None:
        for title in titles:
            text = cleaned.text[title.start : title.end]
            units.extend(_block_units(title, text, section(), "body", options.max_words, notes))
        titles.clear()

    for block in cleaned.blocks:
        text = cleaned.text[block.start : block.end]
        if block.kind == "title":
            titles.append(block)
            continue
        if block.kind == "heading":
            flush_titles()
            headings = [(lvl, t) for lvl, t in headings if lvl < block.level]
            number = section_number(text)
            if number:  # "9.1.1" belongs under "9." and "9.1.", never under "5."
                headings = [(lvl, t) for lvl, t in headings if _within(t, number)]
            headings.append((block.level, text.lstrip(". ")))  # ". Titel": digits lost
            continue
        kind: ChunkKind = "footnote" if block.kind == "footnote" else "body"
        where = FOOTNOTE_SECTION if kind == "footnote" else section()
        # The titles open the passage their paragraph opens: their words count towards its size.
        title_words = len(cleaned.text[titles[0].start : block.start].split()) if titles else 0
        if kind == "footnote" or title_words >= options.max_words:
            flush_titles()
            title_words = 0
        block_units = _block_units(
            block, text, where, kind, options.max_words, notes, reserved=title_words
        )
        if titles and block_units:
            block_units[0] = dataclasses.replace(block_units[0], lead_start=titles[0].start)
            titles.clear()
        units.extend(block_units)
    flush_titles()
    return units


def footnote_numbers(cleaned: CleanText) -> frozenset[str]:
    """The numbers the document's footnotes open with ("3 Kamerbrief …": "3")."""
    return frozenset(
        words[0]
        for b in cleaned.blocks
        if b.kind == "footnote"
        and (words := cleaned.text[b.start : b.end].split())
        and words[0].isdigit()
    )


def _within(heading: str, number: tuple[str, ...]) -> bool:
    """Whether `heading` may enclose a section numbered `number`: unnumbered, or a prefix."""
    own = section_number(heading)
    return not own or (len(own) < len(number) and own == number[: len(own)])


def _block_units(
    block: Block,
    text: str,
    section: str,
    kind: ChunkKind,
    max_words: int,
    notes: frozenset[str],
    *,
    reserved: int = 0,
) -> list[_Unit]:
    """The block's sentences as units; the first has `reserved` fewer words to fill a chunk.

    `notes` are the numbers of the document's footnotes (`footnote_numbers`). A footnote's
    number opens no sentence of it ("7 In Nederland worden …" is the sentence "In Nederland
    worden …", led in by the number): a footnote that explains may be quoted.
    """
    units: list[_Unit] = []
    number = _NOTE_NUMBER.match(text) if kind == "footnote" else None
    lead = 0  # words before the first sentence: the footnote's number
    for s_start, s_end in split_sentences(text, notes):
        if number is not None and s_start == 0 and number.end() < s_end:
            s_start, lead = number.end(), 1
        room = max(1, max_words - (0 if units else reserved + lead))
        for start, end in _windows(text, s_start, s_end, room):
            units.append(
                _Unit(
                    start=block.start + start,
                    end=block.start + end,
                    opens_block=not units,
                    section=section,
                    kind=kind,
                    lead_start=block.start if lead and not units else None,
                )
            )
    return units


def _windows(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    """The sentence itself, or word windows of it when it is longer than a whole chunk."""
    words = list(re.finditer(r"\S+", text[start:end]))
    if len(words) <= max_words:
        return [(start, end)]
    return [
        (start + words[i].start(), start + words[min(i + max_words, len(words)) - 1].end())
        for i in range(0, len(words), max_words)
    ]


def _group_units(text: str, units: list[_Unit], options: ChunkingOptions) -> list[list[_Unit]]:
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    words = 0  # words of the text the current group spans, headings within it included
    for unit in units:
        grown = len(text[(current[0] if current else unit).opening : unit.end].split())
        section_changes = bool(current) and (
            unit.section != current[-1].section or unit.kind != current[-1].kind
        )
        if current and (
            (section_changes and (words >= options.min_words or unit.kind != current[-1].kind))
            or (unit.opens_block and words >= options.target_words)
            or grown > options.max_words
        ):
            groups.append(current)
            current, grown = [], len(text[unit.opening : unit.end].split())
        current.append(unit)
        words = grown
    if current:
        groups.append(current)
    return groups


def _make_chunk(
    document: Document,
    cleaned: CleanText,
    units: list[_Unit],
    ordinal: int,
    seen_ids: set[str],
    lost: Sequence[int] = (),
) -> Chunk | None:
    start, end = units[0].opening, units[-1].end
    text = cleaned.text[start:end]
    if not text.strip():
        return None
    char_start, char_end = cleaned.original_span(start, end)
    chunk_id = _chunk_id(document.doc_id, text, seen_ids)
    links = tuple(dict.fromkeys(link.url for link in cleaned.links if start <= link.position < end))
    return Chunk(
        chunk_id=chunk_id,
        doc_id=document.doc_id,
        title=document.meta.title,
        ordinal=ordinal,
        kind=units[0].kind,
        section=units[0].section,
        text=text,
        clean_start=start,
        clean_end=end,
        char_start=char_start,
        char_end=char_end,
        page=document.page_at(char_start),
        page_end=document.page_at(max(char_end - 1, char_start)),
        sentences=tuple(_sentence_spans(units, start)),
        links=links,
        sentence_origins=tuple(cleaned.original_span(u.start, u.end) for u in units),
        figure_gaps=gaps_within(lost, start, end),
        sentence_sections=tuple(u.section for u in units),
    )


def _sentence_spans(units: list[_Unit], offset: int) -> list[tuple[int, int]]:
    return [(u.start - offset, u.end - offset) for u in units]


def _chunk_id(doc_id: str, text: str, seen: set[str]) -> str:
    """A content hash, so an unchanged document keeps its chunk ids across rebuilds."""
    digest = hashlib.sha256(f"{doc_id}\x00{' '.join(text.split())}".encode()).hexdigest()
    chunk_id = f"{doc_id}:{digest[:12]}"
    n = 1
    while chunk_id in seen:  # identical passages in one document: number the later ones
        n += 1
        chunk_id = f"{doc_id}:{digest[:12]}-{n}"
    seen.add(chunk_id)
    return chunk_id
