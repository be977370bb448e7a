"""The scale benchmark's variant documents (`scripts.scale.make_corpus`), on the real corpus."""

from __future__ import annotations

from pathlib import Path

from assistant.engine import Engine
from indexer.chunking import SECTION_SEPARATOR, chunk_document
from indexer.cleaning import clean
from indexer.documents import discover, read_document
from scripts import scale

NESTED = "werkagenda-inclusief-onderwijs-2035"  # sections three levels deep


def test_a_variant_keeps_the_sections_of_its_source(
    engine: Engine, corpus_dir: Path, tmp_path: Path
) -> None:
    """Its passages stand under the source's section paths ("9. … › 9.1. …"), each heading
    written once where the path first reaches it, as the source does."""
    store = engine.retriever.store
    scale.make_corpus(corpus_dir, store, tmp_path, 2, seed=1)
    source = {c.section for c in store.document_chunks(NESTED)}
    assert sum(SECTION_SEPARATOR in s for s in source) > 10  # the test needs nested sections
    (variant,) = [s for s in discover(tmp_path) if s.doc_id == f"{NESTED}-v001"]
    document = read_document(variant)
    sections = {c.section for c in chunk_document(document, clean(document.text))}
    # Cleaning reads headings from the layout, so a few differ; most paths are the source's.
    assert len(sections & source) >= 0.8 * len(source)
    assert sum(SECTION_SEPARATOR in s for s in sections & source) > 10
