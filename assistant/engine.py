"""The engine: one opened index with its retriever and answer composer.

The HTTP API, the evaluation harness and the tests all go through this object, so they
exercise the same code path.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from threadpoolctl import threadpool_limits

from assistant.answering import Answer, AnswerComposer
from assistant.config import PACKAGE_DIR, Settings
from assistant.errors import IndexUnavailableError
from assistant.glossary import Glossary
from assistant.retrieval import Hit, RetrievalMode, Retriever
from indexer.embedding import Embedder, QueryCache, load_embedder
from indexer.errors import IndexerError
from indexer.store import IndexStore

logger = logging.getLogger(__name__)
START_PAGE = PACKAGE_DIR / "static" / "index.html"
_EXAMPLE = re.compile(r'<button type="button" class="example">(.*?)</button>', re.DOTALL)


def offered_questions() -> list[str]:
    """The example questions of the start page: their query vectors are computed at load."""
    return [html.unescape(q).strip() for q in _EXAMPLE.findall(START_PAGE.read_text("utf-8"))]


@dataclass(frozen=True, slots=True)
class Engine:
    """Search and answer over one published index.

    Usage:
        engine = Engine.load(Settings())
        engine.ask("Wie betaalt de verpleging op school?").sentences
    """

    store: IndexStore
    retriever: Retriever
    composer: AnswerComposer
    glossary: Glossary

    @classmethod
    def load(cls, settings: Settings, *, embedder: Embedder | None = None) -> Engine:
        """Open the published index and check that the embedder matches the one that built it.

        Raises:
            IndexUnavailableError: no index, a damaged one, or one built with another embedder.
        """
        try:
            store = IndexStore.open(settings.index_dir)
            queries = QueryCache.around(
                embedder or load_embedder(settings), size=settings.query_cache_size
            )
        except IndexerError as exc:
            raise IndexUnavailableError(str(exc)) from exc
        if store.manifest.embedder_id != queries.embedder_id:
            raise IndexUnavailableError(
                f"The index at {settings.index_dir} was built with {store.manifest.embedder_id}, "
                f"but the service is set up for {queries.embedder_id}. Rebuild the index "
                "(`python -m indexer build`) or change WEGWIJZER_EMBEDDER."
            )
        # OpenBLAS threads spin after each (tiny) matrix product and starve the embedder's own
        # threads: a query took 90 ms instead of 13 ms. One BLAS thread is plenty here.
        threadpool_limits(limits=1, user_api="blas")
        queries.prime_questions(offered_questions())  # a click on an example: no model call
        glossary = Glossary.load(settings.glossary_path)
        retriever = Retriever(
            store, queries, glossary, weights=settings.fusion, depth=settings.candidate_depth
        )
        composer = AnswerComposer(
            store,
            glossary,
            max_passages=settings.answer_passages,
            max_sentences=settings.answer_sentences,
            min_confidence=settings.min_confidence,
        )
        logger.info("Loaded index %s (%d chunks)", store.path, len(store.chunks))
        return cls(store=store, retriever=retriever, composer=composer, glossary=glossary)

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: RetrievalMode = "hybrid",
        history: Sequence[str] = (),
        doc_ids: Collection[str] | None = None,
        topic: str | None = None,
    ) -> list[Hit]:
        """The k best passages for a query, best first."""
        return self.retriever.search(
            query, k=k, mode=mode, history=history, doc_ids=doc_ids, topic=topic
        )

    def ask(
        self, question: str, history: Sequence[str] = (), *, mode: RetrievalMode = "hybrid"
    ) -> Answer:
        """A cited, extractive answer; `history` holds the earlier questions of the conversation."""
        query = self.retriever.prepare(question, history)
        hits = self.retriever.retrieve(query, k=self.composer.max_passages, mode=mode)
        return self.composer.compose(query, hits)

    def document_text(self, doc_id: str) -> str:
        """The original text of a document, as extracted (citations' spans index it)."""
        return self.store.documents[doc_id].text


class EngineHolder:
    """The engine currently serving, swapped whole on reload.

    A request takes `holder.engine` once and keeps that object to the end, so a reload never
    changes the index under a request in flight; a failed reload keeps the old engine.
    """

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self._engine = engine
        self._settings = settings
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        """The engine to use for one request."""
        return self._engine

    def reload(self) -> Engine:
        """Load the published index again and swap it in.

        Raises:
            IndexUnavailableError: the new index is unusable; the old one keeps serving.
        """
        with self._lock:
            fresh = Engine.load(self._settings, embedder=self._engine.retriever.embedder)
            self._engine = fresh
            return fresh
