"""Hybrid retrieval: BM25 with the glossary's expansions, dense e5 vectors, fused by rank.

`mode="bm25"` and `mode="dense"` are the baselines a user would otherwise have (keyword search
in the PDFs, a generic dense RAG): the plain question against one index, no glossary.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from assistant.glossary import Glossary
from indexer.chunking import Chunk
from indexer.embedding import Embedder
from indexer.store import IndexStore

RetrievalMode = Literal["hybrid", "bm25", "dense"]
Scores = npt.NDArray[np.float32]
_NEAR_DUPLICATE_JACCARD = 0.8


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk with its fused score and the two scores it was fused from."""

    chunk: Chunk
    score: float
    lexical: float
    dense: float


@dataclass(frozen=True, slots=True)
class Query:
    """A question prepared for retrieval."""

    text: str
    context: str = ""  # earlier questions of the conversation, for follow-ups
    expansions: tuple[str, ...] = ()

    @property
    def dense_text(self) -> str:
        """What is embedded: a follow-up carries the question it follows."""
        return f"{self.context} {self.text}".strip()


class Retriever:
    """Searches one opened index.

    Usage:
        retriever = Retriever(store, embedder, glossary)
        hits = retriever.search("Mag de school mijn zoon weigeren?", k=5)
    """

    def __init__(
        self,
        store: IndexStore,
        embedder: Embedder,
        glossary: Glossary,
        *,
        depth: int = 60,
        rrf_k: int = 60,
        expansion_weight: float = 0.5,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.glossary = glossary
        self.depth = min(depth, len(store.chunks))
        self.rrf_k = rrf_k
        self.expansion_weight = expansion_weight
        self._chunk_topics = [
            frozenset(t for t, n in glossary.topic_scores(c.text).items() if n)
            for c in store.chunks
        ]
        self._word_sets = [frozenset(c.text.lower().split()) for c in store.chunks]

    def prepare(self, question: str, history: Sequence[str] = ()) -> Query:
        """Attach the conversation and the glossary's expansions to a question."""
        context = " ".join(history[-2:])
        return Query(
            text=question,
            context=context,
            expansions=tuple(self.glossary.expansions(f"{context} {question}")),
        )

    def search(
        self,
        question: str,
        *,
        k: int = 10,
        mode: RetrievalMode = "hybrid",
        history: Sequence[str] = (),
        doc_ids: Collection[str] | None = None,
        topic: str | None = None,
    ) -> list[Hit]:
        """The k best chunks for a question, best first, near-duplicates removed."""
        query = self.prepare(question, history)
        lexical = self.lexical_scores(query, expand=mode == "hybrid")
        dense = self.dense_scores(query) if mode != "bm25" else np.zeros_like(lexical)
        if mode == "bm25":
            fused = lexical
        elif mode == "dense":
            fused = dense
        else:
            fused = self.fuse(lexical, dense)
        allowed = self._allowed(doc_ids, topic)
        return self._top(fused, lexical, dense, k, allowed)

    def lexical_scores(self, query: Query, *, expand: bool = True) -> Scores:
        """BM25 scores of every chunk: the question, plus its context and expansions."""
        lexical = self.store.lexical
        scores = lexical.scores(query.text)
        extra = f"{query.context} {' '.join(query.expansions) if expand else ''}".strip()
        if extra:
            scores = scores + self.expansion_weight * lexical.scores(extra)
        return scores

    def dense_scores(self, query: Query) -> Scores:
        """Cosine similarity of every chunk among the `depth` nearest; the rest get -1."""
        vector = self.embedder.embed_query(query.dense_text)
        similarities, rows = self.store.vectors.search(vector[None, :], self.depth)
        scores = np.full(len(self.store.chunks), -1.0, dtype=np.float32)
        valid = rows[0] >= 0
        scores[rows[0][valid]] = similarities[0][valid]
        return scores

    def fuse(self, lexical: Scores, dense: Scores) -> Scores:
        """Reciprocal rank fusion of the two rankings, each cut at `depth`."""
        fused = np.zeros(len(lexical), dtype=np.float32)
        for scores in (lexical, dense):
            order = np.argsort(-scores, kind="stable")[: self.depth]
            fused[order] += 1.0 / (self.rrf_k + np.arange(1, len(order) + 1, dtype=np.float32))
        return fused

    def _allowed(self, doc_ids: Collection[str] | None, topic: str | None) -> list[bool] | None:
        if not doc_ids and not topic:
            return None
        wanted = set(doc_ids or ())
        return [
            (not wanted or c.doc_id in wanted) and (not topic or topic in self._chunk_topics[i])
            for i, c in enumerate(self.store.chunks)
        ]

    def _top(
        self, fused: Scores, lexical: Scores, dense: Scores, k: int, allowed: list[bool] | None
    ) -> list[Hit]:
        hits: list[Hit] = []
        kept_rows: list[int] = []
        for row in np.argsort(-fused, kind="stable"):
            if len(hits) == k:
                break
            if (allowed is not None and not allowed[row]) or self._near_duplicate(row, kept_rows):
                continue
            kept_rows.append(int(row))
            hits.append(
                Hit(
                    chunk=self.store.chunks[row],
                    score=float(fused[row]),
                    lexical=float(lexical[row]),
                    dense=float(dense[row]),
                )
            )
        return hits

    def _near_duplicate(self, row: int, kept: list[int]) -> bool:
        words = self._word_sets[row]
        for other in kept:
            other_words = self._word_sets[other]
            union = len(words | other_words)
            if union and len(words & other_words) / union >= _NEAR_DUPLICATE_JACCARD:
                return True
        return False
