"""Embedders for tests: the real model, wrapped to record what reaches it."""

from __future__ import annotations

from collections.abc import Sequence

from indexer.embedding import Embedder, Vectors


class CountingEmbedder:
    """A real embedder, recording the questions and counting the passages that reach it.

    It does not pass on `instances`, so the build sees one copy (`concurrency`).
    """

    def __init__(self, real: Embedder) -> None:
        self.real = real
        self.queries: list[str] = []
        self.passages = 0

    @property
    def embedder_id(self) -> str:
        return self.real.embedder_id

    @property
    def dim(self) -> int:
        return self.real.dim

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.passages += len(texts)
        return self.real.embed_passages(texts)

    def embed_query(self, text: str) -> Vectors:
        self.queries.append(text)
        return self.real.embed_query(text)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.real.embed_queries(texts)
