"""Dutch sentence boundaries, computed once at index time and stored with each chunk."""

from __future__ import annotations

import re
from collections.abc import Collection

# Abbreviations that end in a full stop but do not end a sentence.
# fmt: off
_ABBREVIATIONS = frozenset((
    "bv", "bijv", "bv.d.", "d.w.z", "dwz", "e.d", "enz", "etc", "evt", "i.p.v", "ipv",
    "i.s.m", "ism", "incl", "m.b.t", "mbt", "m.n", "mn", "n.a.v", "nav", "o.a", "oa",
    "o.b.v", "obv", "t.a.v", "tav", "t.b.v", "tbv", "t.o.v", "tov", "vgl", "z.g", "zgn",
    "zg", "art", "nr", "jl", "blz", "p", "pag", "ca", "resp", "mr", "dr", "drs", "ing", "ir",
    "prof", "mevr", "dhr", "st", "max", "min", "excl", "afb", "tab", "hfst", "par", "lid",
))
# fmt: on
_LIST_NUMBER = re.compile(r"^(?:\d{1,2}|[a-zA-Z])[.)]$")
# The lookbehind tries each run of end marks once: without it a long run is quadratic.
# A footnote marker glued to a word's full stop ("plaatsvindt.2 Julia"), or to the quote mark
# that closes it ("… van uw gemeente.”50 Per gemeente"), ends the sentence too;
# a number set apart by a space before a capitalised word ("niet naar school hoeven. 3
# Sommige") is `note`: a footnote's marker when the document has a footnote of that number.
_BOUNDARY = re.compile(
    r"(?<![.!?…])[.!?…]+['’”\")\]]*(?:(?<=[a-z][.!?])\d{1,3}|(?<=[a-z][.!?]['’”\")\]])\d{1,3})?"
    r"(?:(?<=[a-z][.!?])[ \t]+(?P<note>\d{1,3})(?=[ \t]+[A-ZÀ-Ý][a-zà-ÿ]))?"
    r"\s+(?=[\"“‘'(\[]?[A-ZÀ-Ý0-9•–\-])"
    r"|\n+"
)


def split_sentences(text: str, notes: Collection[str] = frozenset()) -> list[tuple[int, int]]:
    """Split `text` into sentence spans [start, end), whitespace excluded.

    `notes` are the numbers of the document's footnotes: such a number set apart between two
    sentences ("… hoeven. 3 Sommige …") is a footnote's marker and belongs to neither; any
    other number there opens the next sentence ("… als volgt. 1 Aanmelden …").

    Usage:
        >>> split_sentences("De school beslist. Daarna de ouders.")
        [(0, 18), (19, 36)]
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.group().strip() and _ends_with_abbreviation(text, match.start()):
            continue
        if not match.group().strip():
            end, after = match.end(), match.end()
        else:
            note = match.group("note")
            stop = match.start("note") if note is not None else match.end()
            end = match.start() + len(text[match.start() : stop].rstrip())
            after = match.end() if note is None or note in notes else match.start("note")
        if _LIST_NUMBER.match(text[start:end].strip()):
            continue  # "2." opens a list item: it belongs to the sentence after it
        _append(spans, text, start, end)
        start = after
    _append(spans, text, start, len(text))
    return spans


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    word_start = max(text.rfind(" ", 0, dot), text.rfind("(", 0, dot)) + 1
    word = text[word_start:dot].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _append(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    segment = text[start:end]
    stripped = segment.strip()
    if not stripped:
        return
    lead = len(segment) - len(segment.lstrip())
    spans.append((start + lead, start + lead + len(stripped)))
