"""Figures the text extraction lost, found so that a reader sees where they stood.

Some PDFs lose their digits in extraction. The AEF report reads "Kiki is  jaar", "wordt op
oktober gekeken", "minder dan % aanwezig": the words around a lost number stay, with the spaces
that stood on either side of it, and a percent sign keeps no figure. Cleaning joins words with
one space, so an answer would quote "Kinderen moeten vanaf jaar naar school" as if nothing were
missing. The index records where a figure was lost (`Chunk.figure_gaps`), and the chat and the
copied citation show "[getal]" there: the text stays verbatim, the reader knows something is
missing and can look it up in the original.

Two spaces between words are also a common slip of typing, so a document is only read this
way when it shows the defect clearly: two spaces beside a time unit or a month ("is  jaar",
"op  oktober"), or a percent sign without a figure, in at least `MIN_SIGNS` places. Then every
run of two or more spaces between two words of a line marks a lost figure, except after the end
of a sentence (". Dit") and after a list marker that opens a line ("-  Versnippering").

The marking is partial by nature: a figure lost together with one of its spaces ("(Wmo )") or
at the end of a line leaves no trace to find, and where a separator survived ("10.000" as ".")
the mark follows it ("ongeveer . [getal] kinderen").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

import numpy as np

from indexer.cleaning import CleanText

# Places that show the defect before a document is read as having lost its figures.
MIN_SIGNS = 5

_UNITS = (
    r"jaar|jaren|maand|maanden|week|weken|dag|dagen|uur|uren|procent|%|januari|februari|maart|"
    r"april|mei|juni|juli|augustus|september|oktober|november|december"
)
# Two spaces (or more) between two words of one line.
_GAP = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")
_UNIT = re.compile(rf"(?:{_UNITS})[.,;:)]*", re.IGNORECASE)
# A percent sign that opens a word: "van % aanwezig" (not "%20" in a URL, nor "50%"); in the
# cleaned text, one after a word other than a figure ("50 %" keeps its figure).
_BARE_PERCENT = re.compile(r"(?<!\S)%")
_PERCENT_AFTER_WORD = re.compile(r"(?<=[^\d\s] )%")
_SENTENCE_END = ".!?:;"
_LIST_MARKERS = frozenset("-–•*▪●◦")


def loses_figures(text: str) -> bool:
    """Whether a document's extraction lost its figures (see the module docstring)."""
    signs = len(_BARE_PERCENT.findall(text))
    for gap in _GAP.finditer(text):
        before = text[max(0, gap.start() - 20) : gap.start()].split()
        after = text[gap.end() : gap.end() + 20].split()
        if (before and _UNIT.fullmatch(before[-1])) or (after and _UNIT.fullmatch(after[0])):
            signs += 1
        if signs >= MIN_SIGNS:
            return True
    return signs >= MIN_SIGNS


def lost_figures(original: str, cleaned: CleanText) -> tuple[int, ...]:
    """Offsets in `cleaned.text` where the original lost a figure, in order.

    The offset is where the figure stood: the start of the word after a run of spaces
    ("Kiki is |jaar"), or the percent sign itself ("minder dan |% aanwezig"). Empty for a
    document that does not show the defect (`loses_figures`).
    """
    if not loses_figures(original):
        return ()
    text = cleaned.text
    # The words that follow a run of spaces in the original, found again in the cleaned text.
    after_gap = [gap.end() for gap in _GAP.finditer(original)]
    origin = np.asarray(cleaned.origin[: len(text)], dtype=np.int64)
    gaps = {
        int(i)
        for i in np.flatnonzero(np.isin(origin, after_gap))
        if i >= 2 and text[i - 1] == " " and _marks_figure(text, int(i))
    }
    gaps.update(m.start() for m in _PERCENT_AFTER_WORD.finditer(text))
    return tuple(sorted(gaps))


def _marks_figure(text: str, word: int) -> bool:
    """Whether two spaces before the word at `word` (one, once cleaned) stood for a figure."""
    if text[word - 2] in _SENTENCE_END and not text[word].islower():
        return False  # "vinden.  Dit punt": two spaces after a sentence
    previous_start = max(text.rfind(" ", 0, word - 1), text.rfind("\n", 0, word - 1)) + 1
    opens_line = previous_start == 0 or text[previous_start - 1] == "\n"
    # "-  Versnippering" opens a list item; "in het schooljaar -  meer" lost a year range.
    return not (opens_line and text[previous_start : word - 1] in _LIST_MARKERS)


def gaps_within(gaps: Sequence[int], start: int, end: int) -> tuple[int, ...]:
    """The gaps of `gaps` (sorted offsets) that fall in [start, end), relative to `start`.

    A gap at `end` itself belongs to the next span: it marks a figure before the next word.
    """
    first = bisect.bisect_left(gaps, start)
    last = bisect.bisect_left(gaps, end)
    return tuple(g - start for g in gaps[first:last])
