"""Feedback on answers (thumbs up/down, an optional remark), in SQLite or PostgreSQL.

Only what is needed to improve the answers is kept: when, the rating, the remark, the question
and the chunk ids the answer cited. No IP address, user agent or anything else about the person;
e-mail addresses, phone numbers and BSN-like numbers in the question and the remark are masked
before they are stored. Feedback older than the retention period is deleted.

SQLite (a file, the embedded default) and PostgreSQL (`postgresql://...`, shared by all workers
and machines) hold the same schema, built by the same numbered migrations (`MIGRATIONS`, applied
at start in one locked transaction and recorded in `schema_migrations`), and export the same rows.

Usage:
    store = FeedbackStore(Path("var/feedback.sqlite3"))          # or "postgresql://..."
    new_id = store.add(FeedbackRecord(rating="up", question="Wat is zorgplicht?",
                                      citation_ids=("doc#3",)))
    rows = store.export()            # [StoredFeedback(id=1, created_at="2025-...", ...)]
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

import psycopg

from assistant.privacy import mask_personal_data

if TYPE_CHECKING:
    from assistant.config import Settings

Rating = Literal["up", "down"]
RATINGS: tuple[Rating, ...] = ("up", "down")
MAX_REMARK_CHARS = 1000
MAX_QUESTION_CHARS = 2000
MAX_CITATIONS = 20


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step, written once per database dialect."""

    version: int
    sqlite: str
    postgres: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        """CREATE TABLE IF NOT EXISTS feedback (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at   TEXT    NOT NULL,
            rating       TEXT    NOT NULL CHECK (rating IN ('up', 'down')),
            remark       TEXT,
            question     TEXT    NOT NULL,
            citation_ids TEXT    NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS feedback (
            id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            created_at   TIMESTAMPTZ NOT NULL,
            rating       TEXT    NOT NULL CHECK (rating IN ('up', 'down')),
            remark       TEXT,
            question     TEXT    NOT NULL,
            citation_ids TEXT    NOT NULL
        )""",
    ),
    Migration(
        2,  # the retention clean-up deletes by age
        "CREATE INDEX IF NOT EXISTS feedback_created_at ON feedback (created_at)",
        "CREATE INDEX IF NOT EXISTS feedback_created_at ON feedback (created_at)",
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1].version
# Any constant: PostgreSQL's advisory lock that lets one worker at a time migrate.
_MIGRATION_LOCK = 7_231_861


class FeedbackUnavailableError(Exception):
    """The feedback database cannot be reached or refused the operation."""


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


class _Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class _Database(Protocol):
    """What differs between SQLite and PostgreSQL; the SQL is otherwise shared."""

    errors: tuple[type[Exception], ...]

    def transaction(self, *, migrate: bool = False) -> Any:
        """A context manager yielding a cursor inside one transaction (commit on success)."""

    def schema(self, migration: Migration) -> str:
        """The migration's statement in this dialect."""

    def to_db(self, moment: datetime) -> Any:
        """A timestamp as this database stores it."""

    def from_db(self, value: Any) -> str:
        """A stored timestamp as ISO 8601 in UTC, to the second."""


class _SQLite:
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # one writer per process; other processes wait on SQLite

    @contextmanager
    def transaction(self, *, migrate: bool = False) -> Iterator[_Cursor]:
        del migrate  # BEGIN IMMEDIATE already takes the one write lock of the file
        with (
            self._lock,
            closing(sqlite3.connect(self.path, timeout=30.0, isolation_level=None)) as conn,
        ):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield cast(_Cursor, conn.cursor())
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def schema(self, migration: Migration) -> str:
        return migration.sqlite

    def to_db(self, moment: datetime) -> Any:
        return moment.astimezone(UTC).isoformat(timespec="seconds")

    def from_db(self, value: Any) -> str:
        return str(value)


class _PostgreSQL:
    errors: tuple[type[Exception], ...] = (psycopg.Error,)

    def __init__(self, url: str) -> None:
        self.url = url

    @contextmanager
    def transaction(self, *, migrate: bool = False) -> Iterator[_Cursor]:
        with psycopg.connect(self.url, connect_timeout=10) as conn, conn.cursor() as cursor:
            if migrate:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            yield _PostgresCursor(cursor)
            # leaving `psycopg.connect` commits, or rolls back on an exception

    def schema(self, migration: Migration) -> str:
        return migration.postgres

    def to_db(self, moment: datetime) -> Any:
        return moment.astimezone(UTC)

    def from_db(self, value: Any) -> str:
        return cast(datetime, value).astimezone(UTC).isoformat(timespec="seconds")


class _PostgresCursor:
    """A psycopg cursor that takes the shared SQL's `?` placeholders."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Any:
        return self._cursor.execute(sql.replace("?", "%s"), params)

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()


class FeedbackStore:
    """Append-only feedback table in SQLite or PostgreSQL, shared by threads and workers.

    `location` is a path (SQLite; the parent directory is created) or a `postgresql://` URL.
    Every call opens its own short-lived connection. With `retention_days`, feedback older
    than that is deleted when the store opens and whenever feedback is added.

    Raises (every method, and the constructor):
        FeedbackUnavailableError: the database cannot be reached or refused the operation.
    """

    def __init__(self, location: Path | str, *, retention_days: int = 0) -> None:
        text = str(location)
        self._db: _Database
        if text.startswith(("postgresql://", "postgres://")):
            self._db = _PostgreSQL(text)
            self.backend = "postgresql"
        else:
            self._db = _SQLite(Path(location))
            self.backend = "sqlite"
        self.retention_days = retention_days
        with self._guard():
            self._migrate()
            self.delete_expired()

    @classmethod
    def for_settings(cls, settings: Settings) -> FeedbackStore:
        """The store the settings ask for: PostgreSQL with `database_url`, else SQLite."""
        url = settings.database_url.get_secret_value() if settings.database_url else None
        return cls(url or settings.feedback_db, retention_days=settings.feedback_retention_days)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except self._db.errors as exc:
            raise FeedbackUnavailableError(
                f"The feedback database ({self.backend}) failed: {type(exc).__name__}: {exc}"
            ) from exc

    def _migrate(self) -> None:
        """Apply the migrations this database has not had yet, one worker at a time."""
        with self._db.transaction(migrate=True) as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations"
                " (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            done = {int(row[0]) for row in cur.execute("SELECT version FROM schema_migrations")}
            for migration in MIGRATIONS:
                if migration.version not in done:
                    cur.execute(self._db.schema(migration))
                    cur.execute(
                        "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                        (migration.version, datetime.now(UTC).isoformat(timespec="seconds")),
                    )

    def schema_version(self) -> int:
        """The highest migration applied to this database."""
        with self._guard(), self._db.transaction() as cur:
            (version,) = cur.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(version)

    def add(self, record: FeedbackRecord, *, now: datetime | None = None) -> int:
        """Store one record and return its id (`now`: the time to record, for tests).

        Raises:
            ValueError: the record is invalid (see `FeedbackRecord.validate`).
        """
        record.validate()
        remark = mask_personal_data(record.remark.strip()) if record.remark else None
        created_at = self._db.to_db(now or datetime.now(UTC))
        with self._guard(), self._db.transaction() as cur:
            self._delete_expired(cur)
            (new_id,) = cur.execute(
                "INSERT INTO feedback (created_at, rating, remark, question, citation_ids)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (
                    created_at,
                    record.rating,
                    remark or None,
                    mask_personal_data(record.question.strip()),
                    json.dumps(list(record.citation_ids), ensure_ascii=False),
                ),
            ).fetchone()
        return int(new_id)

    def delete_expired(self) -> int:
        """Delete feedback older than the retention period; returns how many rows went."""
        with self._guard(), self._db.transaction() as cur:
            return self._delete_expired(cur)

    def _delete_expired(self, cur: _Cursor) -> int:
        if self.retention_days <= 0:
            return 0
        cutoff = datetime.now(UTC) - timedelta(days=self.retention_days)
        result = cur.execute("DELETE FROM feedback WHERE created_at < ?", (self._db.to_db(cutoff),))
        return max(int(result.rowcount), 0)

    def export(self) -> list[StoredFeedback]:
        """All stored feedback, oldest first."""
        with self._guard(), self._db.transaction() as cur:
            rows = cur.execute(
                "SELECT id, created_at, rating, remark, question, citation_ids"
                " FROM feedback ORDER BY id"
            ).fetchall()
        return [
            StoredFeedback(
                id=int(row[0]),
                created_at=self._db.from_db(row[1]),
                rating=cast(Rating, row[2]),
                remark=row[3],
                question=str(row[4]),
                citation_ids=[str(c) for c in json.loads(row[5])],
            )
            for row in rows
        ]

    def __len__(self) -> int:
        with self._guard(), self._db.transaction() as cur:
            (count,) = cur.execute("SELECT COUNT(*) FROM feedback").fetchone()
        return int(count)
