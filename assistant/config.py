"""The service's settings: the indexer's settings plus what serving needs (`WEGWIJZER_*`)."""

from __future__ import annotations

import ipaddress
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from assistant.answer_model import AnswerOrder
from assistant.retrieval import FusionWeights
from indexer.settings import IndexSettings

PACKAGE_DIR = Path(__file__).resolve().parent


def _usable_cores() -> int:
    """The cores this process may run on (a container's or `taskset`'s share), at most 256."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(256, cores or 1))


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

    # Request bodies above this are refused (413); field limits live in `assistant.schemas`.
    max_body_bytes: int = Field(64 * 1024, ge=1024)

    # Abuse and privacy.
    rate_limit_per_minute: int = Field(120, ge=0)  # per client and endpoint; 0 turns it off
    cors_origins: list[str] = Field(default_factory=list)
    log_questions: bool = False  # question text in logs only when asked for, and masked

    # Running for an organisation (README, "In productie").
    # Addresses or networks (CIDR) of the proxies whose X-Forwarded-For is believed; empty: none.
    # From the environment as a comma-separated list or a JSON array.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Where rate-limit counters live: "memory://" (per worker) or a Redis URL shared by all
    # workers ("redis://127.0.0.1:6379/0", "redis+unix:///run/redis/redis-server.sock").
    rate_limit_storage: str = "memory://"
    # Rate-limit counters are keyed on a keyed hash of the address, never the address itself.
    # Workers and machines sharing one Redis need the same value; unset, one is made at start.
    rate_limit_salt: SecretStr | None = None
    # Feedback in PostgreSQL ("postgresql://user:password@host/db"); unset: SQLite `feedback_db`.
    database_url: SecretStr | None = None
    # Feedback older than this many days is deleted (at start and on every new feedback);
    # 0 keeps it forever.
    feedback_retention_days: int = Field(365, ge=0)
    # Each worker checks this often whether a new index was published and loads it; 0: off
    # (then SIGHUP or POST /api/v1/admin/reload).
    index_poll_seconds: float = Field(2.0, ge=0)

    # A question that finds the model idle is embedded on every core: about half the latency
    # of one core (README, Performance); concurrent ones get one core each.
    embedder_lead_threads: int = Field(default_factory=_usable_cores, ge=0, le=256)

    # Retrieval and answering.
    candidate_depth: int = Field(60, ge=10, le=1000)
    fusion: FusionWeights = Field(default_factory=FusionWeights)
    answer_passages: int = Field(5, ge=1, le=20)  # candidate sentences come from these
    # The second pass orders this many of the fusion's first passages again, by the fusion
    # with the passages' bank questions in their BM25 (`FusionWeights.bank_terms`); 0: off.
    # Cross-validated on dev, heldout and chat (`python -m eval fit-fusion --weight
    # reorder_depth`): 20 in four folds of five (README, Evaluation).
    reorder_depth: int = Field(20, ge=0, le=50)
    # A mistyped word of a question is read as the documents' word one edit away
    # ("basischool" -> "basisschool", `assistant.spelling`); False: questions as typed.
    spelling: bool = True
    # Answers kept per loaded index for a question (with its conversation) asked again: it
    # then costs no retrieval and no answering (README, Performance); 0: off.
    answer_cache_size: int = Field(1024, ge=0, le=10_000)
    # The fitted answer-sentence model (`python -m eval fit-answers`): it decides whether the
    # sources answer, on the fusion's order.
    answer_model_path: Path = PACKAGE_DIR / "data" / "answer_model.json"
    # The model fitted on the second pass's order (`fit-answers --order second-pass`): once the
    # first has decided to answer, it picks the sentences from the second pass's passages;
    # False: the first model picks them too, from the fusion's order (README, Evaluation).
    second_pass_answers: bool = True
    second_pass_model_path: Path = PACKAGE_DIR / "data" / "answer_model_second_pass.json"
    # The best sentence's probability of answering, times the share of known question words,
    # below which the answer is "not in the sources"; None: the threshold fitted with the model.
    min_confidence: float | None = Field(None, ge=0.0, le=1.0)

    def answer_model_for(self, order: AnswerOrder) -> Path:
        """The file of the answer model fitted on `order` (`fit-answers --order`)."""
        return self.answer_model_path if order == "fusion" else self.second_pass_model_path

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_addresses(cls, value: Any) -> Any:
        """Accept "10.0.0.1, 10.0.0.2" as well as a JSON array."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_addresses(cls, value: list[str]) -> list[str]:
        """Every entry is an IP address or network ("*" trusts every address: tests only)."""
        for entry in value:
            if entry != "*":
                try:
                    ipaddress.ip_network(entry, strict=False)
                except ValueError as exc:
                    raise ValueError(f"not an IP address or network: {entry!r}") from exc
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment, read once."""
    return Settings()
