"""Property tests (hypothesis) of cleaning, sentence splitting, chunking and the request models.

The generated texts look like extracted policy PDFs (headings, bullets, footnotes, words
hyphenated at line ends, URL lines, page numbers, table-of-contents leaders, repeated lines,
page breaks) mixed with arbitrary unicode, so that both the intended paths and the odd
corners of the code are exercised.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from assistant.api.errors import validation_message
from assistant.schemas import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, AskRequest, SearchRequest
from indexer import cleaning
from indexer.chunking import ChunkingOptions, chunk_document
from indexer.cleaning import CleanText, clean, stands_for
from indexer.documents import PAGE_BREAK, Document, DocumentMeta, SourceFile
from indexer.lines import split_lines
from indexer.sentences import split_sentences

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOWER = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------------------------
# Strategies: text that looks like an extracted policy document.

VOCABULARY = [
    "de", "het", "een", "school", "gemeente", "ouders", "kind", "zorgplicht", "leerplicht",
    "onderwijstijd", "vrijstelling", "financiering", "jeugdhulp", "verpleging", "bestuur",
    "samenwerkingsverband", "bezwaar", "aanvraag", "inspectie", "artikel", "wet", "en", "of",
    "tot", "als", "regelgeving", "Zuid", "Limburg", "één", "coördinatie", "ruimte", "bv.",
    "o.a.", "art.", "nr.", "d.w.z.", "(zie", "bijlage)", "“citaat”", "‘kort’", "2024", "5%",
]  # fmt: skip
UNICODE_WORD = st.text(
    alphabet=st.characters(
        codec="utf-8",
        categories=("L", "M", "N", "P", "S"),
    ),
    min_size=1,
    max_size=12,
)
WORD = st.one_of(st.sampled_from(VOCABULARY), UNICODE_WORD)


@st.composite
def sentences(draw: st.DrawFn, *, max_words: int = 14) -> str:
    """A sentence-like run of words, capitalised or not, maybe ending in punctuation."""
    words = draw(st.lists(WORD, min_size=1, max_size=max_words))
    if draw(st.booleans()):
        words[0] = words[0][:1].upper() + words[0][1:]
    end = draw(st.sampled_from(["", ".", ".", "?", "!", ":", ";", ",", "…", ".)"]))
    return " ".join(words) + end


@st.composite
def lines(draw: st.DrawFn) -> str:
    """One line of extracted text, of the kinds `clean` treats differently."""
    kind = draw(st.integers(0, 15))
    sentence = draw(sentences())
    number = draw(st.integers(0, 999))
    if kind == 0:
        return draw(st.sampled_from(["https://", "http://", "www.", "HTTPS://"])) + draw(
            st.from_regex(r"[a-z0-9./?=&%-]{1,30}", fullmatch=True)
        )
    if kind == 1:
        return draw(st.sampled_from([f"{number}", f"pagina {number}", f"{number} van 12"]))
    if kind == 2:
        return f"{sentence} {'.' * draw(st.integers(4, 12))} {number}"
    if kind == 3:
        return draw(st.sampled_from(["•", "-", "–", "*", "o", "▪", "\uf0b7"])) + " " + sentence
    if kind == 4:
        return f"{draw(st.sampled_from(['1.', '2)', 'a.', 'b)', '12.']))} {sentence}"
    if kind == 5:
        return f"{number} {sentence[:1].upper()}{sentence[1:]}"  # a footnote
    if kind == 6:
        return sentence.upper()
    if kind == 7:
        return f"{draw(st.sampled_from(['1', '2.1', '3.2.1', '.', '. .']))} {sentence.title()}"
    if kind == 8:
        return ""
    if kind == 9:
        return f"{sentence} {draw(st.sampled_from(VOCABULARY))}-"  # hyphen at the line end
    if kind == 10:
        return draw(st.text(max_size=40))
    if kind == 11:
        return draw(st.from_regex(r"[\W_\d ]{1,20}", fullmatch=True))  # punctuation only
    if kind == 12:
        return "  " + sentence + "\t"
    return sentence


@st.composite
def documents_text(draw: st.DrawFn, *, max_lines: int = 40) -> str:
    """Lines joined by line breaks, blank lines and page breaks; some lines repeat."""
    body = draw(st.lists(lines(), min_size=0, max_size=max_lines))
    if body and draw(st.booleans()):  # repeat some lines, as after page breaks
        repeats = draw(st.lists(st.sampled_from(body), max_size=4))
        for line in repeats:
            body.insert(draw(st.integers(0, len(body))), line)
    parts: list[str] = []
    for line in body:
        parts.append(line)
        parts.append(draw(st.sampled_from(["\n", "\n", "\n", "\n\n", "\f", "\n\f", "\r\n"])))
    return "".join(parts)


ANY_TEXT = st.one_of(documents_text(), st.text(max_size=300))


@st.composite
def paged_documents(draw: st.DrawFn) -> Document:
    """A Document of one or more pages, joined as `read_document` joins PDF pages."""
    pages = draw(st.lists(documents_text(max_lines=12), min_size=1, max_size=5))
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + len(PAGE_BREAK)
    return _document(PAGE_BREAK.join(pages), tuple(starts))


def _document(text: str, page_starts: tuple[int, ...] = ()) -> Document:
    return Document(
        meta=DocumentMeta(doc_id="doc", title="Een titel"),
        source=SourceFile(path=Path("x.txt"), doc_id="doc", sha256="0"),
        text=text,
        page_starts=page_starts,
    )


# --------------------------------------------------------------------------------------------
# cleaning.clean


def _check_clean_invariants(original: str, cleaned: CleanText) -> None:
    text, origin = cleaned.text, cleaned.origin
    assert len(origin) == len(text) + 1
    assert origin[-1] == len(original)
    assert all(0 <= o <= len(original) for o in origin)
    # Words separated by exactly one space (within a block) or one line break (between blocks).
    assert text == text.strip()
    assert not re.search(r"\s\s", text)
    assert all(c in " \n" for c in text if c.isspace())
    for i, char in enumerate(text):
        if not char.isspace():
            assert stands_for(char, original[origin[i]]), (i, char)
    # Blocks: in order, non-overlapping, separated by one "\n", covering the whole text.
    previous_end = -1
    for block in cleaned.blocks:
        assert 0 <= block.start < block.end <= len(text)
        assert "\n" not in text[block.start : block.end]
        if previous_end >= 0:
            assert block.start == previous_end + 1
            assert text[previous_end] == "\n"
        else:
            assert block.start == 0
        previous_end = block.end
        # Within a block the map back to the original only moves forward.
        span = origin[block.start : block.end]
        assert all(a < b for a, b in itertools.pairwise(span)), block
    assert previous_end == len(text) if cleaned.blocks else text == ""
    # Footnotes come after the body; each part is in document order on its own.
    kinds = [b.kind == "footnote" for b in cleaned.blocks]
    assert kinds == sorted(kinds)
    for part in (
        [b for b in cleaned.blocks if b.kind != "footnote"],
        [b for b in cleaned.blocks if b.kind == "footnote"],
    ):
        if part:
            span = origin[part[0].start : part[-1].end]
            assert all(a <= b for a, b in itertools.pairwise(span))
    # original_span of any block is a proper span of the original.
    for block in cleaned.blocks:
        a, b = cleaned.original_span(block.start, block.end)
        assert 0 <= a < b <= len(original)
    for link in cleaned.links:
        assert 0 <= link.position <= max(len(text) - 1, 0)
        assert link.url


def _dropped(norm: str, counts: dict[str, int]) -> bool:
    """Whether `clean` may drop this (normalised) line: a page number, a URL, a repeat, or a
    letter alone that a symbol font draws as a checkbox."""
    return (
        not norm
        or norm in cleaning._SYMBOL_FONT_GLYPHS
        or bool(cleaning._PAGE_NUMBER.match(norm))
        or bool(cleaning._TOC_LINE.search(norm))
        or bool(cleaning._URL_LINE.match(norm))
        or bool(cleaning._PUNCT_ONLY.match(norm))
        or counts[norm] > 1
    )


def _check_no_word_lost(original: str, cleaned: CleanText) -> None:
    """Every word of letters only, on a line that is not dropped, is in the cleaned text.

    A word hyphenated over a line break ("samenwerkings-" + "verbanden") is joined: its
    letters-only second half is then a substring of the joined word, which is still found.
    """
    normalised = [" ".join(line.split()) for line in re.split(r"\n|\f", original)]
    furniture = cleaning._page_furniture(list(split_lines(original)))
    counts: dict[str, int] = {}
    for norm in normalised:
        counts[norm] = counts.get(norm, 0) + 1
    for index, norm in enumerate(normalised):
        if index in furniture or _dropped(norm, counts):
            continue
        for word in norm.split():
            if word.isalpha():
                assert word in cleaned.text, (word, norm)


@FAST
@given(ANY_TEXT)
def test_clean_keeps_its_invariants(text: str) -> None:
    cleaned = clean(text)
    _check_clean_invariants(text, cleaned)
    _check_no_word_lost(text, cleaned)


@SLOWER
@given(st.text(alphabet=st.sampled_from("ab- \n\f.1•\t"), max_size=200))
def test_clean_on_a_tiny_alphabet_keeps_its_invariants(text: str) -> None:
    cleaned = clean(text)
    _check_clean_invariants(text, cleaned)
    _check_no_word_lost(text, cleaned)


@SLOWER
@given(st.lists(sentences(), min_size=1, max_size=5), st.sampled_from(VOCABULARY[:20]))
def test_a_word_hyphenated_at_a_line_end_is_joined(parts: list[str], tail: str) -> None:
    head = "samenwerkings"
    text = f"{' '.join(parts)} {head}-\n{tail.lower()} en meer."
    cleaned = clean(text)
    _check_clean_invariants(text, cleaned)
    lowered = tail.lower()
    if lowered in {"en", "of", "tot", "als"}:  # a suspended compound keeps its hyphen
        assert f"{head}- {lowered}" in cleaned.text
    else:
        assert f"{head}{lowered}" in cleaned.text


@SLOWER
@given(ANY_TEXT)
def test_clean_is_deterministic(text: str) -> None:
    assert clean(text) == clean(text)


# --------------------------------------------------------------------------------------------
# sentences.split_sentences


_NOTE_NUMBERS = st.frozensets(st.sampled_from(["1", "2", "3", "12"]), max_size=3)
# Sentences with footnote markers set apart between them: "… eerste. 3 Tweede …".
_WITH_MARKERS = st.lists(
    st.tuples(sentences(), st.sampled_from(["", " 1", " 3", " 12", " 7"])), max_size=6
).map(lambda parts: " ".join(f"{s}{marker}" for s, marker in parts))


@FAST
@given(
    st.one_of(
        st.lists(sentences(), max_size=8).map(" ".join), _WITH_MARKERS, st.text(max_size=300)
    ),
    _NOTE_NUMBERS,
)
def test_sentence_spans_are_ordered_stripped_and_cover_every_word(
    text: str, notes: frozenset[str]
) -> None:
    spans = split_sentences(text, notes)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        segment = text[start:end]
        assert segment == segment.strip() and segment
        # only whitespace is left out, and a footnote's number between two sentences
        left_out = text[previous_end:start].split()
        assert left_out == [] or (previous_end and len(left_out) == 1 and left_out[0] in notes)
        previous_end = end
    assert text[previous_end:].strip() == ""


# --------------------------------------------------------------------------------------------
# chunking.chunk_document

OPTIONS = st.sampled_from(
    [ChunkingOptions(), ChunkingOptions(min_words=5, max_words=12), ChunkingOptions(2, 4)]
)


def _check_chunks(document: Document, options: ChunkingOptions) -> None:
    cleaned = clean(document.text)
    chunks = chunk_document(document, cleaned, options)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    titles = {b.start for b in cleaned.blocks if b.kind == "title"}
    previous_end = 0
    for chunk in chunks:
        assert chunk.doc_id == document.doc_id
        assert 0 <= chunk.clean_start < chunk.clean_end <= len(cleaned.text)
        assert chunk.clean_start >= previous_end
        previous_end = chunk.clean_end
        assert chunk.text == cleaned.text[chunk.clean_start : chunk.clean_end]
        assert chunk.text == chunk.text.strip()
        assert 0 <= chunk.char_start < chunk.char_end <= len(document.text)
        assert chunk.word_count <= options.max_words
        sentence_end = 0
        for start, end in chunk.sentences:
            assert sentence_end <= start < end <= len(chunk.text)
            assert chunk.text[start:end] == chunk.text[start:end].strip()
            sentence_end = end
        # A chunk opens with its first sentence, with the run-in title of its paragraph, or
        # with the number of the footnote it opens.
        lead = chunk.text[: chunk.sentences[0][0]]
        assert (
            not lead
            or chunk.clean_start in titles
            or (chunk.kind == "footnote" and re.fullmatch(r"\d{1,3}\s+", lead) is not None)
        )
        assert chunk.sentences[-1][1] == len(chunk.text)
        if document.page_count:
            assert chunk.page is not None and chunk.page_end is not None
            assert 1 <= chunk.page <= chunk.page_end <= document.page_count
        else:
            assert chunk.page is None and chunk.page_end is None
        for link in chunk.links:
            assert link in {lk.url for lk in cleaned.links}
    # Every word of a passage block (not a heading) lies in some chunk.
    covered = [False] * len(cleaned.text)
    for chunk in chunks:
        for i in range(chunk.clean_start, chunk.clean_end):
            covered[i] = True
    for block in cleaned.blocks:
        if block.kind != "heading":
            for i in range(block.start, block.end):
                assert covered[i] or cleaned.text[i].isspace(), (block, i)


# Run-in titles: before a heading, two in a row, before a sentence longer than a chunk.
_TITLED = "Dat zagen we al.\nDeel A\n{}\nKinderen lopen hordes op {} tijdens de route.\n"


@SLOWER
@given(ANY_TEXT, OPTIONS)
@example(_TITLED.format("INLEIDING\n", "school"), ChunkingOptions(2, 4))
@example(_TITLED.format("Deel B", "school"), ChunkingOptions(2, 4))
@example(_TITLED.format("Deel B", "de school " * 20), ChunkingOptions(min_words=5, max_words=12))
def test_chunks_of_a_text_document_keep_their_invariants(text: str, options) -> None:
    _check_chunks(_document(text), options)


@SLOWER
@given(paged_documents(), OPTIONS)
def test_chunks_of_a_paged_document_have_valid_pages(document: Document, options) -> None:
    _check_chunks(document, options)


@SLOWER
@given(st.lists(sentences(max_words=60), min_size=1, max_size=6), OPTIONS)
def test_over_long_sentences_are_cut_into_windows(parts: list[str], options) -> None:
    text = " ".join(p.rstrip(".!?:;,…)") for p in parts)  # one very long "sentence"
    _check_chunks(_document(text), options)


# --------------------------------------------------------------------------------------------
# The request models of the API.

JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
JSON_VALUE = st.recursive(
    JSON_SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
QUESTION = st.one_of(
    st.text(max_size=30),
    st.text(min_size=990, max_size=1010),
    st.sampled_from(["  Wie betaalt de verpleging?  ", "ab", "123", "!!!", " a b ", "\t\nja\n"]),
    JSON_VALUE,
)
TURN = st.one_of(
    st.fixed_dictionaries(
        {
            "role": st.one_of(st.sampled_from(["user", "assistant", "system"]), JSON_VALUE),
            "text": st.one_of(st.text(max_size=20), st.text(min_size=3990, max_size=4010)),
        }
    ),
    JSON_VALUE,
)
RETRIEVER = st.one_of(st.sampled_from(["hybrid", "bm25", "dense", "HYBRID", ""]), JSON_VALUE)


def _maybe_fields(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Dictionaries with any subset of `fields`, sometimes an unknown key, or any JSON value."""
    return st.one_of(
        st.fixed_dictionaries({}, optional={**fields, "extra": JSON_VALUE}),
        JSON_VALUE,
    )


ASK_BODIES = _maybe_fields(
    {
        "question": QUESTION,
        "history": st.one_of(st.lists(TURN, max_size=MAX_HISTORY_TURNS + 2), JSON_VALUE),
        "retriever": RETRIEVER,
    }
)
SEARCH_BODIES = _maybe_fields(
    {
        "query": QUESTION,
        "k": st.one_of(st.integers(-5, 60), st.floats(-5, 60), st.booleans(), JSON_VALUE),
        "filters": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "doc_ids": st.one_of(
                        st.lists(st.text(max_size=10), max_size=22), st.none(), JSON_VALUE
                    ),
                    "topic": st.one_of(
                        st.sampled_from(["zorgplicht", "financiering", "overig", "anders"]),
                        JSON_VALUE,
                    ),
                    "extra": JSON_VALUE,
                },
            ),
            JSON_VALUE,
        ),
        "retriever": RETRIEVER,
    }
)


# pydantic strips Unicode White_Space; str.isspace() also holds for "\x1c".."\x1f", which
# pydantic keeps (so "\x1f" is a valid one-character query).
_UNICODE_WHITE_SPACE = "".join(
    c for c in map(chr, range(0x3001)) if c.isspace() and c not in "\x1c\x1d\x1e\x1f"
)


def _stripped(text: str) -> bool:
    return text == text.strip(_UNICODE_WHITE_SPACE)


def _validate(model: Any, body: Any) -> Any:
    """The model, or None after a ValidationError whose message the API can render."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        message = validation_message(exc.errors())
        assert isinstance(message, str) and message
        return None


@FAST
@given(ASK_BODIES)
def test_ask_requests_validate_or_raise_a_validation_error(body: Any) -> None:
    request = _validate(AskRequest, body)
    if request is None:
        return
    assert 3 <= len(request.question) <= MAX_QUESTION_CHARS
    assert _stripped(request.question)
    assert any(c.isalpha() for c in request.question)
    assert len(request.history) <= MAX_HISTORY_TURNS
    for turn in request.history:
        assert turn.role in ("user", "assistant")
        assert 1 <= len(turn.text) <= 4000
    assert request.retriever in ("hybrid", "bm25", "dense")


@FAST
@given(SEARCH_BODIES)
def test_search_requests_validate_or_raise_a_validation_error(body: Any) -> None:
    request = _validate(SearchRequest, body)
    if request is None:
        return
    assert 1 <= len(request.query) <= MAX_QUESTION_CHARS
    assert _stripped(request.query)
    assert isinstance(request.k, int) and 1 <= request.k <= 50
    assert request.filters.doc_ids is None or len(request.filters.doc_ids) <= 20
    assert request.filters.topic in (
        None,
        "zorgplicht",
        "onderwijstijd",
        "leerplichtontheffing",
        "financiering",
        "overig",
    )
    assert request.retriever in ("hybrid", "bm25", "dense")


@FAST
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200)))
def test_raw_request_bodies_validate_or_raise_a_validation_error(raw: bytes | str) -> None:
    for model in (AskRequest, SearchRequest):
        try:
            model.model_validate_json(raw)
        except ValidationError as exc:
            assert validation_message(exc.errors())


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        ({"question": "  Wie betaalt?  "}, True),
        ({"question": "123"}, False),
        ({"question": "ab"}, False),
        ({"question": "Wie betaalt?", "history": [{"role": "user", "text": "x"}] * 11}, False),
        ({"question": "Wie betaalt?", "extra": 1}, False),
    ],
)
def test_ask_request_examples(body: dict[str, Any], valid: bool) -> None:
    assert (_validate(AskRequest, body) is not None) == valid
