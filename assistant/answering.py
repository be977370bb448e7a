"""Extractive answers: the sentences of the retrieved passages that answer, each cited.

No sentence is written here: every answer sentence is a sentence of a retrieved chunk, copied
verbatim. Every candidate sentence of the best passages is scored for how well it answers the
question (`assistant.answer_model`: its meaning, the question's words it holds, its passage's
score and rank, the cues of a rule, party, action or definition crossed with what the question
asks, `assistant.intent`). The answer is structured:

- `short_answer`: the one or two sentences that answer best, best first, each after the
  sentences it points back at (at most four in all);
- `explanation`: up to three more, by passage (best first), in reading order within each;
- `next_steps`: what the sources say a parent can do or whom to turn to, when they say it.

A passage other than the first is cited whenever its sentence answers better. When no sentence
answers well enough the answer is "not in the sources" with the closest passages, rather than
unrelated sentences strung together.
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.addressees import sentence_addressees
from assistant.answer_model import (
    AnswerModel,
    CandidateSignals,
    feature_rows,
)
from assistant.answer_types import AnswerType, fits_answer_type
from assistant.answer_units import Unit, anchored_sentences, chunk_units
from assistant.glossary import OTHER_TOPIC, Glossary, Term
from assistant.intent import Intent, QuestionKind, classify
from assistant.places import Gazetteer, municipalities
from assistant.references import extract_parties, extract_rules
from assistant.retrieval import Hit, Query
from assistant.spelling import Correction
from indexer.chunking import Chunk
from indexer.figures import gaps_within
from indexer.lexical import DutchAnalyzer
from indexer.store import IndexStore

NOT_IN_SOURCES = (
    "Dit staat niet in de bronnen. De documenten geven op deze vraag geen duidelijk antwoord; "
    "hieronder staan de passages die er het dichtst bij komen."
)
ANSWER_INTRO = "Dit zeggen de bronnen hierover:"
_DUPLICATE_JACCARD = 0.7  # sentences sharing this share of their words are said once
_MAX_ANTECEDENTS = 3  # sentences before one that points back, each pointing back in turn
_MAX_SHORT_SENTENCES = 4  # a short answer with the sentences it points back at


# One question's signals of a candidate unit that do not depend on its passage's place, by
# (chunk id, first sentence, last sentence): meaning, neighbours' meaning, the question's,
# its expansions' and its context's words held, the question's words its section holds.
SignalMemo = dict[tuple[str, int, int], tuple[float, float, float, float, float, float]]


@dataclass(frozen=True, slots=True)
class AnswerSentence:
    """One sentence of an answer, verbatim from a passage, with its citation numbers.

    `gaps` are the offsets in `text` where the extraction lost a figure (`indexer.figures`);
    `addressed_to` is whom the part of the document it stands in gives suggestions to
    ("scholen"), None for most sentences (`assistant.addressees`); `municipality` the
    municipalities it tells about ("Amersfoort": a local example, `assistant.places`).
    """

    text: str
    citations: tuple[int, ...]
    gaps: tuple[int, ...] = ()
    addressed_to: str | None = None
    municipality: str | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """A cited passage; `quote_spans` locate the cited sentences within `chunk.text`.

    `quote` is those sentences joined by a space (the passage's first sentence when none is
    cited), `quote_gaps` the offsets in it where the extraction lost a figure. `section` is
    where the first quoted sentence stands, which may lie past a heading within the passage
    (`chunk.section` is where the passage begins).
    """

    n: int
    chunk: Chunk
    quote: str
    quote_spans: tuple[tuple[int, int], ...]
    score: float
    section: str  # the section of the first quoted sentence (`Chunk.section_at`)
    quote_gaps: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Answer:
    """A structured, extractive answer (see the module docstring)."""

    question: str
    answerable: bool
    topic: str
    message: str
    short_answer: tuple[AnswerSentence, ...]
    explanation: tuple[AnswerSentence, ...]
    next_steps: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]
    rules: tuple[str, ...]
    parties: tuple[str, ...]
    confidence: float
    terms: tuple[Term, ...]
    kind: QuestionKind = "open"  # what the question asks
    corrections: tuple[Correction, ...] = ()  # mistyped words of the question, as read

    @property
    def sentences(self) -> tuple[AnswerSentence, ...]:
        """All answer sentences, in reading order: short answer, explanation, next steps."""
        return (*self.short_answer, *self.explanation, *self.next_steps)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A unit of a retrieved passage with its features for this question."""

    hit_index: int
    unit: Unit
    features: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class _Scored:
    candidate: Candidate
    probability: float

    @property
    def hit_index(self) -> int:
        return self.candidate.hit_index

    @property
    def span(self) -> tuple[int, int]:
        return self.candidate.unit.span


@dataclass(frozen=True, slots=True)
class _Selection:
    short: tuple[_Scored, ...]
    explanation: tuple[_Scored, ...]
    next_steps: tuple[_Scored, ...]


class AnswerComposer:
    """Builds answers from retrieved hits; sentence units and cues are computed once, at load.

    Usage:
        composer = AnswerComposer(store, glossary, AnswerModel.load(path))
        answer = composer.compose(query, hits)
    """

    def __init__(
        self,
        store: IndexStore,
        glossary: Glossary,
        model: AnswerModel,
        *,
        max_passages: int = 5,
        max_cited: int = 3,
        max_short: int = 2,
        max_explanation: int = 3,
        max_next_steps: int = 2,
        second_short_share: float = 0.5,
        explanation_share: float = 0.2,
        new_passage_share: float = 0.5,
        min_confidence: float = 0.2,
        chunk_topic_scores: Sequence[Mapping[str, int]] | None = None,
    ) -> None:
        self.glossary = glossary
        self.model = model
        self.analyzer: DutchAnalyzer = store.lexical.analyzer
        self.max_passages = max_passages
        self.max_cited = max_cited
        self.max_short = max_short
        self.max_explanation = max_explanation
        self.max_next_steps = max_next_steps
        # A second short-answer sentence needs this share of the best one's probability, an
        # explanation sentence or a next step `explanation_share`, and `new_passage_share`
        # when it is not from a passage the short answer cites.
        self.second_short_share = second_short_share
        self.explanation_share = explanation_share
        self.new_passage_share = new_passage_share
        self.min_confidence = min_confidence
        # Whom the part each sentence stands in gives suggestions to (`assistant.addressees`).
        self._addressees = sentence_addressees(store.chunks)
        self._gazetteer = Gazetteer(municipalities(c.text for c in store.chunks))
        self._units = {
            c.chunk_id: chunk_units(c, self.analyzer, self._addressees[c.chunk_id])
            for c in store.chunks
        }
        self._anchors = anchored_sentences(store)
        # The words of each sentence's own section, by sentence: a passage may run past a
        # heading.
        sections = {c.sentence_section(i) for c in store.chunks for i in range(len(c.sentences))}
        terms = {section: frozenset(self.analyzer.terms(section)) for section in sections}
        self._section_terms = {
            c.chunk_id: tuple(terms[c.sentence_section(i)] for i in range(len(c.sentences)))
            for c in store.chunks
        }
        df = Counter(t for c in store.chunks for t in set(self.analyzer.terms(c.text)))
        n = len(store.chunks)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        if chunk_topic_scores is None:
            chunk_topic_scores = [glossary.topic_scores(c.text) for c in store.chunks]
        self._chunk_topic_scores = {
            c.chunk_id: scores for c, scores in zip(store.chunks, chunk_topic_scores, strict=True)
        }

    def with_model(self, model: AnswerModel, *, min_confidence: float) -> AnswerComposer:
        """This composer with another answer model and refusal threshold.

        What it computed at load (units, anchors, idf) is shared, not computed again: a shallow
        copy, safe because a composer's state is read-only once built. A cache added to it
        later would be shared between the two as well.
        """
        other = copy.copy(self)
        other.model = model
        other.min_confidence = min_confidence
        return other

    def anchored(self, chunk_id: str, entry_id: str) -> frozenset[int]:
        """The chunk's sentences that are the bank entry's anchors (`anchored_sentences`)."""
        return self._anchors.get((chunk_id, entry_id), frozenset())

    def addressees(self, chunk_id: str) -> tuple[str | None, ...]:
        """Whom the part each sentence of a chunk stands in gives suggestions to (or None)."""
        return self._addressees[chunk_id]

    def compose(self, query: Query, hits: Sequence[Hit], memo: SignalMemo | None = None) -> Answer:
        """The answer to `query` from `hits` (best first).

        `memo` keeps what `candidates` works out for each sentence of `query` and reads what it
        kept, for a second composition of the same question from another order of the same
        hits (`assistant.engine.Engine.ask`).
        """
        passages = list(hits[: self.max_passages])
        intent = classify(query.text)
        candidates = self.candidates(query, passages, intent, memo)
        probabilities = self.model.predict(np.array([c.features for c in candidates]))
        scored = sorted(
            (_Scored(c, float(p)) for c, p in zip(candidates, probabilities, strict=True)),
            key=lambda s: -s.probability,
        )
        best = scored[0].probability if scored else 0.0
        confidence = round(best * (1 - self.unknown_share(query)), 3)
        topic = self._topic(query, passages)
        if not scored or confidence < self.min_confidence:
            return self._not_in_sources(query, passages, topic, confidence, intent)
        selection = self._select(scored)
        return self._answer(query, passages, selection, topic, confidence, intent)

    def candidates(
        self,
        query: Query,
        passages: Sequence[Hit],
        intent: Intent,
        memo: SignalMemo | None = None,
    ) -> list[Candidate]:
        """Every candidate unit of `passages` with its features (`assistant.answer_model`).

        A unit's signals that do not depend on its passage's place (its meaning and its
        neighbours', the question's words it and its section hold) are kept in `memo`, if
        given, and read from it: one question's passages in another order share them.
        """
        memo = {} if memo is None else memo
        asked = _Weights(self._weights(query.terms))
        expanded = _Weights(self._weights(query.expansion_terms))
        context = _Weights(self._weights(query.context_terms))
        top = max((_base_score(h) for h in passages), default=0.0)
        found: list[tuple[int, Unit, CandidateSignals]] = []
        for index, hit in enumerate(passages):
            chunk = hit.chunk
            section_terms = self._section_terms[chunk.chunk_id]  # by sentence
            anchors = (
                self.anchored(chunk.chunk_id, hit.bank.entry_id)
                if hit.bank is not None
                else frozenset()
            )
            match = max(hit.bank.score, 0.0) if hit.bank is not None else 0.0
            for unit in self._units[chunk.chunk_id]:
                if unit.role == "narrative" and intent.kind != "example":
                    continue  # a case story answers only a question for an example
                if intent.figure != "any" and not _holds_figure(
                    chunk.text[unit.span[0] : unit.span[1]], intent.figure
                ):
                    continue  # a figure question needs a sentence with such a figure
                key = (chunk.chunk_id, unit.first, unit.last)
                own = memo.get(key)
                if own is None:
                    own = memo[key] = (
                        _meaning(hit.sentence_scores, unit.first, unit.last),
                        max(
                            _meaning(hit.sentence_scores, unit.first - 1, unit.first - 1),
                            _meaning(hit.sentence_scores, unit.last + 1, unit.last + 1),
                        ),
                        asked.share(unit.terms),
                        expanded.share(unit.terms),
                        context.share(unit.terms),
                        asked.share(section_terms[unit.first]),
                    )
                meaning, neighbours, coverage, expansion, in_context, in_section = own
                signals = CandidateSignals(
                    meaning=meaning,
                    neighbours=neighbours,
                    coverage=coverage,
                    expansion=expansion,
                    context=in_context,
                    passage_gap=_base_score(hit) - top,
                    passage_dense=_scaled_similarity(hit.dense),
                    rank=index,
                    section=in_section,
                    bank_anchor=match if unit.holds_any(anchors) else 0.0,
                    position=unit.first,
                    sentences_in_passage=len(chunk.sentences),
                    words=unit.word_count,
                    is_list=unit.role in ("lead_in", "item"),
                    narrative=unit.role == "narrative",
                )
                found.append((index, unit, signals))
        rows = feature_rows([(signals, unit.cues) for _, unit, signals in found], intent.kind)
        return [
            Candidate(index, unit, row) for (index, unit, _), row in zip(found, rows, strict=True)
        ]

    def unknown_share(self, query: Query) -> float:
        """The share of the question's words that no passage of the corpus uses.

        A question about football shares "school" with the corpus, not "voetbalclub".
        """
        terms = set(query.terms)
        return sum(t not in self._idf for t in terms) / len(terms) if terms else 1.0

    def _weights(self, terms: Sequence[str]) -> dict[str, float]:
        """Terms the corpus knows, weighted by their idf."""
        return {t: self._idf[t] for t in terms if t in self._idf}

    def _select(self, scored: Sequence[_Scored]) -> _Selection:
        """Short answer, explanation and next steps from candidates sorted best first."""
        best = scored[0].probability
        short: list[_Scored] = []
        explanation: list[_Scored] = []
        steps: list[_Scored] = []
        taken: list[_Scored] = []
        lowest = min(self.second_short_share, self.explanation_share, self.new_passage_share)
        for item in scored:
            if short and item.probability < lowest * best:
                break  # sorted best first: nothing after this is taken
            if self._conflicts(item, taken):
                continue
            cited = any(s.hit_index == item.hit_index for s in short)
            share = self.explanation_share if cited else self.new_passage_share
            if not short or (
                len(short) < self.max_short and item.probability >= self.second_short_share * best
            ):
                short.append(item)
            elif item.probability < share * best:
                continue
            elif item.candidate.unit.next_step and len(steps) < self.max_next_steps:
                steps.append(item)
            elif len(explanation) < self.max_explanation:
                explanation.append(item)
            else:
                continue
            taken.append(item)
        short = self._with_antecedents(short, scored, explanation, steps)
        return _Selection(
            short=tuple(short),
            explanation=tuple(sorted(explanation, key=lambda s: (s.hit_index, s.span))),
            next_steps=tuple(steps),
        )

    def _with_antecedents(
        self,
        short: list[_Scored],
        scored: Sequence[_Scored],
        explanation: list[_Scored],
        steps: list[_Scored],
    ) -> list[_Scored]:
        """The short answer with the sentence before each one that points back (`Unit.leans_back`).

        The sentence before comes from the same passage (and the same note, in a passage of
        footnotes) and must be a candidate itself (a whole statement, or a list's lead-in with
        all its items); when it points back too, the
        one before it comes as well, up to `_MAX_ANTECEDENTS`. An explanation sentence that
        points back at a sentence of the short answer moves up to follow it. The short answer
        holds `_MAX_SHORT_SENTENCES` at most: a second answer that would make it longer
        explains instead, and an explanation sentence stays where it is. Nothing is said twice:
        what the short answer now holds leaves the explanation and the next steps. An
        explanation sentence that points back at a sentence not taken brings that sentence
        into the explanation, while it has room. A short-answer sentence that still points
        back (at no candidate, or past `_MAX_ANTECEDENTS`) explains instead; when every one
        does, the best of them stays.
        """
        # The candidate that ends right before a sentence; of a list, its lead-in with all its
        # items rather than its last item alone.
        by_place: dict[tuple[int, int], _Scored] = {}
        for candidate in scored:
            place = (candidate.hit_index, candidate.candidate.unit.last)
            known = by_place.get(place)
            if known is None or candidate.candidate.unit.first < known.candidate.unit.first:
                by_place[place] = candidate

        def before(item: _Scored) -> _Scored | None:
            unit = item.candidate.unit
            if not unit.leans_back or unit.opens_note:
                return None
            return by_place.get((item.hit_index, unit.first - 1))

        def said(item: _Scored, taken: Sequence[_Scored]) -> int | None:
            """The index of a taken sentence that holds `item`'s sentences, if any."""
            unit = item.candidate.unit
            return next(
                (
                    i
                    for i, other in enumerate(taken)
                    if other.hit_index == item.hit_index and _overlap(other.candidate.unit, unit)
                ),
                None,
            )

        result: list[_Scored] = []
        held_back: list[_Scored] = []  # the best chain that still points back, as a fallback
        for item in short:
            if said(item, result) is not None:
                continue  # moved up already, or inside a list that moved up
            chain = [item]
            while len(chain) <= _MAX_ANTECEDENTS:
                previous = before(chain[0])
                if previous is None or said(previous, result) is not None:
                    break
                chain.insert(0, previous)
            # Still pointing back: at no candidate (a heading, a question, a fragment), or past
            # the sentences a short answer may bring along.
            previous = before(chain[0])
            dangling = chain[0].candidate.unit.leans_back and (
                previous is None or said(previous, result) is None
            )
            if dangling:
                # Not what the reader gets first, nor after another answer: it explains.
                held_back = held_back or chain
                if len(explanation) < self.max_explanation:
                    explanation.append(item)
                continue
            if result and len(result) + len(chain) > _MAX_SHORT_SENTENCES:
                if len(explanation) < self.max_explanation:
                    explanation.append(item)  # the short answer is full: it explains instead
                continue
            result.extend(chain)
        if not result and held_back:  # every short answer points back: the best one stays
            result = held_back
            explanation[:] = [e for e in explanation if e is not held_back[-1]]
        # In document order, so that a chain of explanation sentences moves up whole.
        for item in sorted(explanation, key=_place):
            previous = before(item)
            at = None if previous is None else said(previous, result)
            if at is not None and said(item, result) is None and len(result) < _MAX_SHORT_SENTENCES:
                result.insert(at + 1, item)
        explanation[:] = [e for e in explanation if said(e, result) is None]
        steps[:] = [s for s in steps if said(s, result) is None]
        for item in sorted(explanation, key=_place):
            previous = before(item)
            if (
                previous is not None
                and len(explanation) < self.max_explanation
                and said(previous, [*result, *explanation, *steps]) is None
            ):
                explanation.append(previous)
        return result

    def _conflicts(self, item: _Scored, taken: Sequence[_Scored]) -> bool:
        """Whether `item` repeats a chosen sentence or would cite one passage too many."""
        unit = item.candidate.unit
        passages = {t.hit_index for t in taken}
        if item.hit_index not in passages and len(passages) >= self.max_cited:
            return True
        for other in taken:
            if other.hit_index == item.hit_index and _overlap(other.candidate.unit, unit):
                return True
            if _jaccard(other.candidate.unit.words, unit.words) >= _DUPLICATE_JACCARD:
                return True
        return False

    def _answer(
        self,
        query: Query,
        passages: Sequence[Hit],
        selection: _Selection,
        topic: str,
        confidence: float,
        intent: Intent,
    ) -> Answer:
        ordered = (*selection.short, *selection.explanation, *selection.next_steps)
        numbers: dict[int, int] = {}
        for item in ordered:
            numbers.setdefault(item.hit_index, len(numbers) + 1)
        citations = tuple(
            self._citation(n, passages[i], [s.span for s in ordered if s.hit_index == i])
            for i, n in numbers.items()
        )

        def sentences(items: Sequence[_Scored]) -> tuple[AnswerSentence, ...]:
            return tuple(
                AnswerSentence(
                    text=chunk.text[s.span[0] : s.span[1]],
                    citations=(numbers[s.hit_index],),
                    gaps=gaps_within(chunk.figure_gaps, *s.span),
                    addressed_to=self._addressees[chunk.chunk_id][s.candidate.unit.first],
                    municipality=self._gazetteer.named(chunk.text[s.span[0] : s.span[1]]),
                )
                for s in items
                for chunk in [passages[s.hit_index].chunk]
            )

        short = sentences(selection.short)
        explanation = sentences(selection.explanation)
        steps = sentences(selection.next_steps)
        cited_text = " ".join(s.text for s in (*short, *explanation, *steps))
        return Answer(
            question=query.text,
            answerable=True,
            topic=topic,
            message=ANSWER_INTRO,
            short_answer=short,
            explanation=explanation,
            next_steps=steps,
            citations=citations,
            rules=extract_rules(" ".join(c.chunk.text for c in citations)),
            parties=extract_parties(cited_text),
            confidence=confidence,
            terms=tuple(self.glossary.terms_in(cited_text)),
            kind=intent.kind,
            corrections=query.corrections,
        )

    def _not_in_sources(
        self, query: Query, passages: Sequence[Hit], topic: str, confidence: float, intent: Intent
    ) -> Answer:
        closest = tuple(self._citation(i + 1, hit, []) for i, hit in enumerate(passages[:3]))
        return Answer(
            question=query.text,
            answerable=False,
            topic=topic,
            message=NOT_IN_SOURCES,
            short_answer=(),
            explanation=(),
            next_steps=(),
            citations=closest,
            rules=(),
            parties=(),
            confidence=confidence,
            terms=(),
            kind=intent.kind,
            corrections=query.corrections,
        )

    @staticmethod
    def _citation(n: int, hit: Hit, spans: Sequence[tuple[int, int]]) -> Citation:
        spans = sorted(spans)
        chunk = hit.chunk
        parts = spans or [_lead_span(chunk)]
        quote_gaps: list[int] = []
        offset = 0
        for a, b in parts:
            quote_gaps.extend(offset + g for g in gaps_within(chunk.figure_gaps, a, b))
            offset += b - a + 1  # the sentence and the space that joins the next
        return Citation(
            n=n,
            chunk=chunk,
            quote=" ".join(chunk.text[a:b] for a, b in parts),
            quote_spans=tuple(spans),
            score=hit.score,
            quote_gaps=tuple(quote_gaps),
            section=chunk.section_at(parts[0][0]),
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


@lru_cache(maxsize=1 << 16)
def _holds_figure(text: str, wanted: AnswerType) -> bool:
    """`fits_answer_type`, cached: the same unit texts come up again and again.

    It is checked when a figure question meets a unit, rather than for every unit at load
    (that was a third of loading).
    """
    return fits_answer_type(text, wanted)


def _meaning(sentence_scores: Sequence[float], first: int, last: int) -> float:
    """The best cosine of sentences first..last to the question, scaled; 0 when not known."""
    scores = sentence_scores[max(first, 0) : last + 1]
    return _scaled_similarity(max(scores)) if scores else 0.0


class _Weights:
    """Term weights of a question, and the weighted share of them that a text holds."""

    __slots__ = ("_total", "_weights")

    def __init__(self, weights: dict[str, float]) -> None:
        self._weights = weights
        self._total = sum(weights.values())

    def share(self, terms: frozenset[str]) -> float:
        if not self._total:
            return 0.0
        return sum(w for t, w in self._weights.items() if t in terms) / self._total


def _place(item: _Scored) -> tuple[int, int]:
    """Where a candidate stands: its passage's rank, then its first sentence."""
    return item.hit_index, item.candidate.unit.first


def _overlap(a: Unit, b: Unit) -> bool:
    return a.first <= b.last and b.first <= a.last


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _scaled_similarity(cosine: float) -> float:
    """e5 cosines of related Dutch texts lie between ~0.78 and ~0.92: map that range to 0..1."""
    return min(max((cosine - 0.78) / 0.14, 0.0), 1.0)


def _lead_span(chunk: Chunk) -> tuple[int, int]:
    """The first sentence of a chunk, the quote of a passage shown without a cited span."""
    return chunk.sentences[0] if chunk.sentences else (0, min(300, len(chunk.text)))


def _base_score(hit: Hit) -> float:
    """The passage's fused score on the scale the answer model was fitted on."""
    return hit.score if hit.base_score is None else hit.base_score
