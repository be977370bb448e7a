"""Repairing PDF-extraction defects while keeping a character map back to the original text.

The extracted text of a policy document carries page furniture (page numbers, running headers
and footers), URL-only lines, words hyphenated over line breaks, and lines repeated after
footnotes and page breaks. `clean` turns it into a sequence of structural blocks (headings,
paragraphs, list items, footnotes) with one space between words, and records for every
character of the result the offset of the character it came from, so that a span of cleaned
text maps back to the original.

Footnotes are moved after the body: a sentence that a footnote interrupted at a page break
is joined again, and footnotes become passages of their own.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

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
_BULLET = re.compile(r"^\s*(?:[•▪●◦○■□➢►\uf0b7\uf0a7\-–*]|o(?=\s))\s+\S")
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}|[a-zA-Z])[.)]\s+\S")
# "3. Organiseren van …": a line numbered with one number, as a list item or a chapter is.
_LIST_NUMBER = re.compile(r"^\s*(\d{1,2})\.\s+\S")
# "12 Kamerbrief ..." at a break or after a finished sentence: a footnote. Section numbers
# in these documents carry a dot ("1. Aanleiding", "1.1 Inleiding"), footnote numbers do not.
# A note may also open with its source's address in lower case ("10 https://www.slo.nl/…",
# "48 www.rijksoverheid.nl", "2 wetten.nl - Regeling …", "9 statement-….htm (fontys.nl)"),
# unlike a figure that a break cut off its sentence ("1.878 uur per jaar").
_FOOTNOTE = re.compile(
    r"^\s*\d{1,3}\s+"
    r"(?:[A-Z(‘“'\"]|https?://|www\.|[\w.-]+\.(?:nl|be|eu|com|org|net|int|info|html?|pdf)\b)"
)
# "2.1 Titel", and ". Titel" / ". . Titel" where extraction lost the digits of the number.
_SECTION_NUMBER = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){0,3}|\.(?:\s?\.){0,3})\.?\s+(?=[A-Z])")
# A section numbered under a chapter: "3.1.1 Fase voorbereiden", "2.1 Inhoudelijke …".
_SUBSECTION = re.compile(r"^\s*(\d{1,2})\.\d{1,2}(?:\.\d{1,2}){0,2}\.?\s+[A-Z]")
# A line opening with exactly one space: the first line of a page's text after its notes.
_PAGE_TOP = re.compile(r"^ \S")
# A sentence ended by its footnote's number ("… die op deze punten al lopen.20"; not "5.3").
_NOTED_END = re.compile(r"(?<=[a-zà-ÿ])[.!?]['’”\")]*\d{1,3}\s*$")
# A line ending in (a piece of) an address: "…/speciaal-onderwijs/het-speciaal-onderwijs-groeit"
# (a path of two slashes or more, or "//"; not "en/of").
_URL_TAIL = re.compile(r"(?:^|\s)\S*(?://|/[^/\s]*/)\S*\s*$")
_TERMINAL = re.compile(r"[.!?:;]['’”\")]*\s*$")
# A quote's speaker after its closing quote mark ("… termen van onderwijs” - samenwerkingsverband",
# "… in.” / – beleidsmedewerker gemeente"): a dash and one to four words in lower case. It ends
# the quote's sentence as a full stop would, so a run-in title or a new paragraph may follow.
_SPEAKER = re.compile(r"[-–]\s+([a-z]+(?:\s+[a-z]+){0,3})\s*$")
_CLOSED_QUOTE = re.compile(r"”['’\")]*\s*$")
# A sentence's end, after a word in lower case: at the end of a text, and within one.
_SENTENCE_END = re.compile(r"[a-zà-ÿ][.!?]\s*$")
_SENTENCE_WITHIN = re.compile(r"[a-zà-ÿ][.!?]\s")
# The fewest words a quotation must have for a dash after it to name its speaker (not a term in
# quotation marks: "het zogeheten “thuiszitterspact” – samen met …").
_QUOTE_WORDS = 4
_WORD = re.compile(r"\S+")
# "51 https://…", "12 Zie …": a footnote's number opening a line (not "1.878 uur", which goes
# on a sentence that a break cut).
_NOTE_NUMBER = re.compile(r"\d{1,3}\s")
_EDGE_PUNCTUATION = ".,;:!?()[]“”‘’'\"…"
_SUSPENDED_COMPOUND_NEXT = {"en", "of", "tot", "noch", "dan", "als"}
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
# A line ending in these goes on: no heading or title ends so.
_OPEN_PUNCTUATION = (",", "-", "–")
# The most words a run-in title may have (`_runs_in`); a heading on a line of its own, 8.
_RUN_IN_TITLE_WORDS = 16
# The most characters of a run-in title on one line (a line of body text is longer), and of
# one broken over lines (`_title_tail`), whose first line the column's width broke.
_TITLE_CHARS = 90
_BROKEN_TITLE_CHARS = 110
# A run-in title broken over lines (`_title_tail`): the most words of each line after its
# first ("Het duurt soms even voor de combinatie van onderwijs en zorg geboden kan" /
# "worden"), and the most such lines (a narrow column's "Thema’s voor" / "de gezamenlijke" /
# "ontwikkelagenda" / …).
_TITLE_TAIL_WORDS = 4
_TITLE_TAIL_LINES = 6
# The most words a lost-digit section heading broken over lines may have (`_broken_headings`).
_BROKEN_HEADING_WORDS = 20
# The most words the second line of a section heading broken over two lines may have.
_HEADING_TAIL_WORDS = 3
# "Tijdpad: 2023", "Actienemer: OCW": a field of a table or a form, one word and its value;
# not "Bijlage: Tijdpad en mijlpalen" or "Casus: Kiki", words that open a title.
_FIELD = re.compile(
    r"^(?!(?:Bijlage|Casus|Hoofdstuk|Paragraaf|Deel|Stap|Thema|Voorbeeld):)[A-Z][\w()/-]*:\s+\S"
)
# Words a heading does not end with: the line is a fragment of a sentence ("…, de", "… in" /
# "Brunssum …"). A title ending in a verb's particle ("Wat houdt passend onderwijs in") is
# taken for one too: a title left in its paragraph's sentence does less harm than a sentence
# cut in two.
_OPEN_ENDINGS = frozenset(
    {"de", "het", "een", "en", "of", "van", "voor", "met", "aan", "in", "op", "te", "tot", "die"}
)
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


@dataclass(frozen=True, slots=True)
class _Line:
    text: str  # without the line break
    start: int  # offset of text[0] in the original
    page_break_before: bool


@dataclass(slots=True)
class _PendingBlock:
    kind: BlockKind
    lines: list[_Line]
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
    lines = list(_split_lines(text))
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


def _split_lines(text: str) -> Iterator[_Line]:
    offset, page_break = 0, False
    for raw in re.split(r"(\n|\f)", text):
        if raw == "\f":
            page_break = True
        elif raw != "\n":
            yield _Line(text=raw, start=offset, page_break_before=page_break)
            page_break = False
        offset += len(raw)


def _normalise(line: str) -> str:
    return " ".join(line.split())


def _drop_defects(lines: list[_Line]) -> tuple[list[_Line | None], list[_Line]]:
    """Replace furniture and repeated lines by None (a paragraph break); collect URL lines."""
    seen: set[str] = set()
    kept: list[_Line | None] = []
    links: list[_Line] = []
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


def _page_furniture(lines: list[_Line]) -> set[int]:
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


def _line_kind(
    line: _Line,
    next_line: _Line | None,
    next_content: _Line | None,
    *,
    in_list: bool = False,
    opens_block: bool = False,
    names: frozenset[str] = frozenset(),
) -> tuple[BlockKind | None, int]:
    """The kind of block a line starts, or None for a continuation line.

    `next_line` is None when a break follows; `next_content` is the next line with text;
    `in_list` says the line is one of a run of numbered lines (`_numbered_runs`);
    `opens_block` that the line before it ended a sentence or a block, or a break came;
    `names` the words the document writes as names (`_names`).
    """
    if in_list:
        return "item", 0
    stripped = line.text.strip()
    heading_level = _heading_level(stripped, next_line, next_content)
    if heading_level:
        return "heading", heading_level
    if opens_block and next_line is not None and _runs_in(stripped, next_line, names):
        return "title", 0
    if _BULLET.match(line.text) or _NUMBERED.match(line.text):
        return "item", 0
    return None, 0


def _heading_level(stripped: str, next_line: _Line | None, next_content: _Line | None) -> int:
    words = stripped.split()
    if not words or len(stripped) > 90 or len(words) > 12:
        return 0
    numbered = _SECTION_NUMBER.match(stripped)
    # A numbered heading standing alone may ask ("3. Hoe is de gewenste situatie te
    # bereiken?", ". En wat betekent het nou voor ouders en kinderen?").
    asks = stripped.endswith("?") and numbered is not None and next_line is None
    if (_TERMINAL.search(stripped) and not asks) or stripped.endswith(_OPEN_PUNCTUATION):
        return 0
    if next_content is not None and next_content.text.strip()[:1].islower():
        return 0  # the sentence continues on the next line (or after a page break)
    if _all_capitals(stripped):
        return 1
    if numbered:
        return _number_level(numbered.group(1))
    if stripped[0].isupper() and len(words) <= 8 and next_line is None and _titles(words):
        return 3
    return 0


def _all_capitals(text: str) -> bool:
    """Whether a line is written in capitals ("C. INTEGRAAL ARRANGEREN …"): 4 letters or more."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _number_level(number: str) -> int:
    """The heading level of a section number: "9.1" 2, "9" 1; ". ." 2 where digits were lost."""
    return number.count(".") + (0 if number.startswith(".") else 1)


def _runs_in(
    stripped: str, next_line: _Line, names: frozenset[str], *, max_chars: int = _TITLE_CHARS
) -> bool:
    """Whether a line is a run-in title: its text right under it, no blank line between.

    "Hordes in de schoolloopbaan" / "Kinderen uit beide doelgroepen …": a short line (up to
    16 words and `max_chars` characters: the report's are often sentences without a full
    stop, "Het is niet vanzelfsprekend dat kinderen een vorm van onderwijs kunnen volgen")
    that opens a block and would title what follows, and a next line that opens a sentence,
    or a field ("Bijlage 1 Het kind in de startklas" / "Doel:"), with a word that is no name
    (`names`: words the document capitalises within a sentence and never writes in lower
    case). A sentence wrapped before a name ("… in de gemeente" / "Brunssum en Landgraaf …",
    "… tot een Veilig" / "Thuis melding") or an acronym ("… niet alleen" / "OOGO-afspraken
    …") is no title.
    """
    words = stripped.split()
    following = next_line.text.split()
    if not following or not stripped[0].isupper() or len(words) > _RUN_IN_TITLE_WORDS:
        return False
    last, first = words[-1], following[0]
    if len(words) > 1 and last[:1].isupper() and not last.isupper():
        return False  # a name or a term broken over two lines
    if (
        not (first.rstrip(":").isalpha() and first[:1].isupper() and not first.isupper())
        or first in names
    ):
        return False
    if len(following) > 1 and following[1][:1].isupper() and first.lower() not in _OPEN_ENDINGS:
        return False  # "Inclusiever Onderwijs voor gemeenten": a name goes on
    return (
        len(stripped) <= max_chars
        and not _ends(stripped)
        and not _SENTENCE_WITHIN.search(stripped)
        and not stripped.endswith(_OPEN_PUNCTUATION)
        and _titles(words)
    )


def _title_tail(lines: Sequence[_Line | None], index: int, names: frozenset[str]) -> int:
    """How many lines after line `index` go on a run-in title it opens; 0 for none.

    "Het duurt soms even voor de combinatie van onderwijs en zorg geboden kan" / "worden" /
    "Ook als er een passende mogelijkheid …": the report's titles are often sentences without
    a full stop, and the column breaks them; a narrow column breaks one over several lines
    ("Thema’s voor" / "de gezamenlijke" / "ontwikkelagenda" / … / "Sinds 2016 dient …"). Each
    line after the first is short (`_TITLE_TAIL_WORDS`) and goes on in lower case; no line
    ends a sentence, nor in its footnote's number ("… gehouden.34"); the title's text follows
    right under the last, as under a run-in title on one line (`_runs_in`), and the lines
    together make one. A list's item is no title: it is an item already (`_line_kind`).
    """
    head = lines[index]
    if head is None:
        return 0
    title = head.text.strip()
    for count in range(1, _TITLE_TAIL_LINES + 1):
        if index + count + 1 >= len(lines) or _ends(title) or title.endswith(_OPEN_PUNCTUATION):
            return 0
        tail, after = lines[index + count], lines[index + count + 1]
        if tail is None or after is None:
            return 0
        rest = tail.text.strip()
        if not rest[:1].islower() or len(rest.split()) > _TITLE_TAIL_WORDS:
            return 0
        title = f"{title} {rest}"
        if _runs_in(title, after, names, max_chars=_BROKEN_TITLE_CHARS):
            return count
    return 0


def _ends(text: str) -> bool:
    """Whether a line's text ends a sentence, or ends in the number of its footnote."""
    return bool(_TERMINAL.search(text) or _NOTED_END.search(text))


def _titles(words: list[str]) -> bool:
    """Whether a short line standing alone titles what follows, rather than being a table's row.

    Not a title: a field and its value ("Tijdpad: 2023"), a fragment of a sentence (an
    unclosed bracket, or an open ending: "Naar Inclusiever Onderwijs (zie website", "…
    Lerarenopleidingen), de"), a table's header row that names its columns ("Gemiddeld Range
    Gemiddeld Range", "Fase 1 Fase 2 Fase 3").
    """
    line = " ".join(words)
    if _FIELD.match(line) or line.count("(") != line.count(")"):
        return False
    if words[-1].lower() in _OPEN_ENDINGS:
        return False
    # A header row repeats its columns' label: "Werkgroep Werkgroep taal", "Gemiddeld Range
    # Gemiddeld Range", "Fase 1 Fase 2 Fase 3 Fase 4"; an article may repeat in a title.
    repeats = words[1:2] == words[:1] or words[len(words) // 2] == words[0]
    return not (len(words) >= 3 and repeats and words[0].lower() not in _OPEN_ENDINGS)


def section_number(heading: str) -> tuple[str, ...]:
    """The parts of the number a section heading opens with ("9.1.1. …": "9", "1", "1").

    Empty without a number, or where the extraction lost its digits (". Aanleiding").
    """
    match = _SECTION_NUMBER.match(heading)
    return tuple(match.group(1).split(".")) if match and match.group(1)[0].isdigit() else ()


def _numbered_runs(lines: list[_Line | None], content: Sequence[int]) -> set[int]:
    """Indices of lines numbered "1.", "2.", "3." one after the other: a list, not chapters.

    A short numbered line reads as a chapter heading ("4. Richting en koers"), but chapters
    have text between them; lines numbered n and n + 1 with only blank lines between them are
    the items of a list ("Ontwikkellijnen werkagenda: 1. Toerusten … 2. Laagdrempelige hulp …").
    `content` are the indices of the lines with text.
    """
    numbers: dict[int, int] = {}
    for i in content:
        line = lines[i]
        match = _LIST_NUMBER.match(line.text) if line is not None else None
        if match:
            numbers[i] = int(match.group(1))
    runs: set[int] = set()
    for i, after in itertools.pairwise(content):
        if i in numbers and numbers.get(after) == numbers[i] + 1:
            runs.update((i, after))
    return runs


def _chapter_numbers(lines: Sequence[_Line | None], content: Sequence[int]) -> frozenset[str]:
    """The chapter numbers that numbered sections of the document carry ("3" of "3.1.1 …").

    A heading numbered without a dot ("3 Tijdsbeheersing", the Brunssum plan's chapters) reads
    like a footnote ("3 Kamerbrief …"); it is a heading when sections numbered under it follow.
    """
    chapters: set[str] = set()
    for i in content:
        line = lines[i]
        if line is not None and (found := _SUBSECTION.match(line.text)):
            chapters.add(found.group(1))
    return frozenset(chapters)


def _opens_chapter(line: _Line, chapters: frozenset[str], blocks: list[_PendingBlock]) -> bool:
    """Whether a heading numbered like a footnote ("4 Geldbeheersing") opens a chapter.

    Sections numbered under it follow (`_chapter_numbers`), or the chapter before it was a
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


def _broken_headings(
    lines: list[_Line | None], content: Sequence[int]
) -> dict[int, tuple[tuple[int, ...], int]]:
    """Section headings broken over lines: first line → (the lines that go on, heading level).

    "9.1. Toerusten school en personeel t.b.v. onderwijs aan" / "diverse groep": a line with a
    section number of two levels or more, and a next line with text that goes on in lower
    case with at most three words and no end of a sentence, together short enough for a
    heading. A single number ("4. de gemeente …") may be a list item that goes on, so it does
    not count. Two more shapes, each standing alone (a break before and after it):
    - a number whose digits the extraction lost (". Kinderen die normaal tot hoogbegaafd zijn
      en door een" / "beperking slechts een deel van het onderwijsprogramma" / "kunnen
      volgen"), going on over one or two lines in lower case, up to 20 words in all;
    - a title whose last word is broken at a hyphen ("Jeugdhulp/zorg in de ondersteunings-" /
      "structuur van het onderwijs"), that would be a heading joined.
    `content` are the indices of the lines with text.
    """
    broken: dict[int, tuple[tuple[int, ...], int]] = {}
    for position, head in enumerate(content):
        first = lines[head]
        assert first is not None
        following = list(content[position + 1 : position + 3])
        rest = lines[following[0]] if following else None
        if rest is None:
            continue
        words = rest.text.split()
        if (
            len(section_number(first.text.strip())) >= 2
            and rest.text.strip()[:1].islower()
            and len(words) <= _HEADING_TAIL_WORDS
            and not _TERMINAL.search(rest.text)
        ):
            level = _heading_level(f"{first.text.strip()} {' '.join(words)}", None, None)
            if level:
                broken[head] = ((following[0],), level)
                continue
        if _stands_alone(lines, head, before=True):
            found = _standing_heading(lines, head, following)
            if found is not None:
                broken[head] = found
    return broken


def _stands_alone(lines: list[_Line | None], index: int, *, before: bool) -> bool:
    """Whether line `index` opens (`before`) or closes a block of its own.

    Before it: a break, the text's start or a finished sentence; after it: a break or the
    text's end.
    """
    neighbour = index - 1 if before else index + 1
    if not 0 <= neighbour < len(lines):
        return True
    line = lines[neighbour]
    return line is None or (before and bool(_TERMINAL.search(line.text.rstrip())))


def _standing_heading(
    lines: list[_Line | None], head: int, following: Sequence[int]
) -> tuple[tuple[int, ...], int] | None:
    """A section heading over lines `head` and `following` (`_broken_headings`).

    A lost-digit number going on over one or two lines, a numbered heading that asks over two
    ("1. Wat is Samen naar school en voor welke" / "kinderen is het bedoeld?"), or a title
    broken at a hyphen.
    """
    first = lines[head]
    assert first is not None
    start = first.text.strip()
    number = _SECTION_NUMBER.match(start)
    lost_digits = number is not None and number.group(1).startswith(".")
    for count in (1, 2) if lost_digits else (1,):
        tails = tuple(following[:count])
        if len(tails) < count or tails[-1] != head + count:  # the lines follow each other
            return None
        texts = [line.text.strip() for t in tails if (line := lines[t]) is not None]
        asks = number is not None and texts[-1].endswith("?")
        ends = [t[:-1] if asks and i == len(texts) - 1 else t for i, t in enumerate(texts)]
        if not all(t[:1].islower() and not _TERMINAL.search(t) for t in ends):
            return None
        if not _stands_alone(lines, tails[-1], before=False):
            continue
        if number is not None and (lost_digits or asks):
            joined = " ".join([start, *texts]).split()
            if len(joined) <= _BROKEN_HEADING_WORDS and not _TERMINAL.search(start):
                return tails, _number_level(number.group(1))
        elif (
            start.endswith("-")
            and start[:1].isupper()
            and texts[0].split()[0] not in _SUSPENDED_COMPOUND_NEXT  # "wet-" / "en regels"
        ):
            level = _heading_level(f"{start[:-1]}{texts[0]}", None, None)
            return (tails, level) if level else None
    return None


def _names(lines: Sequence[_Line]) -> frozenset[str]:
    """Words the text capitalises within a sentence and never writes in lower case."""
    lower: set[str] = set()
    capitalised: set[str] = set()
    for line in lines:
        words = line.text.split()
        for before, word in zip([".", *words], words, strict=False):
            if word[:1].islower():
                lower.add(word.strip(_EDGE_PUNCTUATION).lower())
            elif word[:1].isupper() and before[:1].islower() and not _TERMINAL.search(before):
                capitalised.add(word.strip(_EDGE_PUNCTUATION))
    return frozenset(w for w in capitalised if w.lower() not in lower)


def _group_blocks(lines: list[_Line | None]) -> list[_PendingBlock]:
    """Group lines into blocks; a sentence broken by page furniture is joined again."""
    blocks: list[_PendingBlock] = []
    current: _PendingBlock | None = None
    broken = False  # a None (break) was seen since the last line
    next_content: list[_Line | None] = [None] * len(lines)
    following: _Line | None = None
    for i in range(len(lines) - 1, -1, -1):
        next_content[i] = following
        line = lines[i]
        if line is not None and not _FOOTNOTE.match(line.text):  # footnotes interrupt text
            following = line
    content = [i for i, line in enumerate(lines) if line is not None and line.text.strip()]
    in_list = _numbered_runs(lines, content)
    broken_headings = _broken_headings(lines, content)
    chapters = _chapter_numbers(lines, content)
    names = _names([line for line in lines if line is not None])
    tails = {tail for heading_tails, _ in broken_headings.values() for tail in heading_tails}
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
        kind, level = _line_kind(
            line, nxt, next_content[i], in_list=i in in_list, opens_block=opens_block, names=names
        )
        if i in broken_headings:
            kind, level = "heading", broken_headings[i][1]
        elif (
            kind is None
            and opens_block
            and not _goes_on(current, line, blocks, broken=broken, page_top=page_top)
            and (count := _title_tail(lines, i, names))
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
    return block is not None and bool(_TERMINAL.search(block.lines[-1].text.rstrip()))


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
    if speaker is None or speaker.group(1).split()[-1] in _OPEN_ENDINGS:
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


def _goes_on_in_capitals(current: _PendingBlock, line: _Line) -> bool:
    """Whether `line` goes on a one-line heading in capitals, and the two stay a heading.

    "C. INTEGRAAL ARRANGEREN EN FINANCIEREN VAN ONDERWIJS, JEUGDHULP" / "EN ZORG".
    """
    if current.kind != "heading" or len(current.lines) != 1 or _ends_sentence(current):
        return False
    first = current.lines[0].text.strip()
    return (
        _all_capitals(first)
        and _all_capitals(line.text)
        and not _NUMBERED.match(line.text)
        and _heading_level(f"{first} {line.text.strip()}", None, None) > 0
    )


def _inside_brackets(current: _PendingBlock | None, line: _Line) -> bool:
    """Whether `line` opens with a dash inside a bracket the block left open."""
    if current is None or current.kind in _TITLE_KINDS or line.text.lstrip()[:1] not in "-–":
        return False
    text = " ".join(line.text for line in current.lines)
    return text.count("(") > text.count(")")


def _continues(
    current: _PendingBlock, line: _Line, blocks: list[_PendingBlock], *, page_top: bool = False
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
    if _ends(last):
        return False
    first = line.text.strip()
    figure = first[:1] in "0123456789" and not _NOTE_NUMBER.match(first)
    # After the notes, a paragraph goes on whatever the word, unless it ends in an address (a
    # note that lost its number): an item or a table's cell does not.
    after_notes = page_top and body.kind == "paragraph" and not _URL_TAIL.search(last)
    return first[:1].islower() or figure or after_notes or last.endswith(",")


def _goes_on(
    current: _PendingBlock | None,
    line: _Line,
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


def _leaves_note(current: _PendingBlock, line: _Line, blocks: list[_PendingBlock]) -> bool:
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


def _emit_block(builder: _Builder, lines: list[_Line]) -> None:
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


def _next_word(lines: list[_Line], index: int) -> str | None:
    for line in lines[index + 1 :]:
        words = line.text.split()
        if words:
            return words[0]
    return None


def _is_line_hyphen(word: str, next_word: str) -> bool:
    if len(word) < 3 or not word.endswith("-") or not word[-2].isalpha():
        return False
    # "wet-" + "en regelgeving" is a suspended compound, "Zuid-" + "Limburg" a real hyphen.
    return next_word[:1].islower() and next_word.lower() not in _SUSPENDED_COMPOUND_NEXT


def _anchor_links(
    link_lines: list[_Line], blocks: list[Block], block_first_line: list[int]
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
