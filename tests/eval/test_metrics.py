"""Metric functions against ir-measures (trec_eval definitions) and hand-computed cases."""

from __future__ import annotations

import math
import random

import ir_measures
import pytest
from ir_measures import RR, Qrel, R, ScoredDoc, Success, nDCG

from eval import metrics

CUTOFFS = (1, 3, 5, 10)


def _random_queries(seed: int, n: int) -> dict[str, tuple[list[str], set[str]]]:
    """Query id -> (ranked doc ids, relevant doc ids) with at least one relevant doc each."""
    rng = random.Random(seed)
    pool = [f"c{i:02d}" for i in range(30)]
    queries = {}
    for q in range(n):
        relevant = set(rng.sample(pool, rng.randint(1, 12)))
        ranked = rng.sample(pool, rng.randint(1, 15))
        queries[f"q{q}"] = (ranked, relevant)
    return queries


def _ir_measures_values(
    queries: dict[str, tuple[list[str], set[str]]], measures: list[object]
) -> dict[tuple[str, str], float]:
    qrels = [Qrel(qid, doc, 1) for qid, (_, relevant) in queries.items() for doc in relevant]
    # A few explicitly non-relevant judgements, which must not change anything.
    qrels += [
        Qrel(qid, "c29", 0) for qid, (_, relevant) in queries.items() if "c29" not in relevant
    ]
    run = [
        # Distinct, strictly decreasing scores so that the order is the given ranking.
        ScoredDoc(qid, doc, float(len(ranked) - i))
        for qid, (ranked, _) in queries.items()
        for i, doc in enumerate(ranked)
    ]
    return {
        (m.query_id, str(m.measure)): float(m.value)
        for m in ir_measures.iter_calc(measures, qrels, run)
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ranking_metrics_agree_with_ir_measures(seed: int) -> None:
    queries = _random_queries(seed, 200)
    measures = [Success @ k for k in CUTOFFS] + [R @ k for k in CUTOFFS] + [RR @ 10, nDCG @ 10]
    expected = _ir_measures_values(queries, measures)
    for qid, (ranked, relevant) in queries.items():
        flags = [doc in relevant for doc in ranked]
        for k in CUTOFFS:
            assert metrics.success_at_k(flags, k) == pytest.approx(
                expected[(qid, f"Success@{k}")], abs=1e-6
            )
            assert metrics.recall_at_k(flags, len(relevant), k) == pytest.approx(
                expected[(qid, f"R@{k}")], abs=1e-6
            )
        assert metrics.reciprocal_rank(flags, 10) == pytest.approx(
            expected[(qid, "RR@10")], abs=1e-6
        )
        assert metrics.ndcg_at_k(flags, len(relevant), 10) == pytest.approx(
            expected[(qid, "nDCG@10")], abs=1e-6
        )


def test_ranking_metrics_by_hand() -> None:
    flags = [False, True, False, True]
    assert metrics.first_relevant_rank(flags) == 2
    assert metrics.first_relevant_rank(flags, 1) is None
    assert metrics.success_at_k(flags, 1) == 0.0
    assert metrics.success_at_k(flags, 2) == 1.0
    assert metrics.recall_at_k(flags, 4, 10) == 0.5
    assert metrics.reciprocal_rank(flags, 10) == 0.5
    assert metrics.reciprocal_rank(flags, 1) == 0.0
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    assert metrics.ndcg_at_k(flags, 2, 10) == pytest.approx(dcg / (1 + 1 / math.log2(3)))
    # The ideal list holds at most k relevant passages.
    assert metrics.ndcg_at_k([True] * 3, 50, 3) == pytest.approx(1.0)
    assert metrics.ndcg_at_k([], 0, 10) == 0.0
    assert metrics.recall_at_k([], 0, 10) == 0.0


def test_quote_recall() -> None:
    covered = [frozenset(), frozenset({0}), frozenset({0, 2}), frozenset({1})]
    assert metrics.quote_recall_at_k(covered, 3, 1) == 0.0
    assert metrics.quote_recall_at_k(covered, 3, 2) == pytest.approx(1 / 3)
    assert metrics.quote_recall_at_k(covered, 3, 3) == pytest.approx(2 / 3)
    assert metrics.quote_recall_at_k(covered, 3, 10) == 1.0
    assert metrics.quote_recall_at_k(covered, 0, 10) == 0.0


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("zorgplicht", "De school heeft ZORGPLICHT.", True),
        ("andere school", "Zoek samen een andere  school.", True),
        ("schoolbestuur", "De schoolbesturen beslissen.", True),  # inflection
        ("ingeschreven", "totdat het kind is ingeschreven", True),
        ("proces tot plaatsing", "het proces loopt tot de plaatsing", True),  # words apart
        ("alternatieve plek", "een alternatieve plaats", False),
        ("aanmelding", "na de aanmelden", False),  # shares 7 < 8 characters
        ("wet regels", "wetten en regels", False),  # words under 4 characters match exactly
        ("wet regels", "de wet en de regels", True),
        ("geen plek", "er is geen plek", True),
        ("vn-verdrag", "het VN-verdrag", True),
    ],
)
def test_term_mentioned(term: str, text: str, expected: bool) -> None:
    assert metrics.term_mentioned(term, text) is expected


def test_must_mention_coverage() -> None:
    assert metrics.must_mention_coverage([], "tekst") is None
    assert metrics.must_mention_coverage(["zorgplicht", "plek"], "zorgplicht geldt") == 0.5


def test_aggregates() -> None:
    assert metrics.mean([1.0, None, 0.0]) == 0.5
    assert metrics.mean([None]) is None
    assert metrics.ratio(1, 4) == 0.25
    assert metrics.ratio(0, 0) is None
    assert metrics.percentile([], 50) is None
    assert metrics.percentile([10.0, 20.0, 30.0, 40.0], 50) == pytest.approx(25.0)
    assert metrics.percentile([float(i) for i in range(1, 101)], 95) == pytest.approx(95.05)
