"""What a line of extracted text opens: a section heading, a run-in title or a list item.

Policy documents mark their structure with layout the extraction flattens: a numbered line
("9.1. Toerusten school en personeel …"), a line in capitals, a short line standing alone, a
short line right above its paragraph with no blank line between (a run-in title, "Hordes in de
schoolloopbaan" / "Kinderen uit beide …"), an appendix's heading ("Bijlage 2 De Moederschool"),
a bullet. `line_kind` reads one line with the lines around it; the document-wide readings go
first: lines numbered one after the other are a list, not chapters (`numbered_runs`), headings
broken over lines (`broken_headings`), the chapters that numbered sections name
(`chapter_numbers`), run-in titles broken over lines (`title_tail`) and the words a document
writes as names (`name_words`). `indexer.cleaning` groups the lines into blocks with these.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Literal

from indexer.lines import OPEN_ENDINGS, SUSPENDED_COMPOUND_NEXT, TERMINAL, Line, ends

# The kinds of block a line can open by its own look; the others (a paragraph, a footnote)
# are `indexer.cleaning`'s to tell.
LineKind = Literal["heading", "title", "item"]

_BULLET = re.compile(r"^\s*(?:[•▪●◦○■□➢►\uf0b7\uf0a7\-–*]|o(?=\s))\s+\S")
NUMBERED = re.compile(r"^\s*(?:\d{1,2}|[a-zA-Z])[.)]\s+\S")
# "3. Organiseren van …": a line numbered with one number, as a list item or a chapter is.
_LIST_NUMBER = re.compile(r"^\s*(\d{1,2})\.\s+\S")
# "2.1 Titel", and ". Titel" / ". . Titel" where extraction lost the digits of the number.
_SECTION_NUMBER = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){0,3}|\.(?:\s?\.){0,3})\.?\s+(?=[A-Z])")
# A section numbered under a chapter: "3.1.1 Fase voorbereiden", "2.1 Inhoudelijke …".
_SUBSECTION = re.compile(r"^\s*(\d{1,2})\.\d{1,2}(?:\.\d{1,2}){0,2}\.?\s+[A-Z]")
# An appendix's heading: "Bijlage 2 De Moederschool", "Bijlage 6: De specialist; een
# beschrijving". It heads what follows even with no break after it ("Bijlage 1 Het kind in de
# startklas" / "Doel:"), a level below the appendices' chapter ("7. Bijlagen", "Bijlages"),
# which is a chapter however it is written. Not a sentence about appendices ("Bijlage 3 bevat
# …", "Bijlage 1 en 2 laten zien …", "Bijlage 2: zie …"), nor a line of a list of them or of a
# table of contents ("Bijlage 1 Tijdpad 39").
_APPENDIX = re.compile(r"^(?:Bijlage|BIJLAGE)\s+\d{1,2}[:.]?\s+(\S+)")
_APPENDIX_LEVEL = 2
# fmt: off
_NOT_AN_APPENDIX_TITLE = frozenset((
    "en", "of", "t/m", "tot", "zie", "bevat", "bevatten", "geeft", "geven", "toont", "tonen",
    "laat", "laten", "beschrijft", "is", "staat", "staan",
))
# fmt: on
_APPENDICES = re.compile(r"^(?:\d{1,2}\.?\s+)?(?:Bijlagen|Bijlages|BIJLAGEN|BIJLAGES)$")
# A sentence's end within a line, after a word in lower case.
_SENTENCE_WITHIN = re.compile(r"[a-zà-ÿ][.!?]\s")
_EDGE_PUNCTUATION = ".,;:!?()[]“”‘’'\"…"
# A line ending in these goes on: no heading or title ends so.
_OPEN_PUNCTUATION = (",", "-", "–")
# The most words a run-in title may have (`_runs_in`); a heading on a line of its own, 8.
_RUN_IN_TITLE_WORDS = 16
# The most characters of a run-in title on one line (a line of body text is longer), and of
# one broken over lines (`title_tail`), whose first line the column's width broke.
_TITLE_CHARS = 90
_BROKEN_TITLE_CHARS = 110
# A run-in title broken over lines (`title_tail`): the most words of each line after its
# first ("Het duurt soms even voor de combinatie van onderwijs en zorg geboden kan" /
# "worden"), and the most such lines (a narrow column's "Thema’s voor" / "de gezamenlijke" /
# "ontwikkelagenda" / …).
_TITLE_TAIL_WORDS = 4
_TITLE_TAIL_LINES = 6
# The most words a lost-digit section heading broken over lines may have (`broken_headings`).
_BROKEN_HEADING_WORDS = 20
# The most words the second line of a section heading broken over two lines may have.
_HEADING_TAIL_WORDS = 3
# "Tijdpad: 2023", "Actienemer: OCW": a field of a table or a form, one word and its value;
# not "Bijlage: Tijdpad en mijlpalen" or "Casus: Kiki", words that open a title.
_FIELD = re.compile(
    r"^(?!(?:Bijlage|Casus|Hoofdstuk|Paragraaf|Deel|Stap|Thema|Voorbeeld):)[A-Z][\w()/-]*:\s+\S"
)


def line_kind(
    line: Line,
    next_line: Line | None,
    next_content: Line | None,
    *,
    in_list: bool = False,
    opens_block: bool = False,
    names: frozenset[str] = frozenset(),
) -> tuple[LineKind | None, int]:
    """The kind of block a line starts, or None for a continuation line.

    `next_line` is None when a break follows; `next_content` is the next line with text;
    `in_list` says the line is one of a run of numbered lines (`numbered_runs`);
    `opens_block` that the line before it ended a sentence or a block, or a break came;
    `names` the words the document writes as names (`name_words`).
    """
    if in_list:
        return "item", 0
    stripped = line.text.strip()
    if opens_block and _appendix(stripped, next_content):
        return "heading", _APPENDIX_LEVEL
    level = heading_level(stripped, next_line, next_content)
    if level:
        return "heading", level
    if opens_block and next_line is not None and _runs_in(stripped, next_line, names):
        return "title", 0
    if _BULLET.match(line.text) or NUMBERED.match(line.text):
        return "item", 0
    return None, 0


def _appendix(stripped: str, next_content: Line | None) -> bool:
    """Whether a line that opens a block is an appendix's heading (`_APPENDIX`)."""
    found = _APPENDIX.match(stripped)
    words = stripped.split()
    return (
        found is not None
        and len(words) <= 8
        and found.group(1).lower() not in _NOT_AN_APPENDIX_TITLE
        and not words[-1].isdigit()  # a page number: a line of a table of contents
        and not TERMINAL.search(stripped)
        and not _goes_on(stripped, next_content)
        and _titles(words)
        and (next_content is None or not _APPENDIX.match(next_content.text.strip()))
    )


def _goes_on(stripped: str, next_content: Line | None) -> bool:
    """Whether a line's sentence goes on: after a comma or hyphen, or on a line in lower case."""
    return stripped.endswith(_OPEN_PUNCTUATION) or (
        next_content is not None and next_content.text.strip()[:1].islower()
    )


def heading_level(stripped: str, next_line: Line | None, next_content: Line | None) -> int:
    """The level of the section heading a stripped line is (1 for a chapter), or 0 for none.

    A short line that ends no sentence and is not continued in lower case: in capitals or the
    appendices' chapter ("Bijlages", 1), numbered (the number's depth: "9.1." 2, "3.1.1" 3), or
    standing alone (`next_line` None: a break follows) with a few words that title what follows
    (3). An appendix's own heading is `line_kind`'s to tell: it needs the line to open a block.
    """
    words = stripped.split()
    if not words or len(stripped) > 90 or len(words) > 12:
        return 0
    numbered = _SECTION_NUMBER.match(stripped)
    # A numbered heading standing alone may ask ("3. Hoe is de gewenste situatie te
    # bereiken?", ". En wat betekent het nou voor ouders en kinderen?").
    asks = stripped.endswith("?") and numbered is not None and next_line is None
    if TERMINAL.search(stripped) and not asks:
        return 0
    if _goes_on(stripped, next_content):
        return 0  # the sentence continues (on the next line, or after a page break)
    if all_capitals(stripped) or _APPENDICES.match(stripped):
        return 1
    if numbered:
        return _number_level(numbered.group(1))
    if stripped[0].isupper() and len(words) <= 8 and next_line is None and _titles(words):
        return 3
    return 0


def all_capitals(text: str) -> bool:
    """Whether a line is written in capitals ("C. INTEGRAAL ARRANGEREN …"): 4 letters or more."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _number_level(number: str) -> int:
    """The heading level of a section number: "9.1" 2, "9" 1; ". ." 2 where digits were lost."""
    return number.count(".") + (0 if number.startswith(".") else 1)


def _runs_in(
    stripped: str, next_line: Line, names: frozenset[str], *, max_chars: int = _TITLE_CHARS
) -> bool:
    """Whether a line is a run-in title: its text right under it, no blank line between.

    "Hordes in de schoolloopbaan" / "Kinderen uit beide doelgroepen …": a short line (up to
    16 words and `max_chars` characters: the report's are often sentences without a full
    stop, "Het is niet vanzelfsprekend dat kinderen een vorm van onderwijs kunnen volgen")
    that opens a block and would title what follows, and a next line that opens a sentence,
    or a field ("Het kind in de startklas" / "Doel:"), with a word that is no name
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
    if len(following) > 1 and following[1][:1].isupper() and first.lower() not in OPEN_ENDINGS:
        return False  # "Inclusiever Onderwijs voor gemeenten": a name goes on
    return (
        len(stripped) <= max_chars
        and not ends(stripped)
        and not _SENTENCE_WITHIN.search(stripped)
        and not stripped.endswith(_OPEN_PUNCTUATION)
        and _titles(words)
    )


def title_tail(lines: Sequence[Line | None], index: int, names: frozenset[str]) -> int:
    """How many lines after line `index` go on a run-in title it opens; 0 for none.

    "Het duurt soms even voor de combinatie van onderwijs en zorg geboden kan" / "worden" /
    "Ook als er een passende mogelijkheid …": the report's titles are often sentences without
    a full stop, and the column breaks them; a narrow column breaks one over several lines
    ("Thema’s voor" / "de gezamenlijke" / "ontwikkelagenda" / … / "Sinds 2016 dient …"). Each
    line after the first is short (`_TITLE_TAIL_WORDS`) and goes on in lower case; no line
    ends a sentence, nor in its footnote's number ("… gehouden.34"); the title's text follows
    right under the last, as under a run-in title on one line (`_runs_in`), and the lines
    together make one. A list's item is no title: it is an item already (`line_kind`).
    """
    head = lines[index]
    if head is None:
        return 0
    title = head.text.strip()
    for count in range(1, _TITLE_TAIL_LINES + 1):
        if index + count + 1 >= len(lines) or ends(title) or title.endswith(_OPEN_PUNCTUATION):
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
    if words[-1].lower() in OPEN_ENDINGS:
        return False
    # A header row repeats its columns' label: "Werkgroep Werkgroep taal", "Gemiddeld Range
    # Gemiddeld Range", "Fase 1 Fase 2 Fase 3 Fase 4"; an article may repeat in a title.
    repeats = words[1:2] == words[:1] or words[len(words) // 2] == words[0]
    return not (len(words) >= 3 and repeats and words[0].lower() not in OPEN_ENDINGS)


def section_number(heading: str) -> tuple[str, ...]:
    """The parts of the number a section heading opens with ("9.1.1. …": "9", "1", "1").

    Empty without a number, or where the extraction lost its digits (". Aanleiding").
    """
    match = _SECTION_NUMBER.match(heading)
    return tuple(match.group(1).split(".")) if match and match.group(1)[0].isdigit() else ()


def numbered_runs(lines: list[Line | None], content: Sequence[int]) -> set[int]:
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


def chapter_numbers(lines: Sequence[Line | None], content: Sequence[int]) -> frozenset[str]:
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


def broken_headings(
    lines: list[Line | None], content: Sequence[int]
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
            and not TERMINAL.search(rest.text)
        ):
            level = heading_level(f"{first.text.strip()} {' '.join(words)}", None, None)
            if level:
                broken[head] = ((following[0],), level)
                continue
        if _stands_alone(lines, head, before=True):
            found = _standing_heading(lines, head, following)
            if found is not None:
                broken[head] = found
    return broken


def _stands_alone(lines: list[Line | None], index: int, *, before: bool) -> bool:
    """Whether line `index` opens (`before`) or closes a block of its own.

    Before it: a break, the text's start or a finished sentence; after it: a break or the
    text's end.
    """
    neighbour = index - 1 if before else index + 1
    if not 0 <= neighbour < len(lines):
        return True
    line = lines[neighbour]
    return line is None or (before and bool(TERMINAL.search(line.text.rstrip())))


def _standing_heading(
    lines: list[Line | None], head: int, following: Sequence[int]
) -> tuple[tuple[int, ...], int] | None:
    """A section heading over lines `head` and `following` (`broken_headings`).

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
        bodies = [t[:-1] if asks and i == len(texts) - 1 else t for i, t in enumerate(texts)]
        if not all(t[:1].islower() and not TERMINAL.search(t) for t in bodies):
            return None
        if not _stands_alone(lines, tails[-1], before=False):
            continue
        if number is not None and (lost_digits or asks):
            joined = " ".join([start, *texts]).split()
            if len(joined) <= _BROKEN_HEADING_WORDS and not TERMINAL.search(start):
                return tails, _number_level(number.group(1))
        elif (
            start.endswith("-")
            and start[:1].isupper()
            and texts[0].split()[0] not in SUSPENDED_COMPOUND_NEXT  # "wet-" / "en regels"
        ):
            level = heading_level(f"{start[:-1]}{texts[0]}", None, None)
            return (tails, level) if level else None
    return None


def name_words(lines: Sequence[Line]) -> frozenset[str]:
    """Words the text capitalises within a sentence and never writes in lower case."""
    lower: set[str] = set()
    capitalised: set[str] = set()
    for line in lines:
        words = line.text.split()
        for before, word in zip([".", *words], words, strict=False):
            if word[:1].islower():
                lower.add(word.strip(_EDGE_PUNCTUATION).lower())
            elif word[:1].isupper() and before[:1].islower() and not TERMINAL.search(before):
                capitalised.add(word.strip(_EDGE_PUNCTUATION))
    return frozenset(w for w in capitalised if w.lower() not in lower)
