"""Dutch sentence boundaries, computed once at index time and stored with each chunk."""

from __future__ import annotations

import re

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
_MARKER_SET_APART = re.compile(r"[ \t]+\d{1,3}$")
_LIST_NUMBER = re.compile(r"^(?:\d{1,2}|[a-zA-Z])[.)]$")
# The lookbehind tries each run of end marks once: without it a long run is quadratic.
# A footnote marker glued to a word's full stop ("plaatsvindt.2 Julia") ends the sentence too;
# one set apart by a space ("niet naar school hoeven. 3 Sommige") belongs to neither sentence.
_BOUNDARY = re.compile(
    r"(?<![.!?…])[.!?…]+['’”\")\]]*(?:(?<=[a-z][.!?])\d{1,3})?"
    r"(?:(?<=[a-z][.!?])[ \t]+\d{1,3}(?=[ \t]+[A-ZÀ-Ý][a-zà-ÿ]))?\s+(?=[\"“‘'(\[]?[A-ZÀ-Ý0-9•–\-])"
    r"|\n+"
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split `text` into sentence spans [start, end), whitespace excluded.

    Usage:
        >>> split_sentences("De school beslist. Daarna de ouders.")
        [(0, 18), (19, 36)]
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.group().strip() and _ends_with_abbreviation(text, match.start()):
            continue
        end = (
            match.end()
            if not match.group().strip()
            else match.start() + len(_MARKER_SET_APART.sub("", match.group().rstrip()))
        )
        if _LIST_NUMBER.match(text[start:end].strip()):
            continue  # "2." opens a list item: it belongs to the sentence after it
        _append(spans, text, start, end)
        start = match.end()
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
