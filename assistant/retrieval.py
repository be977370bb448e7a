"""Hybrid retrieval: BM25, dense e5 vectors and the question bank, fused as standardised scores.

BM25 with the glossary's expansions, e5 cosines of passages and sentences, and each passage's
best question-bank match are standardised over the corpus and summed with the weights of
`FusionWeights`; a second pass orders the first passages again with each passage's bank
questions in its BM25 text (`Retriever.retrieve_orders`).

`mode="bm25"` and `mode="dense"` are the baselines a user would otherwise have (keyword search
in the PDFs, a generic dense RAG): the plain question against one index, no glossary.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from assistant.glossary import Glossary
from assistant.intent import asking_sentence, asks_personally, follow_up_context
from assistant.spelling import Correction, Speller
from indexer.chunking import Chunk
from indexer.embedding import Embedder, normalise
from indexer.lexical import LexicalIndex
from indexer.lru import LruCache
from indexer.store import IndexStore

RetrievalMode = Literal["hybrid", "bm25", "dense"]
Scores = npt.NDArray[np.float32]
_NEAR_DUPLICATE_JACCARD = 0.8
# Pairs of chunks whose near-duplicate check is kept: about 4.5 MB when full (measured).
_DUPLICATE_PAIRS = 20_000
# Up to this many chunks every chunk is scored, so scores are standardised over the corpus.
_EXHAUSTIVE_LIMIT = 50_000
# An asking sentence shorter than this ("Mag dat?") says too little to embed on its own.
_FOCUS_WORDS = 4


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk with its fused score and the scores it was fused from.

    `sentence_scores` holds the cosine similarity of each of its sentences to the question
    (empty for BM25 alone).
    """

    chunk: Chunk
    score: float
    lexical: float
    dense: float
    sentence_scores: tuple[float, ...] = ()
    bank: BankMatch | None = None
    # `score` without the extra bank weight of a parent's question (`FusionWeights.
    # personal_bank`) and before the second pass (`Retriever.reorder_depth`): the scale the
    # answer model's passage features were fitted on.
    base_score: float | None = None


@dataclass(frozen=True, slots=True)
class BankMatch:
    """The question-bank entry of a passage that best matches the question.

    `cosine` is the e5 cosine of the question to the entry's nearest question (high even for
    unrelated questions: compare it with other hits', never use it alone); `score` is the
    combined match (standardised cosine + standardised BM25 over all bank questions) that
    the fusion uses.
    """

    entry_id: str
    question: str
    cosine: float
    score: float


@dataclass(frozen=True, slots=True)
class _BankSignal:
    best: Scores  # per chunk, its best bank question's match
    question: npt.NDArray[np.int64]  # per chunk, that question (-1: the chunk has none)
    cosines: Scores  # per bank question, its cosine to the question asked


@dataclass(frozen=True, slots=True)
class _Signals:
    lexical: Scores  # per chunk
    dense: Scores  # per chunk; NaN where not scored
    sentences: Scores  # per sentence vector; empty when not computed, NaN where not scored
    windows: Scores  # per chunk, its best window's BM25; empty when not computed
    vector: Scores | None = None  # the question's vector, for sentences not scored yet
    bank: _BankSignal | None = None  # None when the bank is off or empty
    personal: bool = False  # the question reads as a parent's (`Query.personal`)


@dataclass(frozen=True, slots=True, kw_only=True)
class Query:
    """A question prepared for retrieval and answering, analysed once (`Retriever.prepare`).

    `terms`, `context_terms` and `expansion_terms` are BM25 terms of the question, of the
    earlier questions and of the glossary's expansions; `topic_scores` counts each topic's
    words in all of them.
    """

    text: str  # as read: mistyped words replaced (`corrections`)
    context: str  # the earlier questions a follow-up leans on; "" for one that stands alone
    terms: tuple[str, ...]
    context_terms: tuple[str, ...]
    expansion_terms: tuple[str, ...]
    topic_scores: tuple[tuple[str, int], ...]
    personal: bool = False  # reads as a parent's (`assistant.intent.asks_personally`)
    corrections: tuple[Correction, ...] = ()  # words of `text` read as the documents' words

    @property
    def topic(self) -> str | None:
        """The topic most of whose words the question holds; None when it holds none."""
        best = max(self.topic_scores, key=lambda item: item[1], default=None)
        return best[0] if best is not None and best[1] > 0 else None

    @property
    def full_text(self) -> str:
        """What both indexes match: a follow-up carries the question it follows."""
        return f"{self.context} {self.text}".strip()

    @property
    def full_terms(self) -> tuple[str, ...]:
        """The BM25 terms of `full_text`."""
        return (*self.context_terms, *self.terms)


@dataclass(frozen=True, slots=True)
class FusionWeights:
    """Weights of the hybrid score; cross-validated with `python -m eval fit-fusion` (README)."""

    expansions: float = 1.0
    context: float = 0.5  # the earlier question's words fill in a follow-up, at this weight
    topic: float = 0.25
    dense: float = 1.5
    prior: float = 0.2
    window: float = 0.3
    bank: float = 0.3  # the question bank's best match; 0 turns it off
    # `bank` is multiplied by this for a question that reads as a parent's: their words are
    # furthest from the documents' and nearest to the bank's. The answer model sees the
    # fusion without it (`Hit.base_score`). Cross-validated with the bank's situations: 15
    # in every fold (README, Evaluation).
    personal_bank: float = 15.0
    # A question of several sentences (a parent's story, then the question) also embeds its
    # asking sentence (`assistant.intent.asking_sentence`, 4 words or more) and adds it to
    # the whole question's vector at this weight; 0 embeds the whole question only.
    # Cross-validated on dev and heldout: 0.25 in three folds of five (README, Evaluation).
    focus: float = 0.25
    # The second pass (`Retriever.reorder_depth`) orders the fusion's first passages again by
    # the same fusion with this share of the BM25 term taken over each passage followed by its
    # bank questions (`indexer.bank.BankIndex.passages`: doc2query with the editors'
    # questions), and the parents' bank factor `reorder_personal_bank`; 0 turns it off.
    bank_terms: float = 1.0
    reorder_personal_bank: float = 7.5


# Words that state a rule, and words that tell a case; their balance is the rule prior.
_NORMATIVE = re.compile(
    r"\b(?:moet|moeten|mag|mogen|verplicht|wettelijk|artikel|wet|bepaalt|verantwoordelijk|"
    r"recht op|toestemming|instemming|vrijstelling|dient|is het mogelijk|kan een)\b",
    re.IGNORECASE,
)
_NARRATIVE = re.compile(r"“|”|\b(?:vertelt|zegt|ik|we|mijn|casus|interview)\b", re.IGNORECASE)


def rule_prior(text: str) -> float:
    """Rule words minus story words per hundred words of a passage."""
    words = max(1, len(text.split()))
    return 100 * (len(_NORMATIVE.findall(text)) - len(_NARRATIVE.findall(text))) / words


def _standardise(values: Scores) -> Scores:
    spread = float(values.std())
    if spread == 0:
        return np.zeros_like(values)
    result: Scores = (values - values.mean()) / spread
    return result


class Retriever:
    """Searches one opened index.

    Hybrid scoring, over every chunk (flat vectors, up to `_EXHAUSTIVE_LIMIT` chunks), else
    over a pool of the `depth` best of BM25 and of the dense search:

        z(bm25(question) + a·bm25(expansions) + t·bm25(topic vocabulary))
            + v·z(best window's bm25(question) + a·bm25(expansions))
            + w·z(dense cosine) + p·z(rule prior) + b·z(best question-bank match)

    where z standardises a signal over the chunks scored, the expansions come from the glossary, the
    topic vocabulary is that of the topic the question is recognised to be about, a window is
    a run of `indexer.lexical.WINDOW_SENTENCES` sentences of the passage, indexed at build
    time (in a passage of 300 words, the words
    of a question spread over all of it count less than the same words close together), and
    the rule prior favours passages that state rules over passages that tell a case, and the
    bank match is that of the best question of the passage's bank entries (`bank_scores`).

    A second pass then orders the first `reorder_depth` hits again by the same sum with the
    BM25 term taken over each passage followed by its bank questions (`expanded_scores`) and
    the parents' factor `FusionWeights.reorder_personal_bank`. It changes only the order of
    those hits, never which of them the depth holds: a passage the fusion ranked 12th can come
    first, one it ranked below the depth cannot (a `k` below the depth gets the first k of the
    new order). The engine decides whether to answer on the fusion's order and picks the
    answer's sentences from the second pass's (`retrieve_orders`, `assistant.engine.Engine.ask`).

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
        weights: FusionWeights | None = None,
        depth: int = 60,
        chunk_topic_scores: Sequence[Mapping[str, int]] | None = None,
        reorder_depth: int = 20,
        speller: Speller | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.glossary = glossary
        self.weights = weights or FusionWeights()
        self.depth = min(depth, len(store.chunks))  # candidates per signal in a large corpus
        # The second pass orders this many of the fusion's first hits again (below 2: none).
        self.reorder_depth = reorder_depth
        # Reads mistyped words of a question as the documents' words; None: as typed.
        self.speller = speller
        # `glossary.topic_scores` of every chunk, in store order: the engine counts them once
        # for the retriever and the answer composer.
        if chunk_topic_scores is None:
            chunk_topic_scores = [glossary.topic_scores(c.text) for c in store.chunks]
        if len(chunk_topic_scores) != len(store.chunks):
            raise ValueError(
                f"{len(chunk_topic_scores)} chunk topic scores for {len(store.chunks)} chunks"
            )
        self._chunk_topics = [
            frozenset(t for t, n in scores.items() if n) for scores in chunk_topic_scores
        ]
        self._word_sets = [frozenset(c.text.lower().split()) for c in store.chunks]
        self._duplicate_pairs: LruCache[tuple[int, int], bool] = LruCache(_DUPLICATE_PAIRS)
        # Work that does not depend on the question is done once, here.
        self._topic_scores = {
            t.name: store.lexical.scores(" ".join(t.terms)) for t in glossary.topics
        }
        self._prior = np.array([rule_prior(c.text) for c in store.chunks], dtype=np.float32)
        counts = [len(c.sentences) for c in store.chunks]
        self._sentence_start = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        # (bank question, chunk row) for every chunk an entry is anchored in.
        bank = store.bank
        self._bank_owner = np.array(
            [
                (q, row)
                for q, e in enumerate(bank.question_entry)
                for row in bank.entries[e].chunk_rows
            ],
            dtype=np.int64,
        ).reshape(-1, 2)

    def prepare(
        self, question: str, history: Sequence[str] = (), *, spelling: bool = True
    ) -> Query:
        """Attach the conversation, the glossary's expansions and the topic to a question.

        Mistyped words of the question and the conversation are read as the documents' words
        first (`speller`; `spelling=False` leaves them as typed, for the generic baselines);
        `Query.corrections` says which of the question's. The earlier questions count only for
        a follow-up that leaves its subject to them (`assistant.intent.follow_up_context`): the
        new question decides what is asked.
        """
        corrections: tuple[Correction, ...] = ()
        if spelling and self.speller is not None:
            corrected = self.speller.correct(question)
            question, corrections = corrected.text, corrected.corrections
            history = [self.speller.correct(h).text for h in history]
        context = follow_up_context(question, history)
        asked = f"{context} {question}"
        expansions = " ".join(self.glossary.expansions(asked))
        analyzer = self.store.lexical.analyzer
        return Query(
            text=question,
            context=context,
            terms=tuple(analyzer.terms(question)),
            context_terms=tuple(analyzer.terms(context)),
            expansion_terms=tuple(analyzer.terms(expansions)),
            topic_scores=tuple(self.glossary.topic_scores(f"{asked} {expansions}").items()),
            personal=asks_personally(asked),
            corrections=corrections,
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
        return self.retrieve(
            self.prepare(question, history, spelling=mode == "hybrid"),
            k=k,
            mode=mode,
            doc_ids=doc_ids,
            topic=topic,
        )

    def retrieve(
        self,
        query: Query,
        *,
        k: int = 10,
        mode: RetrievalMode = "hybrid",
        doc_ids: Collection[str] | None = None,
        topic: str | None = None,
        reorder: bool = True,
    ) -> list[Hit]:
        """`search` for a question already prepared with `prepare`.

        `reorder=False` leaves out the second pass (`reorder_depth`): the fusion's own order.
        """
        fusion, second = self._retrieve(query, k, mode, doc_ids, topic, reorder=reorder)
        return second if reorder else fusion

    @property
    def reorders(self) -> bool:
        """Whether the second pass runs: a depth of two or more, and the bank's BM25 to use."""
        return self.reorder_depth >= 2 and self._expands

    @property
    def _expands(self) -> bool:
        """Whether there is a BM25 over the passages and their bank questions to use."""
        return (
            self.store.bank.passages is not None
            and bool(self.weights.bank)
            and bool(self.weights.bank_terms)
        )

    def retrieve_orders(
        self,
        query: Query,
        *,
        k: int = 10,
        mode: RetrievalMode = "hybrid",
        doc_ids: Collection[str] | None = None,
        topic: str | None = None,
    ) -> tuple[list[Hit], list[Hit]]:
        """The first k hits in the fusion's order and in the second pass's, from one fusion.

        The engine decides whether to answer on the first (the order its refusal was fitted on)
        and composes the answer from the second (`assistant.engine.Engine.ask`). Outside the
        hybrid mode, or with the pass off, the two are the same.
        """
        return self._retrieve(query, k, mode, doc_ids, topic, reorder=True)

    def _retrieve(
        self,
        query: Query,
        k: int,
        mode: RetrievalMode,
        doc_ids: Collection[str] | None,
        topic: str | None,
        *,
        reorder: bool,
    ) -> tuple[list[Hit], list[Hit]]:
        """The fusion's first k hits, and the second pass's (the same when `reorder` is off)."""
        n = len(self.store.chunks)
        empty = np.zeros(0, dtype=np.float32)
        if mode == "bm25":
            lexical = self.store.lexical.scores(query.full_terms)
            signals = _Signals(lexical, np.full(n, np.nan, dtype=np.float32), empty, empty)
            fused = lexical
        elif mode == "dense":  # the generic baseline: the whole question's vector only
            dense, sentences, vector = self._dense(query, focus=False)
            signals = _Signals(np.zeros(n, dtype=np.float32), dense, sentences, empty, vector)
            fused = np.nan_to_num(dense, nan=-1.0)
        else:
            dense, sentences, vector = self._dense(query)
            lexical, windows = self.lexical_scores(query), self.window_scores(query)
            bank = self.bank_scores(query, vector)
            signals = _Signals(lexical, dense, sentences, windows, vector, bank, query.personal)
            fused, base = self.fuse(signals)
            expanded = self.expanded_scores(query) if reorder and self.reorders else None
            wanted = k if expanded is None else max(k, self.reorder_depth)
            hits = self._top(fused, signals, wanted, self._allowed(doc_ids, topic), base)
            if expanded is None:
                return hits, hits
            return hits[:k], self._reorder(hits, signals, expanded)[:k]
        hits = self._top(fused, signals, k, self._allowed(doc_ids, topic))
        return hits, hits

    def _reorder(self, hits: list[Hit], signals: _Signals, expanded: Scores) -> list[Hit]:
        """The second pass: the first `reorder_depth` hits ordered by the doc2query fusion.

        Only their order changes: the `reorder_depth` passages are the fusion's first ones, and
        the scores are the fusion's, handed out in the new order (the best score to the first
        passage), so that the list stays best first; `base_score` stays each passage's own.
        """
        w = self.weights
        lexical = (1 - w.bank_terms) * _standardise(signals.lexical) + w.bank_terms * (
            _standardise(expanded)
        )
        head = hits[: self.reorder_depth]
        rows = [self.store.row_of[h.chunk.chunk_id] for h in head]
        second, _ = self._fuse(
            replace(signals, lexical=lexical.astype(np.float32)), w.reorder_personal_bank, rows
        )
        order = sorted(range(len(head)), key=lambda i: -float(second[rows[i]]))
        scores = sorted((h.score for h in head), reverse=True)
        reordered = [replace(head[i], score=s) for i, s in zip(order, scores, strict=True)]
        return reordered + hits[self.reorder_depth :]

    def lexical_scores(self, query: Query) -> Scores:
        """BM25 of the question (with its context), its expansions and its topic's vocabulary."""
        scores = self._bm25(self.store.lexical, query)
        if query.topic in self._topic_scores:
            scores = scores + self.weights.topic * self._topic_scores[query.topic]
        return scores

    def expanded_scores(self, query: Query) -> Scores | None:
        """BM25 over each passage followed by its bank questions (doc2query), without the topic.

        The question (with its context) and its expansions, as in `lexical_scores`, but not the
        recognised topic's vocabulary: the second pass asks which of the first passages answers
        the question's own words, and a topic's vocabulary, which helps the first pass find
        candidates, is in nearly every question of that topic's bank entries (with it the
        second pass gained 0.02-0.06 less of parents' MRR@10 on dev, heldout and chat). None
        when the bank is off or empty, or `FusionWeights.bank_terms` is 0.
        """
        passages = self.store.bank.passages
        if passages is None or not self._expands:  # the first test narrows the type
            return None
        return self._bm25(passages, query)

    def window_scores(self, query: Query) -> Scores:
        """Per chunk, the BM25 of its best window for the question and its expansions."""
        best = np.zeros(len(self.store.chunks), dtype=np.float32)
        np.maximum.at(best, self.store.sentence_owner, self._bm25(self.store.windows, query))
        return best

    def _bm25(self, index: LexicalIndex, query: Query) -> Scores:
        asked, expanded = query.full_terms, query.expansion_terms
        scores = index.scores(query.terms)
        if query.context_terms:
            scores = scores + self.weights.context * index.scores(query.context_terms)
        if expanded:
            # Many expansions must not drown the question's own specific words.
            share = min(1.0, max(1, len(asked)) / len(expanded))
            scores = scores + self.weights.expansions * share * index.scores(expanded)
        return scores

    def dense_scores(self, query: Query) -> tuple[Scores, Scores]:
        """Cosine similarity of the question to every chunk and to every sentence.

        In a corpus too large to score whole, or with approximate (HNSW) vectors, only the
        `depth` nearest chunks and their sentences are scored; the rest get NaN (at 100x the
        corpus, every sentence would cost 30 ms a question, an HNSW search for every chunk
        more than that).
        """
        scores, sentences, _ = self._dense(query)
        return scores, sentences

    def _dense(self, query: Query, *, focus: bool = True) -> tuple[Scores, Scores, Scores]:
        """`dense_scores` and the question's vector (embedded once, for the bank too)."""
        vector = self._query_vector(query, focus=focus)
        n = len(self.store.chunks)
        exhaustive = n <= _EXHAUSTIVE_LIMIT and self.store.manifest.vector_index == "flat"
        similarities, rows = self.store.vectors.search(
            vector[None, :], n if exhaustive else self.depth
        )
        scores = np.full(n, np.nan, dtype=np.float32)
        valid = rows[0] >= 0
        scores[rows[0][valid]] = similarities[0][valid]
        if exhaustive:
            sentences: Scores = np.asarray(self.store.sentence_vectors @ vector, np.float32)
        else:
            sentences = np.full(len(self.store.sentence_owner), np.nan, dtype=np.float32)
            for row in rows[0][valid]:
                part = self._sentence_rows(int(row))
                sentences[part] = self.store.sentence_vectors[part] @ vector
        return scores, sentences, vector

    def _query_vector(self, query: Query, *, focus: bool) -> Scores:
        """The question's embedding, leaning towards its asking sentence (`FusionWeights.focus`)."""
        vector = self.embedder.embed_query(query.full_text)
        if not focus or not self.weights.focus:
            return vector
        asked = asking_sentence(query.text)
        if asked == query.text.strip() or len(asked.split()) < _FOCUS_WORDS:
            return vector
        focused = vector + self.weights.focus * self.embedder.embed_query(asked)
        result: Scores = normalise(focused)[0]
        return result

    def _sentence_rows(self, row: int) -> slice:
        first = int(self._sentence_start[row])
        return slice(first, first + len(self.store.chunks[row].sentences))

    def bank_scores(self, query: Query, vector: Scores) -> _BankSignal | None:
        """Per chunk, its best question-bank match, and which bank question that is.

        A bank question's match is z(e5 cosine to the question) + z(BM25 of the question
        against the bank's questions), standardised over all bank questions; a chunk gets the
        best match among the questions of its entries, and chunks without entries the
        lowest; `vector` is the question's embedding. Nothing is computed (None) when the bank
        is off or empty.
        """
        bank = self.store.bank
        if not self.weights.bank or not len(bank) or bank.lexical is None:
            return None
        cosines = np.asarray(bank.vectors @ vector, np.float32)
        per_question = _standardise(cosines) + _standardise(self._bm25(bank.lexical, query))
        floor = float(per_question.min())
        best = np.full(len(self.store.chunks), floor, dtype=np.float32)
        best_question = np.full(len(self.store.chunks), -1, dtype=np.int64)
        owners = self._bank_owner
        order = np.argsort(per_question[owners[:, 0]], kind="stable")
        best[owners[order, 1]] = per_question[owners[order, 0]]  # the last write (best) wins
        best_question[owners[order, 1]] = owners[order, 0]
        return _BankSignal(best, best_question, cosines)

    def fuse(self, signals: _Signals) -> tuple[Scores, Scores]:
        """Standardised scores summed over the pool (-inf outside), with and without extras.

        See `_fuse`; the parents' bank factor is `FusionWeights.personal_bank`.
        """
        return self._fuse(signals, self.weights.personal_bank)

    def _fuse(
        self, signals: _Signals, personal_bank: float, rows: Sequence[int] = ()
    ) -> tuple[Scores, Scores]:
        """Standardised scores summed over the pool (-inf outside), with and without extras.

        `rows` join the pool whatever their signals (the second pass scores its passages).

        The second array leaves out the extra bank weight of a parent's question (it is the
        first one when there is none): `Hit.base_score`, what the answer model sees.

        The dense signal of a chunk is the mean of its own cosine and its best sentence's: a
        question often matches one sentence of a passage better than the whole.
        """
        lexical, dense = signals.lexical, signals.dense
        if len(signals.sentences):
            best_sentence = np.full(len(dense), -1.0, dtype=np.float32)
            # fmax: sentences not scored (NaN) leave -1; their passage has no dense score either.
            np.fmax.at(best_sentence, self.store.sentence_owner, signals.sentences)
            dense = ((dense + best_sentence) / 2).astype(np.float32)
        pool = np.zeros(len(lexical), dtype=bool)
        pool[np.argsort(-lexical, kind="stable")[: self.depth]] = True
        pool |= ~np.isnan(dense)
        pool[list(rows)] = True
        dense_filled = np.where(np.isnan(dense), np.nanmin(dense), dense)
        fused = np.full(len(lexical), -np.inf, dtype=np.float32)
        w = self.weights
        fused[pool] = (
            _standardise(lexical[pool])
            + w.dense * _standardise(dense_filled[pool])
            + w.prior * _standardise(self._prior[pool])
        )
        if len(signals.windows):
            fused[pool] += w.window * _standardise(signals.windows[pool])
        base = fused
        if signals.bank is not None:
            bank = w.bank * _standardise(signals.bank.best[pool])
            fused[pool] += bank
            if signals.personal:
                base = fused.copy()
                fused[pool] += (personal_bank - 1.0) * bank
        return fused, base

    def _allowed(self, doc_ids: Collection[str] | None, topic: str | None) -> list[bool] | None:
        if not doc_ids and not topic:
            return None
        wanted = set(doc_ids or ())
        return [
            (not wanted or c.doc_id in wanted) and (not topic or topic in self._chunk_topics[i])
            for i, c in enumerate(self.store.chunks)
        ]

    def _top(
        self,
        fused: Scores,
        signals: _Signals,
        k: int,
        allowed: list[bool] | None,
        base: Scores | None = None,
    ) -> list[Hit]:
        hits: list[Hit] = []
        kept_rows: list[int] = []
        for row in np.argsort(-fused, kind="stable"):
            if len(hits) == k:
                break
            if (allowed is not None and not allowed[row]) or self._near_duplicate(row, kept_rows):
                continue
            kept_rows.append(int(row))
            part = self._sentence_rows(int(row))
            scored = signals.sentences[part]
            if signals.vector is not None and np.isnan(scored).any():  # not a dense candidate
                scored = self.store.sentence_vectors[part] @ signals.vector
            sentence_scores = tuple(float(x) for x in scored) if len(signals.sentences) else ()
            hits.append(
                Hit(
                    chunk=self.store.chunks[row],
                    score=float(fused[row]),
                    lexical=float(signals.lexical[row]),
                    dense=float(np.nan_to_num(signals.dense[row], nan=-1.0)),
                    sentence_scores=sentence_scores,
                    bank=self._bank_match(signals, int(row)),
                    base_score=float(base[row]) if base is not None else None,
                )
            )
        return hits

    def _bank_match(self, signals: _Signals, row: int) -> BankMatch | None:
        signal = signals.bank
        if signal is None or signal.question[row] < 0:
            return None
        bank = self.store.bank
        question = int(signal.question[row])
        entry = bank.entries[int(bank.question_entry[question])].entry
        return BankMatch(
            entry_id=entry.entry_id,
            question=bank.questions[question],
            cosine=float(signal.cosines[question]),
            score=float(signal.best[row]),
        )

    def _near_duplicate(self, row: int, kept: list[int]) -> bool:
        """Whether a chunk is a near-duplicate of one already kept (word-set Jaccard >= 0.8).

        Whether two chunks are is the same for every question: a pair is worked out once and
        kept (`_duplicate_pairs`), since the same passages come up together again and again.
        """
        for other in kept:
            pair = (row, other) if row < other else (other, row)
            duplicate = self._duplicate_pairs.get(pair)
            if duplicate is None:
                duplicate = self._jaccard_at_least(*pair)
                self._duplicate_pairs.put(pair, duplicate)
            if duplicate:
                return True
        return False

    def _jaccard_at_least(self, row: int, other: int) -> bool:
        words, other_words = self._word_sets[row], self._word_sets[other]
        smaller, larger = sorted((len(words), len(other_words)))
        # The Jaccard of two sets is at most the ratio of their sizes: many pairs are settled
        # by their sizes alone, before any set is built.
        if not larger or smaller < _NEAR_DUPLICATE_JACCARD * larger:
            return False
        shared = len(words & other_words)
        return shared / (len(words) + len(other_words) - shared) >= _NEAR_DUPLICATE_JACCARD
