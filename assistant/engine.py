"""The engine: one opened index with its retriever and answer composer.

The HTTP API, the evaluation harness and the tests all go through this object, so they
exercise the same code path.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from threadpoolctl import threadpool_limits

from assistant.answer_model import AnswerModel, AnswerModelError
from assistant.answering import Answer, AnswerComposer, SignalMemo
from assistant.config import PACKAGE_DIR, Settings
from assistant.errors import IndexUnavailableError
from assistant.glossary import Glossary
from assistant.retrieval import Hit, Query, RetrievalMode, Retriever
from assistant.spelling import Correction, Speller
from indexer.embedding import Embedder, QueryCache, load_embedder
from indexer.errors import IndexerError
from indexer.lru import LruCache
from indexer.store import IndexStore

logger = logging.getLogger(__name__)
START_PAGE = PACKAGE_DIR / "static" / "index.html"
_EXAMPLE = re.compile(r'<button type="button" class="example">(.*?)</button>', re.DOTALL)


def offered_questions() -> list[str]:
    """The example questions of the start page: their query vectors are computed at load."""
    return [html.unescape(q).strip() for q in _EXAMPLE.findall(START_PAGE.read_text("utf-8"))]


AnswerKey = bytes


class AnswerCache(LruCache[AnswerKey, Answer]):
    """The answers to questions asked before, for one loaded index (`size` of them).

    For a loaded engine an answer depends on nothing but the index (with the weights it was
    loaded with), the question, the earlier questions of the conversation and the retrieval
    mode, so the key is a digest of those, as given (an answer repeats its question): the
    conversation itself is not kept. A reload makes a new engine
    with an empty cache; a caller that changes the engine's weights in place clears it.
    """

    @staticmethod
    def key(question: str, history: Sequence[str], mode: RetrievalMode) -> AnswerKey:
        """The cache key of a question with its conversation: a digest, 16 bytes."""
        text = json.dumps([question, list(history), mode], ensure_ascii=False)
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class Engine:
    """Search and answer over one published index.

    Usage:
        engine = Engine.load(Settings())
        engine.ask("Wie betaalt de verpleging op school?").sentences
    """

    store: IndexStore
    retriever: Retriever
    composer: AnswerComposer  # decides whether to answer, on the fusion's order
    glossary: Glossary
    answers: AnswerCache = field(default_factory=lambda: AnswerCache(0))
    # Picks the answer's sentences from the second pass's order once `composer` answers;
    # None: `composer` picks them (`Settings.second_pass_answers`).
    second_composer: AnswerComposer | None = None

    @classmethod
    def load(
        cls,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        answer_model: AnswerModel | None = None,
    ) -> Engine:
        """Open the published index and check that the embedder matches the one that built it.

        `answer_model` replaces the one in `settings.answer_model_path` (fitting a new one) and
        leaves the second model out: a model being fitted or judged picks its own sentences.
        The second model (`settings.second_pass_model_path`) is read when
        `settings.second_pass_answers` is on; it picks only while there is a second pass to pick
        from (`_second_picker`), which a fitting grid may turn on and off.

        Raises:
            IndexUnavailableError: no index, a damaged one, one built with another embedder,
                or an answer model file that cannot be read.
        """
        try:
            store = IndexStore.open(settings.index_dir)
            queries = QueryCache.around(
                embedder or load_embedder(settings), size=settings.query_cache_size
            )
            model, second = (
                load_answer_models(settings) if answer_model is None else (answer_model, None)
            )
        except (IndexerError, AnswerModelError) as exc:
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
        # A click on an example or a related question costs no model call: the bank's
        # questions were embedded at index time, the page's fallback examples are here.
        if store.bank is not None and len(store.bank):
            queries.prime(
                store.bank.offered_question_vectors(), embedder_id=store.manifest.embedder_id
            )
        queries.prime_questions(offered_questions())
        glossary = Glossary.load(settings.glossary_path)
        weights = settings.fusion if settings.question_bank else replace(settings.fusion, bank=0.0)
        # Counted once: retrieval filters by topic, the composer names an answer's topic.
        topic_scores = [glossary.topic_scores(c.text) for c in store.chunks]
        retriever = Retriever(
            store,
            queries,
            glossary,
            weights=weights,
            depth=settings.candidate_depth,
            chunk_topic_scores=topic_scores,
            reorder_depth=settings.reorder_depth,
            speller=_speller(store, glossary) if settings.spelling else None,
        )
        composer = AnswerComposer(
            store,
            glossary,
            model,
            max_passages=settings.answer_passages,
            min_confidence=(
                model.min_confidence if settings.min_confidence is None else settings.min_confidence
            ),
            chunk_topic_scores=topic_scores,
        )
        # The second only picks sentences: whether to answer was decided before it is asked.
        second_composer = composer.with_model(second, min_confidence=0.0) if second else None
        logger.info("Loaded index %s (%d chunks)", store.path, len(store.chunks))
        return cls(
            store=store,
            retriever=retriever,
            composer=composer,
            glossary=glossary,
            answers=AnswerCache(settings.answer_cache_size),
            second_composer=second_composer,
        )

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
        """A cited, extractive answer; `history` holds the earlier questions of the conversation.

        Whether the sources answer is decided on the fusion's order, by the model fitted on it
        (its refusals are the ones measured); the sentences then come from the second pass's
        order (`Retriever.reorder_depth`), picked by the model fitted on that order
        (`second_composer`), with the first decision's confidence; with the pass off (or the
        bank, or the second model), in the baselines' modes and for a follow-up, the first
        model picks them from the fusion's order (`_second_picker`). A question asked before
        (with the same conversation) gets the answer given then.
        """
        key = AnswerCache.key(question, history, mode)
        answer = self.answers.get(key)
        if answer is None:
            query = self.retriever.prepare(question, history, spelling=mode == "hybrid")
            k = self.composer.max_passages
            picker = self._second_picker(query, mode)
            if picker is None:  # the fusion's order alone: no second pass to work out
                answer = self.composer.compose(
                    query, self.retriever.retrieve(query, k=k, mode=mode, reorder=False)
                )
            else:
                fusion, second = self.retriever.retrieve_orders(query, k=k, mode=mode)
                memo: SignalMemo = {}  # the two orders share their passages' sentences
                answer = self.composer.compose(query, fusion, memo)
                picked = picker.compose(query, second, memo) if answer.answerable else None
                if picked is not None and picked.answerable:
                    answer = replace(picked, confidence=answer.confidence)
            self.answers.put(key, answer)
        return answer

    def _second_picker(self, query: Query, mode: RetrievalMode) -> AnswerComposer | None:
        """The composer that picks an answer's sentences from the second pass's order, if any.

        None without a second model or a second pass, outside the hybrid mode (the generic
        baselines have no second pass: their answers stay the one model's), and for a
        follow-up: both models were fitted on questions that stand alone, no set of follow-ups
        measures the second, and in the conversation test it lost the follow-up's financing
        sentence. A refusal is known only once the fusion's model has read its passages, so a
        refused question has paid for the second order too.
        """
        if self.second_composer is None or query.context or mode != "hybrid":
            return None
        return self.second_composer if self.retriever.reorders else None

    def corrections(self, question: str, mode: RetrievalMode = "hybrid") -> tuple[Correction, ...]:
        """The mistyped words of a question and what `search` reads them as in this mode.

        Empty with the speller off, and in the generic baselines (`bm25`, `dense`). The speller
        runs again here (0.02 ms a question), so that `search` keeps returning hits alone.
        """
        speller = self.retriever.speller
        if speller is None or mode != "hybrid":
            return ()
        return speller.correct(question).corrections

    def document_text(self, doc_id: str) -> str:
        """The original text of a document, as extracted (citations' spans index it)."""
        return self.store.documents[doc_id].text


def load_answer_models(settings: Settings) -> tuple[AnswerModel, AnswerModel | None]:
    """The answer models the service reads: the fusion's order's, and the second pass's.

    The second is None with `settings.second_pass_answers` off. `Engine.load` and the server's
    start-up check both read them here.

    Raises:
        AnswerModelError: a file unreadable, malformed, or fitted on other features or on the
            other order.
    """
    model = AnswerModel.load(settings.answer_model_for("fusion"))
    if not settings.second_pass_answers:
        return model, None
    return model, AnswerModel.load(settings.answer_model_for("second-pass"), "second-pass")


def _speller(store: IndexStore, glossary: Glossary) -> Speller:
    """The documents' words for reading mistyped ones: BM25's, the bank's and the glossary's."""
    bank = store.bank.questions if store.bank is not None else ()
    return Speller.for_index(store.lexical.analyzer.vocabulary, [*bank, *glossary.words()])


class EngineHolder:
    """The engine currently serving, swapped whole on reload.

    A request takes `holder.engine` once and keeps that object to the end, so a reload never
    changes the index under a request in flight; a failed reload keeps the old engine.
    """

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self._engine = engine
        self._settings = settings
        self._lock = threading.Lock()
        self._refused: Path | None = None  # a published index that failed to load

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

    def reload_if_published(self) -> Engine | None:
        """Load the published index when it is another one than the serving one.

        Returns the new engine, or None when nothing new was published. An index that was
        refused once is not tried again until another one is published.

        Raises:
            IndexUnavailableError: the newly published index is unusable; the old one keeps
                serving.
        """
        published = self._settings.index_dir.resolve()
        if published in (self._engine.store.path, self._refused):
            return None
        try:
            return self.reload()
        except IndexUnavailableError:
            self._refused = published
            raise


class PublishWatcher:
    """A thread that reloads the holder's engine when a new index is published.

    Publishing swaps the `index_dir` symlink; every worker process runs one watcher, so a new
    index reaches all of them within `interval` seconds (plus the load), without a restart.

    Usage:
        watcher = PublishWatcher(holder, interval=2.0)
        watcher.start()
        ...
        watcher.stop()
    """

    def __init__(self, holder: EngineHolder, interval: float) -> None:
        self._holder = holder
        self._interval = interval
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start watching (nothing when the interval is 0)."""
        if self._interval > 0 and self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="index-publish-watcher", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop watching and wait for the thread."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self._thread = None

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                fresh = self._holder.reload_if_published()
            except IndexUnavailableError as exc:
                logger.error("Newly published index refused, keeping the current one: %s", exc)
            except Exception:  # a thread has no caller to report to: log it, keep serving
                logger.exception("Loading the newly published index failed; keeping the current")
            else:
                if fresh is not None:
                    logger.info("Loaded the newly published index %s", fresh.store.path)
