"""Repairing PDF-extraction defects while keeping a character map back to the original text.

The extracted text of a policy document carries page furniture (page numbers, running headers
and footers), URL-only lines, words hyphenated over line breaks, and lines repeated after
footnotes and page breaks. `clean` turns it into a sequence of structural blocks (headings,
paragraphs, list items, footnotes) with one space between words, and records for every
character of the result the offset of the character it came from, so that a span of cleaned
text maps back to the original.

Footnotes are moved after the body: a sentence that a footnote interrupted at a page break
is joined again, and footnotes become passages of their own. Which lines head a section, title
a paragraph or open a list item is `indexer.headings`'s to read; here the lines are grouped
into blocks with it.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Literal

from indexer.headings import (
    NUMBERED,
    all_capitals,
    broken_headings,
    chapter_numbers,
    heading_level,
    line_kind,
    name_words,
    numbered_runs,
    section_number,
    title_tail,
)
from indexer.lines import OPEN_ENDINGS, SUSPENDED_COMPOUND_NEXT, TERMINAL, Line, ends, split_lines

# A "title" is a run-in title: a short line that titles the paragraph right under it, with no
# blank line between ("Hordes in de schoolloopbaan" / "Kinderen uit beide …"). It is kept out
# of the paragraph's first sentence but heads no section: as sections, the documents' many
# run-in titles cut passages short (parents' MRR@10 on dev 0.716 → 0.674).
BlockKind = Literal["heading", "title", "paragraph", "item", "footnote"]
# Blocks that title what follows; a line after one starts a block of its own.
_TITLE_KINDS: frozenset[BlockKind] = frozenset({"heading", "title"})

_URL_LINE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:pagina\s+)?\d{1,3}(?:\s*(?:/|van)\s*\d{1,3})?\s*$", re.IGNORECASE
)
_PUNCT_ONLY = re.compile(r"^[\s\W\d_]*$")
# The lookbehinds try each run of leaders once: without them a long run is quadratic.
_TOC_LINE = re.compile(r"(?<!\.)\.{4,}\s*\d*\s*$|(?<!…)…{2,}\s*\d*\s*$")
# "12 Kamerbrief ..." at a break or after a finished sentence: a footnote. Section numbers
# in these documents carry a dot ("1. Aanleiding", "1.1 Inleiding"), footnote numbers do not.
# A note may also open with its source's address in lower case ("10 https://www.slo.nl/…",
# "48 www.rijksoverheid.nl", "2 wetten.nl - Regeling …", "9 statement-….htm (fontys.nl)"),
# unlike a figure that a break cut off its sentence ("1.878 uur per jaar").
_FOOTNOTE = re.compile(
    r"^\s*\d{1,3}\s+"
    r"(?:[A-Z(‘“'\"]|https?://|www\.|[\w.-]+\.(?:nl|be|eu|com|org|net|int|info|html?|pdf)\b)"
)
# A line opening with exactly one space: the first line of a page's text after its notes.
_PAGE_TOP = re.compile(r"^ \S")
# A line ending in (a piece of) an address: "…/speciaal-onderwijs/het-speciaal-onderwijs-groeit"
# (a path of two slashes or more, or "//"; not "en/of").
_URL_TAIL = re.compile(r"(?:^|\s)\S*(?://|/[^/\s]*/)\S*\s*$")
# A quote's speaker after its closing quote mark ("… termen van onderwijs” - samenwerkingsverband",
# "… in.” / – beleidsmedewerker gemeente"): a dash and one to four words in lower case. It ends
# the quote's sentence as a full stop would, so a run-in title or a new paragraph may follow.
_SPEAKER = re.compile(r"[-–]\s+([a-z]+(?:\s+[a-z]+){0,3})\s*$")
_CLOSED_QUOTE = re.compile(r"”['’\")]*\s*$")
# A sentence's end at the end of a text, after a word in lower case.
_SENTENCE_END = re.compile(r"[a-zà-ÿ][.!?]\s*$")
# The fewest words a quotation must have for a dash after it to name its speaker (not a term in
# quotation marks: "het zogeheten “thuiszitterspact” – samen met …").
_QUOTE_WORDS = 4
_WORD = re.compile(r"\S+")
# "51 https://…", "12 Zie …": a footnote's number opening a line (not "1.878 uur", which goes
# on a sentence that a break cut).
_NOTE_NUMBER = re.compile(r"\d{1,3}\s")
# Lines shorter than this can repeat legitimately (headings, table cells) and are kept.
_MIN_DUPLICATE_LINE_CHARS = 20
# A running header or footer: one of the first or last `_EDGE_LINES` lines of a page, the same
# (digits aside) on at least `_FURNITURE_SHARE` of the pages, and on three pages or more.
_EDGE_LINES = 2
_FURNITURE_SHARE = 0.4
_MIN_FURNITURE_PAGES = 3
_DIGITS = re.compile(r"\d+")
# A line holding only a letter that a symbol font (Wingdings) draws as a checkbox or a tick:
# "q" is the handreiking's ❑ before each step of its step plan.
_SYMBOL_FONT_GLYPHS = frozenset({"q", "ü"})
# U+FFFD (a glyph the extraction could not map) and private-use glyphs (symbol-font bullets
# such as U+F0B7): dropped from words; a word of them alone that opens a line is a bullet.
_GLYPH = re.compile(r"[\ufffd\ue000-\uf8ff]")
_BULLET_GLYPH = "•"


@dataclass(frozen=True, slots=True)
class Block:
    """A structural unit of cleaned text: `text[start:end]` of its CleanText."""

    kind: BlockKind
    start: int
    end: int
    level: int = 0


@dataclass(frozen=True, slots=True)
class Link:
    """A URL that stood on a line of its own, anchored at a position of the cleaned text."""

    url: str
    position: int


@dataclass(frozen=True, slots=True)
class CleanText:
    """Cleaned text of one document, its blocks, links and the map back to the original.

    `origin[i]` is the offset in the original text of cleaned character i; `origin[len(text)]`
    is the length of the original, so a cleaned span [a, b) maps to `original_span(a, b)`.
    """

    text: str
    origin: tuple[int, ...]
    blocks: tuple[Block, ...]
    links: tuple[Link, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that cleaned span [start, end) was made from."""
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


@dataclass(slots=True)
class _PendingBlock:
    kind: BlockKind
    lines: list[Line]
    level: int = 0


class _Builder:
    """Accumulates cleaned text together with its origin map."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.origin: list[int] = []
        self.length = 0

    def add(self, text: str, origins: list[int]) -> None:
        self.parts.append(text)
        self.origin.extend(origins)
        self.length += len(text)


def clean(text: str) -> CleanText:
    """Clean one document's extracted text; see the module docstring."""
    lines = list(split_lines(text))
    kept, link_lines = _drop_defects(lines)
    pending = _group_blocks(kept)
    body = [b for b in pending if b.kind != "footnote"]
    notes = [b for b in pending if b.kind == "footnote"]
    builder = _Builder()
    blocks: list[Block] = []
    block_first_line: list[int] = []
    for pb in [*body, *notes]:
        if builder.length:
            builder.add("\n", [pb.lines[0].start])
        start = builder.length
        _emit_block(builder, pb.lines)
        blocks.append(Block(kind=pb.kind, start=start, end=builder.length, level=pb.level))
        block_first_line.append(pb.lines[0].start)
    builder.origin.append(len(text))
    links = _anchor_links(link_lines, blocks, block_first_line)
    return CleanText(
        text="".join(builder.parts),
        origin=tuple(builder.origin),
        blocks=tuple(blocks),
        links=links,
    )


def _normalise(line: str) -> str:
    return " ".join(line.split())


def _drop_defects(lines: list[Line]) -> tuple[list[Line | None], list[Line]]:
    """Replace furniture and repeated lines by None (a paragraph break); collect URL lines."""
    seen: set[str] = set()
    kept: list[Line | None] = []
    links: list[Line] = []
    furniture = _page_furniture(lines)
    for index, line in enumerate(lines):
        norm = _normalise(line.text)
        if line.page_break_before:
            kept.append(None)
        if index in furniture or not norm or _PAGE_NUMBER.match(norm) or _TOC_LINE.search(norm):
            kept.append(None)
        elif _URL_LINE.match(norm):
            links.append(line)
            kept.append(None)
        elif _PUNCT_ONLY.match(norm) or norm in _SYMBOL_FONT_GLYPHS:
            kept.append(None)
        elif len(norm) >= _MIN_DUPLICATE_LINE_CHARS and norm in seen:
            # A fragment repeated after a footnote or page break: drop it. The None keeps
            # the text around it from being glued into one paragraph.
            kept.append(None)
        else:
            seen.add(norm)
            kept.append(line)
    return kept, links


def _page_furniture(lines: list[Line]) -> set[int]:
    """Indices of the running headers and footers among `lines` (see `_EDGE_LINES`).

    Lines are compared with their digits masked, so "Pagina 3 van 12" and "Pagina 4 van 12"
    are the same footer. A text without page breaks has none.
    """
    pages: list[list[int]] = [[]]
    for index, line in enumerate(lines):
        if line.page_break_before:
            pages.append([])
        if line.text.strip():
            pages[-1].append(index)
    if len(pages) < _MIN_FURNITURE_PAGES:
        return set()
    at_edges: defaultdict[str, list[int]] = defaultdict(list)
    pages_with: Counter[str] = Counter()
    for page in pages:
        keys: set[str] = set()
        for index in {*page[:_EDGE_LINES], *page[-_EDGE_LINES:]}:
            key = _DIGITS.sub("#", _normalise(lines[index].text).lower())
            at_edges[key].append(index)
            keys.add(key)
        pages_with.update(keys)
    needed = max(_MIN_FURNITURE_PAGES, math.ceil(_FURNITURE_SHARE * len(pages)))
    return {i for key, found in at_edges.items() if pages_with[key] >= needed for i in found}


def _opens_chapter(line: Line, chapters: frozenset[str], blocks: list[_PendingBlock]) -> bool:
    """Whether a heading numbered like a footnote ("4 Geldbeheersing") opens a chapter.

    Sections numbered under it follow (`chapter_numbers`), or the chapter before it was a
    heading: "3 Tijdsbeheersing" (with its "3.1.1 …") makes "4 Geldbeheersing" the next one.
    """
    number = line.text.split()[0]
    if number in chapters:
        return True
    before = str(int(number) - 1)
    return any(
        b.kind == "heading" and section_number(" ".join(x.text for x in b.lines)) == (before,)
        for b in blocks
    )


def _group_blocks(lines: list[Line | None]) -> list[_PendingBlock]:
    """Group lines into blocks; a sentence broken by page furniture is joined again."""
    blocks: list[_PendingBlock] = []
    current: _PendingBlock | None = None
    broken = False  # a None (break) was seen since the last line
    next_content: list[Line | None] = [None] * len(lines)
    following: Line | None = None
    for i in range(len(lines) - 1, -1, -1):
        next_content[i] = following
        line = lines[i]
        if line is not None and not _FOOTNOTE.match(line.text):  # footnotes interrupt text
            following = line
    content = [i for i, line in enumerate(lines) if line is not None and line.text.strip()]
    in_list = numbered_runs(lines, content)
    over_lines = broken_headings(lines, content)
    chapters = chapter_numbers(lines, content)
    names = name_words([line for line in lines if line is not None])
    tails = {tail for heading_tails, _ in over_lines.values() for tail in heading_tails}
    title_end = -1  # the last line of a run-in title broken over lines
    for i, line in enumerate(lines):
        if line is None:
            broken = True
            continue
        page_top = not broken and current is not None and _leaves_note(current, line, blocks)
        if page_top:
            broken = True  # the next page's text, right after a page's footnotes
        if i in tails and current is not None and current.kind == "heading":
            current.lines.append(line)  # the rest of a heading broken over two lines
            broken = False
            continue
        if current is not None and not broken and _goes_on_in_capitals(current, line):
            current.lines.append(line)
            continue
        if i <= title_end and current is not None and current.kind == "title":
            current.lines.append(line)  # the rest of a run-in title broken over lines
            broken = False
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        speaker = current is not None and _ends_with_speaker(current, _before(blocks, current))
        ends_sentence = _ends_sentence(current) or speaker
        opens_block = broken or current is None or current.kind in _TITLE_KINDS or ends_sentence
        kind: BlockKind | None
        kind, level = line_kind(
            line, nxt, next_content[i], in_list=i in in_list, opens_block=opens_block, names=names
        )
        if i in over_lines:
            kind, level = "heading", over_lines[i][1]
        elif (
            kind is None
            and opens_block
            and not _goes_on(current, line, blocks, broken=broken, page_top=page_top)
            and (count := title_tail(lines, i, names))
        ):
            kind, title_end = "title", i + count
        if kind == "item" and not broken and _inside_brackets(current, line):
            kind = None  # "(plaatsing" / "– volgen – terugplaatsing).": a dash, not a bullet
        if (
            _FOOTNOTE.match(line.text)
            and (broken or current is None or current.kind == "footnote" or ends_sentence)
            and not (kind == "heading" and _opens_chapter(line, chapters, blocks))
        ):
            kind, level = "footnote", 0
        if current is not None and current.kind == "footnote" and kind is None and not broken:
            current.lines.append(line)
        elif (
            kind is None
            and current is not None
            and current.kind not in _TITLE_KINDS
            and (not broken or _continues(current, line, blocks, page_top=page_top))
            and not (speaker and line.text.strip()[:1].isupper())
        ):
            if broken and current.kind == "footnote":
                current = _last_body_block(blocks)
                assert current is not None
            current.lines.append(line)
        else:
            current = _PendingBlock(kind=kind or "paragraph", lines=[line], level=level)
            blocks.append(current)
        broken = False
    return blocks


def _before(blocks: list[_PendingBlock], block: _PendingBlock) -> _PendingBlock | None:
    """The block before `block` in `blocks` (not always the last but one: a footnote may be)."""
    for index in range(len(blocks) - 1, 0, -1):
        if blocks[index] is block:
            return blocks[index - 1]
    return None


def _ends_sentence(block: _PendingBlock | None) -> bool:
    """Whether a block's last line ends a sentence."""
    return block is not None and bool(TERMINAL.search(block.lines[-1].text.rstrip()))


def _ends_with_speaker(block: _PendingBlock, before: _PendingBlock | None) -> bool:
    """Whether a block ends with a quote's speaker (`_SPEAKER`), `before` the block before it.

    On the quote's own lines, right after its closing mark, the quotation being four words or
    more ("… niet in de huidige termen van onderwijs” - samenwerkingsverband"); or as a dash
    item of its own right after a block that closes a quotation ("… zien het nut van
    samenwerking in.”" / "– beleidsmedewerker gemeente"); or right after a finished sentence, a
    quotation the layout set apart without marks ("… in die gevallen geweigerd worden. –
    samenwerkingsverband"). Never a straight quote mark, which opens as well as closes, nor a
    speaker ending in a word no name ends in ("– samen met").
    """
    tail = " ".join(line.text.strip() for line in block.lines[-2:])
    speaker = _SPEAKER.search(tail)
    if speaker is None or speaker.group(1).split()[-1] in OPEN_ENDINGS:
        return False
    before_dash = tail[: speaker.start()]
    if _CLOSED_QUOTE.search(before_dash):
        text = " ".join(line.text.strip() for line in block.lines)
        quoted = text[: len(text) - len(tail) + len(before_dash.rstrip())]
        opening = quoted.rfind("“")
        return opening < 0 or len(quoted[opening:].split()) >= _QUOTE_WORDS
    if _SENTENCE_END.search(before_dash):
        return True  # a quotation set apart without marks: "… worden. – samenwerkingsverband"
    return (
        block.kind == "item"
        and not before_dash.strip()
        and before is not None
        and bool(_CLOSED_QUOTE.search(before.lines[-1].text))
    )


def _goes_on_in_capitals(current: _PendingBlock, line: Line) -> bool:
    """Whether `line` goes on a one-line heading in capitals, and the two stay a heading.

    "C. INTEGRAAL ARRANGEREN EN FINANCIEREN VAN ONDERWIJS, JEUGDHULP" / "EN ZORG".
    """
    if current.kind != "heading" or len(current.lines) != 1 or _ends_sentence(current):
        return False
    first = current.lines[0].text.strip()
    return (
        all_capitals(first)
        and all_capitals(line.text)
        and not NUMBERED.match(line.text)
        and heading_level(f"{first} {line.text.strip()}", None, None) > 0
    )


def _inside_brackets(current: _PendingBlock | None, line: Line) -> bool:
    """Whether `line` opens with a dash inside a bracket the block left open."""
    if current is None or current.kind in _TITLE_KINDS or line.text.lstrip()[:1] not in "-–":
        return False
    text = " ".join(line.text for line in current.lines)
    return text.count("(") > text.count(")")


def _continues(
    current: _PendingBlock, line: Line, blocks: list[_PendingBlock], *, page_top: bool = False
) -> bool:
    """Whether `line`, after a break, continues an unfinished sentence of the body.

    It opens in lower case or with a figure ("In de gehandicaptenzorg is dat" / "1.878 uur
    per jaar."), or the line before ends in a comma ("… CNV Onderwijs," / "FvOv en AVS, …"), or
    it is the next page's first line after the notes (`page_top`, `_leaves_note`), which goes
    on with a paragraph whatever its first word ("… die de opleiding Master" / "Educational
    Needs verzorgen …"). A sentence that ends in its footnote's number ("… al lopen.20") has
    ended.
    """
    body = current if current.kind != "footnote" else _last_body_block(blocks)
    if body is None or body.kind in _TITLE_KINDS:
        return False
    last = body.lines[-1].text.rstrip()
    if ends(last):
        return False
    first = line.text.strip()
    figure = first[:1] in "0123456789" and not _NOTE_NUMBER.match(first)
    # After the notes, a paragraph goes on whatever the word, unless it ends in an address (a
    # note that lost its number): an item or a table's cell does not.
    after_notes = page_top and body.kind == "paragraph" and not _URL_TAIL.search(last)
    return first[:1].islower() or figure or after_notes or last.endswith(",")


def _goes_on(
    current: _PendingBlock | None,
    line: Line,
    blocks: list[_PendingBlock],
    *,
    broken: bool,
    page_top: bool,
) -> bool:
    """Whether `line` goes on the footnote right above it, or a sentence that a break cut."""
    if current is None:
        return False
    if current.kind == "footnote":
        return not broken
    return broken and _continues(current, line, blocks, page_top=page_top)


def _leaves_note(current: _PendingBlock, line: Line, blocks: list[_PendingBlock]) -> bool:
    """Whether `line` is the next page's text, right after a footnote or a source's address.

    The extraction puts one space before the first line of a page's text when the page before
    ended in footnotes, with no empty line between: " De gemeente is op grond van de Jeugdwet
    …" after "12 https://www.rijksoverheid.nl/…," / "laatst geraadpleegd: juli", " Deelnemers
    van het onderzoek …" after a note that lost its number and ends in its address
    ("…/speciaal-onderwijs/het-speciaal-onderwijs-groeit"). In this corpus a note's own lines
    never open so; one in lower case that does not go on with the text stays with its note.
    """
    if not _PAGE_TOP.match(line.text):
        return False
    if current.kind == "footnote":
        return not line.text.strip()[:1].islower() or _continues(
            current, line, blocks, page_top=True
        )
    tail = current.lines[-1].text.split()
    return (
        len(tail) == 1
        and bool(_URL_TAIL.search(tail[0]))
        and any(_URL.search(x.text) for x in current.lines[-2:])
    )


def _last_body_block(blocks: list[_PendingBlock]) -> _PendingBlock | None:
    return next((b for b in reversed(blocks) if b.kind != "footnote"), None)


def _emit_block(builder: _Builder, lines: list[Line]) -> None:
    """Append a block's lines: words joined by one space, hyphenated words repaired."""
    pending_space: int | None = None
    for index, line in enumerate(lines):
        words = list(_WORD.finditer(line.text))
        for w_index, match in enumerate(words):
            word, start = match.group(), line.start + match.start()
            origins = list(range(start, start + len(word)))
            if _GLYPH.search(word):
                word, origins = _without_glyphs(word, start, opens_line=w_index == 0)
                if not word:
                    continue
            if pending_space is not None:
                builder.add(" ", [pending_space])
            is_last_word = w_index == len(words) - 1
            nxt = _next_word(lines, index) if is_last_word else None
            if is_last_word and nxt is not None and _is_line_hyphen(word, nxt):
                # "samenwerkings-" + "verbanden": drop the hyphen and the break.
                builder.add(word[:-1], origins[:-1])
                pending_space = None
                continue
            builder.add(word, origins)
            pending_space = line.start + match.end()


def stands_for(cleaned: str, original: str) -> bool:
    """Whether cleaned character `cleaned` may stand for `original` (what `origin` maps it to).

    Every character is kept as it is, except a glyph that opened a list line: a bullet now.
    """
    return cleaned == original or (cleaned == _BULLET_GLYPH and bool(_GLYPH.match(original)))


def _without_glyphs(word: str, start: int, *, opens_line: bool) -> tuple[str, list[int]]:
    """A word without its unmappable and private-use glyphs, with each kept character's origin.

    A line that opens with such a glyph alone is a list item: the glyph becomes a bullet.
    """
    kept = [(c, start + i) for i, c in enumerate(word) if not _GLYPH.match(c)]
    if not kept:
        return (_BULLET_GLYPH, [start]) if opens_line else ("", [])
    return "".join(c for c, _ in kept), [o for _, o in kept]


def _next_word(lines: list[Line], index: int) -> str | None:
    for line in lines[index + 1 :]:
        words = line.text.split()
        if words:
            return words[0]
    return None


def _is_line_hyphen(word: str, next_word: str) -> bool:
    if len(word) < 3 or not word.endswith("-") or not word[-2].isalpha():
        return False
    # "wet-" + "en regelgeving" is a suspended compound, "Zuid-" + "Limburg" a real hyphen.
    return next_word[:1].islower() and next_word.lower() not in SUSPENDED_COMPOUND_NEXT


def _anchor_links(
    link_lines: list[Line], blocks: list[Block], block_first_line: list[int]
) -> tuple[Link, ...]:
    """Anchor each URL line to the end of the last block that started before it."""
    links = []
    # Blocks by the offset of their first line (footnotes come last in `blocks`), for bisect.
    by_first = sorted(zip(block_first_line, blocks, strict=True), key=lambda fb: fb[0])
    firsts = [first for first, _ in by_first]
    for line in link_lines:
        url = _URL.search(line.text)
        if url is None:
            continue
        before = bisect.bisect_right(firsts, line.start)
        position = by_first[before - 1][1].end - 1 if before else 0
        links.append(Link(url=url.group().rstrip(".,;)"), position=max(position, 0)))
    return tuple(links)
