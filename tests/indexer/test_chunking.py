from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from indexer.chunking import Chunk, ChunkingOptions, chunk_document
from indexer.cleaning import clean, stands_for
from indexer.documents import Document, DocumentMeta, SourceFile, discover, read_document

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SOURCES = {s.doc_id: s for s in discover(CORPUS)}


def _chunks(doc_id: str, options: ChunkingOptions | None = None) -> list[Chunk]:
    document = read_document(SOURCES[doc_id])
    return chunk_document(document, clean(document.text), options)


def _sentences(chunks: list[Chunk]) -> Counter[str]:
    return Counter(" ".join(c.text[a:b].split()) for c in chunks for a, b in c.sentences)


def test_handreiking_passages_never_repeat_a_sentence() -> None:
    counts = _sentences(_chunks("samen-naar-school-handreiking"))
    repeated = [s for s, n in counts.items() if n > 1 and len(s.split()) >= 6]
    assert repeated == []


_CHUNK_IDS = """
import json, sys
from tests.indexer.test_chunking import SOURCES, _chunks
print(json.dumps({d: [c.chunk_id for c in _chunks(d)] for d in sorted(SOURCES)}))
"""


def test_chunk_ids_are_stable_across_runs() -> None:
    """The same ids in another process with another string hash seed (no set order leaks)."""
    here = {d: [c.chunk_id for c in _chunks(d)] for d in sorted(SOURCES)}
    root = Path(__file__).resolve().parents[2]
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _CHUNK_IDS], cwd=root, env=env, capture_output=True
        )
        assert out.returncode == 0, out.stderr.decode()
        assert json.loads(out.stdout) == here


@pytest.mark.parametrize("doc_id", sorted(SOURCES))
def test_chunks_read_well_as_citations(doc_id: str) -> None:
    options = ChunkingOptions()
    chunks = _chunks(doc_id, options)
    sizes = [c.word_count for c in chunks]
    assert max(sizes) <= options.max_words
    # Only a document's last passage or a short section may fall well below the minimum.
    assert sum(size < options.min_words // 2 for size in sizes) <= max(1, len(chunks) // 10)
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_chunks_end_at_sentence_ends_where_the_text_has_them() -> None:
    chunks = _chunks("samen-naar-school-handreiking")
    endings = [bool(re.search(r"[.!?:;)’”\"]$", c.text)) for c in chunks]
    assert sum(endings) >= 0.85 * len(chunks)


def test_chunk_spans_point_back_into_the_original_text() -> None:
    document = read_document(SOURCES["werkagenda-inclusief-onderwijs-2035"])
    for chunk in chunk_document(document, clean(document.text)):
        first_word = chunk.text.split()[0]
        original = document.text[chunk.char_start : chunk.char_end].lstrip()
        assert all(stands_for(c, o) for c, o in zip(first_word.rstrip("-"), original, strict=False))
        assert chunk.char_start < chunk.char_end


def test_headings_become_the_section_of_the_chunks_below_them() -> None:
    chunks = _chunks("plan-passend-onderwijs-brunssum")
    sections = {c.section for c in chunks}
    assert any(s.startswith("1. Projectdefinitie › 1.1 Inleiding") for s in sections)


def test_smaller_options_make_more_and_smaller_chunks() -> None:
    small = _chunks("samen-naar-school-handreiking", ChunkingOptions(min_words=30, max_words=80))
    default = _chunks("samen-naar-school-handreiking")
    assert len(small) > len(default)
    assert max(c.word_count for c in small) <= 80


def _document(doc_id: str, text: str) -> Document:
    source = SourceFile(path=Path(f"{doc_id}.txt"), doc_id=doc_id, sha256="0" * 64)
    return Document(meta=DocumentMeta(doc_id=doc_id, title=doc_id), source=source, text=text)


def test_a_numbered_section_sits_under_the_sections_its_number_extends() -> None:
    headings = [
        "5. Fasering en ijkmomenten",
        "9. Werkagenda route",
        "9.1.1. Landelijke maatregelen",
        "9.2. Laagdrempelige hulp",
        "7. Proces-acties",
        "9.2.3. Suggesties op schoolniveau",
    ]
    # Each section its own text: cleaning drops a line that repeats an earlier one.
    text = "".join(
        f"{heading}\nDeel {n} beschrijft wat er in de komende {n + 2} jaren moet gebeuren "
        f"en wie daarbij welke rol heeft, met de scholen en de gemeenten van regio {n}.\n\n"
        for n, heading in enumerate(headings)
    )
    document = _document("agenda", text)
    sections = [c.section for c in chunk_document(document, clean(text), ChunkingOptions(10, 40))]
    assert sections == [
        "5. Fasering en ijkmomenten",
        "9. Werkagenda route",
        "9. Werkagenda route › 9.1.1. Landelijke maatregelen",
        "9. Werkagenda route › 9.2. Laagdrempelige hulp",
        "7. Proces-acties",
        "9.2.3. Suggesties op schoolniveau",  # "7." is no part of 9.2.3
    ]


def test_the_werkagendas_lines_of_work_head_no_section() -> None:
    sections = {c.section for c in _chunks("werkagenda-inclusief-onderwijs-2035")}
    assert not any(s.startswith(("5. Bouwen", "1. Toerusten")) for s in sections)
    assert (
        "9. Werkagenda route naar inclusief onderwijs 2035 › 9.2. Laagdrempelige hulp in en "
        "nabij de school › 9.2.2. Regionale maatregelen/acties"
    ) in sections


@pytest.mark.parametrize("doc_id", sorted(SOURCES))
def test_section_numbers_nest_in_every_document(doc_id: str) -> None:
    for chunk in _chunks(doc_id):
        numbers = [
            m.group(1).split(".")
            for part in chunk.section.split(" › ")
            for m in [re.match(r"(\d{1,2}(?:\.\d{1,2})*)\.?\s", part)]
            if m
        ]
        for outer, inner in itertools.pairwise(numbers):
            assert inner[: len(outer)] == outer, chunk.section


def test_a_run_in_title_is_no_sentence_and_heads_no_section() -> None:
    text = (
        "1. Wettelijk kader\n"
        "De school heeft een zorgplicht voor elk kind dat wordt aangemeld.\n\n"
        "Hordes in de schoolloopbaan\n"
        "Kinderen kunnen hordes tegenkomen tijdens hun route binnen het onderwijs.\n"
    )
    for options, count in ((ChunkingOptions(5, 40), 1), (ChunkingOptions(5, 16), 2)):
        chunks = chunk_document(_document("kader", text), clean(text), options)
        assert len(chunks) == count
        assert all(c.word_count <= options.max_words for c in chunks)
        sentences = [c.sentence(i) for c in chunks for i in range(len(c.sentences))]
        assert sentences == [
            "De school heeft een zorgplicht voor elk kind dat wordt aangemeld.",
            "Kinderen kunnen hordes tegenkomen tijdens hun route binnen het onderwijs.",
        ]
        assert {c.section for c in chunks} == {"1. Wettelijk kader"}
        assert "Hordes in de schoolloopbaan\nKinderen" in "\n".join(c.text for c in chunks)
        assert chunks[-1].text.startswith("Hordes" if count == 2 else "De school")


@pytest.mark.parametrize(
    ("doc_id", "title", "opening"),
    [
        ("aef-onderwijs-zorg-initiatieven", "Hordes in de schoolloopbaan", "Kinderen uit beide"),
        ("werkagenda-inclusief-onderwijs-2035", "Simpel switchen", "Elk kind heeft wel eens"),
        # broken over two lines, and over six of a narrow column
        (
            "aef-onderwijs-zorg-initiatieven",
            "Het duurt soms even voor de combinatie van onderwijs en zorg geboden kan worden",
            "Ook als er een passende mogelijkheid",
        ),
        (
            "ontwikkelagenda-inclusiever-onderwijs",
            "Thema’s voor de gezamenlijke ontwikkelagenda voor inclusie en inclusiever onderwijs",
            "Sinds 2016 dient elke gemeente",
        ),
    ],
)
def test_a_run_in_title_of_the_corpus_opens_no_sentence(
    doc_id: str, title: str, opening: str
) -> None:
    sentences = [c.sentence(i) for c in _chunks(doc_id) for i in range(len(c.sentences))]
    assert any(s.startswith(opening) for s in sentences)
    assert not any(s.startswith(f"{title} {opening}") for s in sentences)
    cleaned = clean(read_document(SOURCES[doc_id]).text)
    titles = [cleaned.text[b.start : b.end] for b in cleaned.blocks if b.kind == "title"]
    assert title in titles


def test_each_sentence_knows_its_own_section_when_a_passage_runs_past_a_heading() -> None:
    text = (
        "6. Focus\nDe werkagenda richt zich op het funderend onderwijs.\n\n"
        "7. Proces-acties\nOCW stelt heldere doelen voor inclusief onderwijs.\n"
    )
    (chunk,) = chunk_document(_document("agenda", text), clean(text), ChunkingOptions(30, 60))
    assert chunk.section == "6. Focus"  # a section too short for a passage of its own
    assert chunk.sentence_sections == ("6. Focus", "7. Proces-acties")
    second = chunk.sentences[1][0]
    assert [chunk.section_at(o) for o in (0, second - 1, second)] == [
        "6. Focus",
        "6. Focus",
        "7. Proces-acties",
    ]


@pytest.mark.parametrize("doc_id", sorted(SOURCES))
def test_every_sentence_has_a_section_and_the_first_is_the_passages(doc_id: str) -> None:
    for chunk in _chunks(doc_id):
        assert len(chunk.sentence_sections) == len(chunk.sentences)
        assert chunk.sentence_sections[:1] == (chunk.section,)[: len(chunk.sentences)]


def test_the_published_index_keeps_each_sentences_section(engine) -> None:
    document = read_document(SOURCES["werkagenda-inclusief-onderwijs-2035"])
    chunks = chunk_document(document, clean(document.text))
    expected = {c.chunk_id: c.sentence_sections for c in chunks}
    stored = {
        c.chunk_id: c.sentence_sections for c in engine.store.chunks if c.chunk_id in expected
    }
    assert stored == expected
    assert any(len(set(sections)) > 1 for sections in stored.values())  # passages past a heading
