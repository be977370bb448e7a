"""Embedders for tests: the real model behind the embedder protocol, wrapped to record."""

from __future__ import annotations

from collections.abc import Sequence

from indexer.embedding import Embedder, Vectors


class DelegatingEmbedder:
    """The real model behind the embedder protocol; subclasses change one method.

    It does not pass on `instances`, so a build sees one copy (`concurrency`).
    """

    def __init__(self, real: Embedder) -> None:
        self.real = real

    @property
    def embedder_id(self) -> str:
        return self.real.embedder_id

    @property
    def dim(self) -> int:
        return self.real.dim

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self.real.embed_passages(texts)

    def embed_query(self, text: str) -> Vectors:
        return self.real.embed_query(text)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.real.embed_queries(texts)


class CountingEmbedder(DelegatingEmbedder):
    """A real embedder, recording the questions and counting the passages that reach it."""

    def __init__(self, real: Embedder) -> None:
        super().__init__(real)
        self.queries: list[str] = []
        self.passages = 0

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.passages += len(texts)
        return super().embed_passages(texts)

    def embed_query(self, text: str) -> Vectors:
        self.queries.append(text)
        return super().embed_query(text)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        self.queries.extend(texts)
        return super().embed_queries(texts)
