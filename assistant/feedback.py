"""Feedback on answers (thumbs up/down, an optional remark), stored in a small SQLite file.

Only what is needed to improve the answers is kept: when, the rating, the remark, the question
and the chunk ids the answer cited. No IP address, user agent or anything else about the person.

Usage:
    store = FeedbackStore(Path("var/feedback.sqlite3"))
    new_id = store.add(FeedbackRecord(rating="up", question="Wat is zorgplicht?",
                                      citation_ids=("doc#3",)))
    rows = store.export()            # [StoredFeedback(id=1, created_at="2025-...", ...)]
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast

Rating = Literal["up", "down"]
RATINGS: tuple[Rating, ...] = ("up", "down")
MAX_REMARK_CHARS = 1000
MAX_QUESTION_CHARS = 2000
MAX_CITATIONS = 20

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at   TEXT    NOT NULL,
    rating       TEXT    NOT NULL CHECK (rating IN ('up', 'down')),
    remark       TEXT,
    question     TEXT    NOT NULL,
    citation_ids TEXT    NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """One piece of feedback as submitted, before it is stored."""

    rating: Rating
    question: str
    remark: str | None = None
    citation_ids: tuple[str, ...] = field(default_factory=tuple)

    def validate(self) -> None:
        """Raise ValueError when the record breaks the storage limits."""
        if self.rating not in RATINGS:
            raise ValueError(f"rating must be 'up' or 'down', not {self.rating!r}")
        if not self.question.strip() or len(self.question) > MAX_QUESTION_CHARS:
            raise ValueError(f"question must have 1..{MAX_QUESTION_CHARS} characters")
        if self.remark is not None and len(self.remark) > MAX_REMARK_CHARS:
            raise ValueError(f"remark must have at most {MAX_REMARK_CHARS} characters")
        if len(self.citation_ids) > MAX_CITATIONS:
            raise ValueError(f"at most {MAX_CITATIONS} citation ids")


@dataclass(frozen=True, slots=True)
class StoredFeedback:
    """One stored row, as returned by `FeedbackStore.export`."""

    id: int
    created_at: str
    rating: Rating
    remark: str | None
    question: str
    citation_ids: list[str]


class FeedbackStore:
    """Append-only feedback table in SQLite; safe to share between threads.

    Every call opens its own short-lived connection, and writes are serialised with a lock, so
    one instance can be used by all request handlers. The parent directory is created.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self._connect() as conn:
            conn.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside a transaction; commit on success, always close."""
        with closing(sqlite3.connect(self.path, timeout=10.0)) as conn, conn:
            yield conn

    def add(self, record: FeedbackRecord) -> int:
        """Store one record and return its id.

        Raises:
            ValueError: the record is invalid (see `FeedbackRecord.validate`).
        """
        record.validate()
        remark = record.remark.strip() if record.remark else None
        created_at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock, self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO feedback (created_at, rating, remark, question, citation_ids)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    created_at,
                    record.rating,
                    remark or None,
                    record.question.strip(),
                    json.dumps(list(record.citation_ids), ensure_ascii=False),
                ),
            )
            new_id = cursor.lastrowid
        if new_id is None:  # pragma: no cover - sqlite always sets it after an INSERT
            raise RuntimeError("SQLite returned no row id")
        return new_id

    def export(self) -> list[StoredFeedback]:
        """All stored feedback, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, created_at, rating, remark, question, citation_ids"
                " FROM feedback ORDER BY id"
            ).fetchall()
        return [
            StoredFeedback(
                id=int(row[0]),
                created_at=str(row[1]),
                rating=cast(Rating, row[2]),
                remark=row[3],
                question=str(row[4]),
                citation_ids=[str(c) for c in json.loads(row[5])],
            )
            for row in rows
        ]

    def __len__(self) -> int:
        with self._connect() as conn:
            (count,) = conn.execute("SELECT COUNT(*) FROM feedback").fetchone()
        return int(count)
