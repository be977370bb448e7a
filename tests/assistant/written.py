"""Passages written for a test: sentences with their roles (and sections), as a Chunk."""

from __future__ import annotations

from collections.abc import Sequence

from indexer.chunking import Chunk
from indexer.sentence_roles import SentenceRole


def written_passage(
    *sentences: tuple[str, SentenceRole], section: str = "", sections: Sequence[str] = ()
) -> Chunk:
    """One passage of `sentences`, joined by a space; `sections` holds each one's section."""
    text, spans = "", []
    for sentence, _ in sentences:
        spans.append((len(text), len(text) + len(sentence)))
        text += sentence + " "
    return Chunk(
        chunk_id="test:1",
        doc_id="test",
        title="Test",
        ordinal=0,
        kind="body",
        section=section,
        text=text.strip(),
        clean_start=0,
        clean_end=len(text),
        char_start=0,
        char_end=len(text),
        page=None,
        page_end=None,
        sentences=tuple(spans),
        links=(),
        sentence_roles=tuple(role for _, role in sentences),
        sentence_sections=tuple(sections),
    )
