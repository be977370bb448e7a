"""Extractive answers: choose and order sentences of the retrieved passages, each cited.

No sentence is written here: every answer sentence is a sentence of a retrieved chunk, copied
verbatim. When the best passages do not cover the question's words well enough the answer is
"not in the sources" with the closest passages, rather than unrelated sentences strung together.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer_types import answer_type, fits_answer_type
from assistant.glossary import OTHER_TOPIC, Glossary, Term
from assistant.references import extract_parties, extract_rules
from assistant.retrieval import Hit, Query
from indexer.chunking import Chunk
from indexer.lexical import DutchAnalyzer
from indexer.store import IndexStore

NOT_IN_SOURCES = (
    "Dit staat niet in de bronnen. De documenten geven op deze vraag geen duidelijk antwoord; "
    "hieronder staan de passages die er het dichtst bij komen."
)
ANSWER_INTRO = "Dit zeggen de bronnen hierover:"
_MIN_SENTENCE_WORDS = 5
_MAX_SENTENCE_WORDS = 90
_RELATIVE_CUTOFF = 0.45  # a sentence must score at least this share of the best one
_LIST_MARKER = re.compile(r"(?:[•▪●\-–*\uf0b7]|\d{1,2}[.)]|[a-z][.)])\s+")


@dataclass(frozen=True, slots=True)
class AnswerSentence:
    """One sentence of an answer, verbatim from a passage, with its citation numbers."""

    text: str
    citations: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Citation:
    """A cited passage; `quote_spans` locate the cited sentences within `chunk.text`."""

    n: int
    chunk: Chunk
    quote: str
    quote_spans: tuple[tuple[int, int], ...]
    score: float


@dataclass(frozen=True, slots=True)
class Answer:
    """A structured, extractive answer."""

    question: str
    answerable: bool
    topic: str
    message: str
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]
    rules: tuple[str, ...]
    parties: tuple[str, ...]
    confidence: float
    terms: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class _Candidate:
    hit_index: int
    span: tuple[int, int]
    score: float
    coverage: float  # idf-weighted share of the question's words in the sentence
    meaning: float | None  # the sentence's cosine to the question, scaled to 0..1; None: unknown


class AnswerComposer:
    """Builds answers from retrieved hits; sentence statistics are computed once, at load.

    Usage:
        composer = AnswerComposer(store, glossary)
        answer = composer.compose(query, hits)
    """

    def __init__(
        self,
        store: IndexStore,
        glossary: Glossary,
        *,
        max_passages: int = 5,
        max_sentences: int = 4,
        max_cited: int = 2,
        max_per_passage: int = 4,
        another_passage_cutoff: float = 0.9,
        similarity_weight: float = 0.5,
        rank_weight: float = 0.7,
        min_confidence: float = 0.34,
    ) -> None:
        self.glossary = glossary
        self.analyzer: DutchAnalyzer = store.lexical.analyzer
        self.max_passages = max_passages
        self.max_sentences = max_sentences
        self.max_cited = max_cited
        self.max_per_passage = max_per_passage
        # Another passage is cited only for a sentence scoring this share of the best one.
        self.another_passage_cutoff = another_passage_cutoff
        self.similarity_weight = similarity_weight  # meaning (cosine) against word overlap
        self.rank_weight = rank_weight  # how much the rank of a sentence's passage counts
        self.min_confidence = min_confidence
        self._sentence_terms = {
            c.chunk_id: [frozenset(self.analyzer.terms(c.text[a:b])) for a, b in c.sentences]
            for c in store.chunks
        }
        df = Counter(t for c in store.chunks for t in set(self.analyzer.terms(c.text)))
        n = len(store.chunks)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._chunk_topic_scores = {c.chunk_id: glossary.topic_scores(c.text) for c in store.chunks}

    def compose(self, query: Query, hits: Sequence[Hit]) -> Answer:
        """The answer to `query` from `hits` (best first)."""
        passages = list(hits[: self.max_passages])
        question_terms = self._weights(query)
        wanted = answer_type(query.text)
        candidates = [
            c
            for c in self._candidates(passages, question_terms)
            if fits_answer_type(_sentence(passages, c), wanted)
        ]
        confidence = round(
            self._confidence(candidates, passages) * (1 - self.unknown_share(query)), 3
        )
        topic = self._topic(query, passages)
        if not candidates or confidence < self.min_confidence:
            return self._not_in_sources(query, passages, topic, confidence)
        chosen = self._choose(candidates)
        return self._answer(query, passages, chosen, topic, confidence)

    def _weights(self, query: Query) -> dict[str, float]:
        """Question terms the corpus knows weigh by idf; expansion terms count half.

        The context (the earlier questions) counts as the question: it names what a follow-up
        such as "en wie betaalt dat dan?" is about.
        """
        weights: dict[str, float] = {}
        for term in query.expansion_terms:
            if term in self._idf:
                weights[term] = 0.5 * self._idf[term]
        for term in query.full_terms:
            if term in self._idf:
                weights[term] = self._idf[term]
        return weights

    def unknown_share(self, query: Query) -> float:
        """The share of the question's words that no passage of the corpus uses.

        A question about football shares "school" with the corpus, not "voetbalclub".
        """
        terms = set(query.terms)
        return sum(t not in self._idf for t in terms) / len(terms) if terms else 1.0

    def _candidates(self, passages: Sequence[Hit], weights: dict[str, float]) -> list[_Candidate]:
        total = sum(weights.values()) or 1.0
        candidates: list[_Candidate] = []
        seen: set[str] = set()
        for index, hit in enumerate(passages):
            spans = hit.chunk.sentences
            similarities: Sequence[float | None] = hit.sentence_scores or (None,) * len(spans)
            for span, terms, similarity in zip(
                spans, self._sentence_terms[hit.chunk.chunk_id], similarities, strict=True
            ):
                span = _without_list_marker(hit.chunk.text, span)
                sentence = hit.chunk.text[span[0] : span[1]]
                words = len(sentence.split())
                if not _MIN_SENTENCE_WORDS <= words <= _MAX_SENTENCE_WORDS:
                    continue
                if sentence.rstrip().endswith("?"):
                    continue  # a question in the text asks; it does not answer
                coverage = sum(w for t, w in weights.items() if t in terms) / total
                key = " ".join(sentence.lower().split())
                if coverage <= 0 or key in seen:
                    continue
                seen.add(key)
                rank_prior = 1.0 / (1 + index)
                meaning = None if similarity is None else _scaled_similarity(similarity)
                score = self._blend(coverage, meaning) * (
                    1 - self.rank_weight + self.rank_weight * rank_prior
                )
                candidates.append(_Candidate(index, span, score, coverage, meaning))
        return sorted(candidates, key=lambda c: -c.score)

    def _confidence(self, candidates: Sequence[_Candidate], passages: Sequence[Hit]) -> float:
        if not candidates or not passages:
            return 0.0
        best = candidates[0]
        coverage = min(max(c.coverage for c in candidates) * 1.5, 1.0)
        meanings = [c.meaning for c in candidates if c.meaning is not None]
        meaning = max(meanings) if meanings else coverage  # BM25 alone: words only
        return (0.5 * coverage + 0.5 * meaning) * (0.5 + 0.5 * min(best.score * 2, 1.0))

    def _blend(self, coverage: float, meaning: float | None) -> float:
        """A sentence's score from its words and, when known, its meaning."""
        if meaning is None:
            return coverage
        return (1 - self.similarity_weight) * coverage + self.similarity_weight * meaning

    def _choose(self, candidates: Sequence[_Candidate]) -> list[_Candidate]:
        best = candidates[0].score
        chosen: list[_Candidate] = []
        per_chunk: Counter[int] = Counter()
        for cand in candidates:
            if len(chosen) == self.max_sentences or cand.score < _RELATIVE_CUTOFF * best:
                break
            if per_chunk[cand.hit_index] >= self.max_per_passage:
                continue
            if cand.hit_index not in per_chunk and (
                len(per_chunk) == self.max_cited
                or (per_chunk and cand.score < self.another_passage_cutoff * best)
            ):
                continue  # another passage is cited only for a sentence nearly as good
            chosen.append(cand)
            per_chunk[cand.hit_index] += 1
        return sorted(chosen, key=lambda c: (c.hit_index, c.span))

    def _answer(
        self,
        query: Query,
        passages: Sequence[Hit],
        chosen: Sequence[_Candidate],
        topic: str,
        confidence: float,
    ) -> Answer:
        numbers: dict[int, int] = {}
        for cand in chosen:
            numbers.setdefault(cand.hit_index, len(numbers) + 1)
        citations = tuple(
            self._citation(n, passages[i], [c.span for c in chosen if c.hit_index == i])
            for i, n in numbers.items()
        )
        sentences = tuple(
            AnswerSentence(
                text=passages[c.hit_index].chunk.text[c.span[0] : c.span[1]],
                citations=(numbers[c.hit_index],),
            )
            for c in chosen
        )
        cited_text = " ".join(s.text for s in sentences)
        return Answer(
            question=query.text,
            answerable=True,
            topic=topic,
            message=ANSWER_INTRO,
            sentences=sentences,
            citations=citations,
            rules=extract_rules(" ".join(c.chunk.text for c in citations)),
            parties=extract_parties(cited_text),
            confidence=confidence,
            terms=tuple(self.glossary.terms_in(cited_text)),
        )

    def _not_in_sources(
        self, query: Query, passages: Sequence[Hit], topic: str, confidence: float
    ) -> Answer:
        closest = tuple(self._citation(i + 1, hit, []) for i, hit in enumerate(passages[:3]))
        return Answer(
            question=query.text,
            answerable=False,
            topic=topic,
            message=NOT_IN_SOURCES,
            sentences=(),
            citations=closest,
            rules=(),
            parties=(),
            confidence=confidence,
            terms=(),
        )

    @staticmethod
    def _citation(n: int, hit: Hit, spans: Sequence[tuple[int, int]]) -> Citation:
        spans = sorted(spans)
        quote = " ".join(hit.chunk.text[a:b] for a, b in spans) or _lead(hit.chunk)
        return Citation(
            n=n, chunk=hit.chunk, quote=quote, quote_spans=tuple(spans), score=hit.score
        )

    def _topic(self, query: Query, passages: Sequence[Hit]) -> str:
        scores: Counter[str] = Counter()
        for topic, n in query.topic_scores:
            scores[topic] += 3 * n
        for hit in passages[:3]:
            for topic, n in self._chunk_topic_scores[hit.chunk.chunk_id].items():
                scores[topic] += n
        best = scores.most_common(1)
        return best[0][0] if best and best[0][1] > 0 else OTHER_TOPIC


def _sentence(passages: Sequence[Hit], candidate: _Candidate) -> str:
    start, end = candidate.span
    return passages[candidate.hit_index].chunk.text[start:end]


def _scaled_similarity(cosine: float) -> float:
    """e5 cosines of related Dutch texts lie between ~0.78 and ~0.92: map that range to 0..1."""
    return min(max((cosine - 0.78) / 0.14, 0.0), 1.0)


def _without_list_marker(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span without a leading bullet or list number ("- ", "• ", "2. ")."""
    marker = _LIST_MARKER.match(text, span[0], span[1])
    return (marker.end(), span[1]) if marker else span


def _lead(chunk: Chunk) -> str:
    """The first sentence of a chunk, as the quote of a passage shown without a cited span."""
    if not chunk.sentences:
        return chunk.text[:300]
    a, b = chunk.sentences[0]
    return chunk.text[a:b]
