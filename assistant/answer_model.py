"""How well a sentence answers a question: features of a candidate sentence and a fitted model.

Every candidate answer sentence of the retrieved passages gets the features below; a logistic
model turns them into the probability that the sentence holds the answer. Its weights are
data (`assistant/data/answer_model.json`), fitted on the dev and heldout question sets with
cross-validation by `python -m eval fit-answers` and loaded at start.

The features are the signals the product has: the sentence's meaning (its e5 cosine to the
question), the question's words it holds, its passage's score and rank, the cues of a rule, a
party, an action or a definition, the question's kind (`assistant.intent`) crossed with those
cues, its position in the passage, and its own section title's overlap with the question.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt

from assistant.intent import QuestionKind

Matrix = npt.NDArray[np.float64]

FEATURES: tuple[str, ...] = (
    "meaning",  # the sentence's cosine to the question, scaled to 0..1
    "meaning_gap",  # its meaning minus the best candidate's (<= 0)
    "neighbours",  # the best meaning of the sentences right before and after it
    "coverage",  # idf-weighted share of the question's words it holds
    "coverage_gap",  # its coverage minus the best candidate's (<= 0)
    "expansion",  # share of the glossary's expansion words it holds
    "context",  # share of the earlier turn's words it holds (follow-ups only)
    "passage_gap",  # its passage's fused score minus the best passage's (<= 0)
    "passage_dense",  # its passage's cosine to the question, scaled
    "rank_prior",  # 1 / (1 + the rank of its passage)
    "section",  # share of the question's words in its (first) sentence's own section title
    "bank_anchor",  # the passage's question-bank match, when this sentence is its entry's anchor
    "rule",  # states a rule, right or duty ("moet", "mag", "recht op", …)
    "party",  # names a party that acts ("de gemeente betaalt")
    "action",  # says what a parent can do or whom to turn to
    "definition",  # defines ("… is een …", "… houdt in")
    "meta",  # speaks about the document ("in dit hoofdstuk beschrijven we")
    "problem",  # describes a bottleneck ("het is niet duidelijk", "ervaren een drempel")
    "first",  # the first sentence of its passage
    "position",  # its place in the passage, 0 (first) .. 1 (last)
    "length",  # log of its number of words
    "list",  # a list's lead-in with its items, or an item
    "rule_x_yes_no",
    "party_x_who",
    "action_x_action",
    "definition_x_definition",
    "figure_x_figure",  # holds the kind of figure a figure question asks for
    "narrative_x_example",
    "meaning_x_yes_no",
    "coverage_x_definition",
)

# Cue words, in lower case: `sentence_cues` matches them against the lowercased sentence
# (case-insensitive matching took more than twice as long, and this runs for every sentence of
# the corpus at load).
_RULE = re.compile(
    r"\b(?:moet|moeten|mag|mogen|verplicht|verplichting|wettelijk|toegestaan|recht op|"
    r"heeft het recht|hebben het recht|dient|dienen|hoeft|hoeven|zorgplicht|artikel|bepaalt|"
    r"volgens de wet|is verantwoordelijk|zijn verantwoordelijk|niet mogelijk|is mogelijk|"
    r"kan worden|kunnen worden|vrijstelling|ontheffing)\b",
)
_PARTY = re.compile(
    r"\b(?:gemeente|gemeenten|school|scholen|schoolbestuur|schoolbesturen|bevoegd gezag|"
    r"samenwerkingsverband|samenwerkingsverbanden|zorgverzekeraar|zorgverzekeraars|zorgkantoor|"
    r"zorgkantoren|ouders|leerplichtambtenaar|leerplichtambtenaren|inspectie|rijk|minister|"
    r"ciz|jeugdarts|onderwijsconsulent|onderwijsconsulenten|zorgaanbieder|zorgaanbieders|"
    r"jeugdhulpaanbieder|wijkverpleegkundige|ministerie)\b",
)
_ACTS = re.compile(
    r"\b(?:betaalt|betalen|bekostigt|bekostigen|vergoedt|vergoeden|financiert|financieren|"
    r"verantwoordelijk|beslist|beslissen|besluit|bepaalt|bepalen|regelt|regelen|"
    r"draagt|dragen|verstrekt|verstrekken|kent toe|indiceert|geeft af|stelt vast)\b",
)
_ACTION = re.compile(
    r"\b(?:kunt u|kun je|kunnen ouders|kunnen de ouders|kan de ouder|ouders kunnen|u kunt|"
    r"je kunt|neem contact|contact opnemen|contact op|aanvragen|aanvraag|vraag|vragen|meld|"
    r"melden|wend|wenden|terecht|onderwijsconsulent|onderwijsconsulenten|loket|steunpunt|"
    r"klacht|bezwaar|geschillencommissie|informeer|bel|mail|website|advies)\b",
)
_DEFINITION = re.compile(
    r"\b(?:wordt verstaan|verstaan we|houdt in|betekent|noemen we|spreken we van|"
    r"wordt bedoeld|bedoelen we|is bedoeld|is een|zijn een|is de|zijn de|staat voor)\b",
)
_META = re.compile(
    r"\b(?:in dit hoofdstuk|in deze paragraaf|in deze rapportage|in dit rapport|in paragraaf|"
    r"in hoofdstuk|zie (?:ook )?(?:paragraaf|hoofdstuk|bijlage)|beschrijven we|gaan we in op|"
    r"lichten we|hieronder|in de volgende|in het volgende)\b",
)


_PROBLEM = re.compile(
    r"\b(?:niet duidelijk|onduidelijk|onduidelijkheid|onbekendheid|knelpunt|knelpunten|drempel|"
    r"drempels|ervaren|ervaart|lopen tegen|loopt tegen|het komt voor|komt het voor|"
    r"verschillen van inzicht|belemmer\w*|worstel\w*|moeite met|onvoldoende)\b",
)


@dataclass(frozen=True, slots=True)
class SentenceCues:
    """What a sentence's words show it to be, computed once per sentence at load."""

    rule: float
    party: float
    action: float
    definition: float
    meta: float
    problem: float


def sentence_cues(text: str) -> SentenceCues:
    """The cues of one candidate sentence."""
    text = text.lower()
    parties = bool(_PARTY.search(text))
    return SentenceCues(
        rule=min(len(_RULE.findall(text)), 2) / 2,
        party=(0.5 * parties + 0.5 * (parties and bool(_ACTS.search(text)))),
        action=min(len(_ACTION.findall(text)), 2) / 2,
        definition=float(bool(_DEFINITION.search(" ".join(text.split()[:12])))),
        meta=float(bool(_META.search(text))),
        problem=float(bool(_PROBLEM.search(text))),
    )


@dataclass(frozen=True, slots=True)
class CandidateSignals:
    """The question-dependent signals of one candidate sentence (see `FEATURES`)."""

    meaning: float
    neighbours: float
    coverage: float
    expansion: float
    context: float
    passage_gap: float
    passage_dense: float
    rank: int
    section: float
    bank_anchor: float
    position: int
    sentences_in_passage: int
    words: int
    is_list: bool
    narrative: bool


def feature_rows(
    candidates: Sequence[tuple[CandidateSignals, SentenceCues]], kind: QuestionKind
) -> list[tuple[float, ...]]:
    """The feature vectors of one question's candidates, in the order of `FEATURES`."""
    best_meaning = max((s.meaning for s, _ in candidates), default=0.0)
    best_coverage = max((s.coverage for s, _ in candidates), default=0.0)
    return [
        feature_row(signals, cues, kind, best_meaning, best_coverage)
        for signals, cues in candidates
    ]


def feature_row(
    signals: CandidateSignals,
    cues: SentenceCues,
    kind: QuestionKind,
    best_meaning: float,
    best_coverage: float,
) -> tuple[float, ...]:
    """The feature vector of one candidate, given the best meaning and coverage of all."""
    last = max(signals.sentences_in_passage - 1, 1)
    values = {
        "meaning": signals.meaning,
        "meaning_gap": signals.meaning - best_meaning,
        "neighbours": signals.neighbours,
        "coverage": signals.coverage,
        "coverage_gap": signals.coverage - best_coverage,
        "expansion": signals.expansion,
        "context": signals.context,
        "passage_gap": max(signals.passage_gap, -4.0),
        "passage_dense": signals.passage_dense,
        "rank_prior": 1.0 / (1 + signals.rank),
        "section": signals.section,
        "bank_anchor": signals.bank_anchor,
        "rule": cues.rule,
        "party": cues.party,
        "action": cues.action,
        "definition": cues.definition,
        "meta": cues.meta,
        "problem": cues.problem,
        "first": float(signals.position == 0),
        "position": signals.position / last,
        "length": math.log(max(signals.words, 1)),
        "list": float(signals.is_list),
        "rule_x_yes_no": cues.rule * (kind == "yes_no"),
        "party_x_who": cues.party * (kind == "who"),
        "action_x_action": cues.action * (kind == "action"),
        "definition_x_definition": cues.definition * (kind == "definition"),
        # A figure question's candidates all hold the figure asked for (the others are left
        # out), so this is the question kind itself.
        "figure_x_figure": float(kind == "figure"),
        "narrative_x_example": float(signals.narrative and kind == "example"),
        "meaning_x_yes_no": signals.meaning * (kind == "yes_no"),
        "coverage_x_definition": signals.coverage * (kind == "definition"),
    }
    return tuple(float(values[name]) for name in FEATURES)


# The passages' order a model is fitted on and reads: the fusion's (the model that decides
# whether to answer) or the second pass's (the one that then picks the sentences).
AnswerOrder = Literal["fusion", "second-pass"]
ANSWER_ORDERS: tuple[AnswerOrder, ...] = get_args(AnswerOrder)


class AnswerModelError(ValueError):
    """The model file is missing, malformed, or made for other features."""


@dataclass(frozen=True, slots=True)
class AnswerModel:
    """A logistic model over standardised features: P(the sentence holds the answer).

    Usage:
        model = AnswerModel.load(Path("assistant/data/answer_model.json"))
        probabilities = model.predict(np.array([feature_row(signals, cues, "who")]))
    """

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    # The confidence below which an answer is refused, chosen when the model was fitted.
    min_confidence: float = 0.2

    @classmethod
    def untrained(cls) -> AnswerModel:
        """A model that knows nothing (every probability 0.5): for listing candidates to fit on."""
        zeros = tuple(0.0 for _ in FEATURES)
        return cls(FEATURES, zeros, tuple(1.0 for _ in FEATURES), zeros, 0.0)

    @classmethod
    def load(cls, path: Path, order: AnswerOrder = "fusion") -> AnswerModel:
        """Read a model file written by `python -m eval fit-answers --order <order>`.

        `order` is the passages' order the model must have been fitted on (the file's
        `fit.order`; a file without one was fitted on the fusion's).

        Raises:
            AnswerModelError: unreadable, malformed, fitted on other features or on the other
                order, or holding a value that is not a finite number.
        """
        refit = f"refit it with `python -m eval fit-answers --order {order}`"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            fit = data.get("fit") or {}
            fitted_on = fit.get("order") or "fusion"
            model = cls(
                features=tuple(data["features"]),
                mean=tuple(float(x) for x in data["mean"]),
                scale=tuple(float(x) for x in data["scale"]),
                weights=tuple(float(x) for x in data["weights"]),
                intercept=float(data["intercept"]),
                min_confidence=float(data.get("min_confidence", 0.2)),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise AnswerModelError(f"Cannot read the answer model {path}: {exc}") from exc
        if fitted_on != order:
            raise AnswerModelError(
                f"The answer model {path} was fitted on the {fitted_on} order, not the "
                f"{order} one; {refit} or point the setting at the right file."
            )
        if model.features != FEATURES:
            raise AnswerModelError(
                f"The answer model {path} was fitted on other features; {refit}."
            )
        if not len(model.mean) == len(model.scale) == len(model.weights) == len(FEATURES):
            raise AnswerModelError(f"The answer model {path} has vectors of the wrong length.")
        numbers = (*model.mean, *model.scale, *model.weights, model.intercept)
        if (
            not all(math.isfinite(x) for x in numbers)
            or min(model.scale) <= 0
            or not 0.0 <= model.min_confidence <= 1.0
        ):
            raise AnswerModelError(
                f"The answer model {path} holds a value that is not a finite number (or a "
                f"scale of 0 or less, or a min_confidence outside 0..1); {refit}."
            )
        return model

    def predict(self, rows: Matrix) -> npt.NDArray[np.float64]:
        """P(answer) for each row of a (candidates x features) matrix."""
        if rows.size == 0:
            return np.zeros(0, dtype=np.float64)
        z = (rows - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = z @ np.asarray(self.weights) + self.intercept
        result: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-logits))
        return result
