"""The scale benchmark's variant documents (`scripts.scale.make_corpus`), on the real corpus."""

from __future__ import annotations

from pathlib import Path

from assistant.engine import Engine
from indexer.chunking import SECTION_SEPARATOR
from scripts import scale

NESTED = "werkagenda-inclusief-onderwijs-2035"  # sections three levels deep


def test_a_variant_heads_its_sections_as_the_source_does(
    engine: Engine, corpus_dir: Path, tmp_path: Path
) -> None:
    """Each section under its own heading ("9.1. …"), not under its path ("9. … › 9.1. …")."""
    store = engine.retriever.store
    scale.make_corpus(corpus_dir, store, tmp_path, 2, seed=1)
    variant = (tmp_path / f"{NESTED}-v001.txt").read_text("utf-8").splitlines()
    sections = [c.section for c in store.document_chunks(NESTED) if c.section]
    assert any(SECTION_SEPARATOR in s for s in sections)  # the test needs nested sections
    deepest = {s.split(SECTION_SEPARATOR)[-1] for s in sections}
    assert deepest <= set(variant)
    assert not any(SECTION_SEPARATOR in line for line in variant)
