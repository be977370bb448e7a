"""The service's settings: the indexer's settings plus what serving needs (`WEGWIJZER_*`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr

from assistant.retrieval import FusionWeights
from indexer.settings import IndexSettings

PACKAGE_DIR = Path(__file__).resolve().parent


class Settings(IndexSettings):
    """All configuration of the service, validated at start-up.

    Usage:
        settings = Settings(index_dir=Path("var/index"), rate_limit_per_minute=0)
    """

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    glossary_path: Path = PACKAGE_DIR / "data" / "glossary.toml"
    feedback_db: Path = Path("var/feedback.sqlite")
    feedback_token: SecretStr | None = None
    admin_token: SecretStr | None = None

    # Model copies answering concurrent queries; `python -m assistant` runs them single-threaded.
    embedder_instances: int = Field(2, ge=1, le=16)

    # Request bodies above this are refused (413); field limits live in `assistant.schemas`.
    max_body_bytes: int = Field(64 * 1024, ge=1024)

    # Abuse and privacy.
    rate_limit_per_minute: int = Field(120, ge=0)  # per client and endpoint; 0 turns it off
    cors_origins: list[str] = Field(default_factory=list)
    log_questions: bool = False  # question text in logs only when asked for, and masked

    # Retrieval and answering.
    candidate_depth: int = Field(60, ge=10, le=1000)
    fusion: FusionWeights = Field(default_factory=FusionWeights)
    answer_passages: int = Field(5, ge=1, le=20)  # candidate sentences come from these
    # The fitted answer-sentence model (`python -m eval fit-answers`).
    answer_model_path: Path = PACKAGE_DIR / "data" / "answer_model.json"
    # The best sentence's probability of answering, times the share of known question words,
    # below which the answer is "not in the sources"; None: the threshold fitted with the model.
    min_confidence: float | None = Field(None, ge=0.0, le=1.0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment, read once."""
    return Settings()
