"""Feedback in SQLite and in a real PostgreSQL: one schema by numbered migrations, the same
export, retention, and two worker processes writing at once losing or doubling nothing."""

from __future__ import annotations

import multiprocessing
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from assistant.feedback import (
    SCHEMA_VERSION,
    FeedbackRecord,
    FeedbackStore,
    FeedbackUnavailableError,
)

WRITERS = 2
PER_WRITER = 150


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh feedback database of each kind."""
    if request.param == "sqlite":
        return str(tmp_path / "feedback.sqlite")
    server = request.getfixturevalue("postgres")
    name = ("fb_" + re.sub(r"\W", "_", request.node.name).lower())[:60]
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.url.rsplit("/", 1)[0] + f"/{name}"


def _records() -> list[FeedbackRecord]:
    return [
        FeedbackRecord(rating="up", question="Wat is zorgplicht?", remark="  Helder  ",
                       citation_ids=("doc-a#1", "doc-b#7")),
        FeedbackRecord(rating="down", question="Wie betaalt het vervoer? ë", citation_ids=()),
    ]  # fmt: skip


def test_both_backends_store_and_export_the_same(location: str, tmp_path: Path) -> None:
    store = FeedbackStore(location)
    reference = FeedbackStore(tmp_path / "reference.sqlite")
    for record in _records():
        store.add(record)
        reference.add(record)
    rows, expected = store.export(), reference.export()
    assert [(r.id, r.rating, r.remark, r.question, r.citation_ids) for r in rows] == [
        (r.id, r.rating, r.remark, r.question, r.citation_ids) for r in expected
    ]
    assert rows[0].remark == "Helder"
    for row in rows:  # one timestamp format: ISO 8601, UTC, to the second
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", row.created_at)
        age = datetime.now(UTC) - datetime.fromisoformat(row.created_at)
        assert abs(age) < timedelta(seconds=60)
    assert len(store) == 2


def test_migrations_are_applied_once_and_recorded(location: str) -> None:
    FeedbackStore(location).add(_records()[0])
    again = FeedbackStore(location)  # a second start migrates nothing and keeps the rows
    assert again.schema_version() == SCHEMA_VERSION
    assert len(again) == 1


def test_retention_deletes_only_feedback_older_than_the_setting(location: str) -> None:
    keep_forever = FeedbackStore(location)
    now = datetime.now(UTC)
    keep_forever.add(_records()[0], now=now - timedelta(days=40))
    keep_forever.add(_records()[1], now=now - timedelta(days=10))
    assert keep_forever.delete_expired() == 0  # retention 0: nothing is deleted
    store = FeedbackStore(location, retention_days=30)  # opening deletes what is too old
    assert [r.question for r in store.export()] == [_records()[1].question]
    store.add(_records()[0], now=now - timedelta(days=31))
    store.add(_records()[0])  # adding cleans up too
    assert len(store) == 2
    assert store.delete_expired() == 0


def _write(location: str, writer: int, start: multiprocessing.synchronize.Barrier) -> None:
    store = FeedbackStore(location, retention_days=30)  # both start (and migrate) at once
    start.wait(timeout=60)
    for n in range(PER_WRITER):
        store.add(FeedbackRecord(rating="up" if n % 2 else "down", question=f"w{writer} q{n}"))


def test_two_worker_processes_writing_at_once_lose_and_double_nothing(location: str) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WRITERS)
    writers = [context.Process(target=_write, args=(location, w, start)) for w in range(WRITERS)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=120)
        assert process.exitcode == 0
    rows = FeedbackStore(location).export()
    expected = {f"w{w} q{n}" for w in range(WRITERS) for n in range(PER_WRITER)}
    assert len(rows) == WRITERS * PER_WRITER
    assert {r.question for r in rows} == expected
    assert len({r.id for r in rows}) == len(rows)


def test_an_unreachable_database_is_a_clear_error(postgres) -> None:
    dead = postgres.url.replace(f":{postgres.port}/", ":1/")
    with pytest.raises(FeedbackUnavailableError, match="postgresql"):
        FeedbackStore(dead)


def test_an_existing_sqlite_file_of_the_old_schema_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:  # as the service wrote it before migrations
        conn.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT"
            " NULL, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), remark TEXT,"
            " question TEXT NOT NULL, citation_ids TEXT NOT NULL)"
        )
        conn.execute(
            "INSERT INTO feedback (created_at, rating, question, citation_ids)"
            " VALUES ('2026-11-30T10:00:00+00:00', 'up', 'Oud', '[]')"
        )
    conn.close()
    store = FeedbackStore(path)
    assert store.schema_version() == SCHEMA_VERSION
    assert [r.question for r in store.export()] == ["Oud"]


def test_personal_data_typed_in_feedback_is_masked_before_it_is_stored(location: str) -> None:
    store = FeedbackStore(location)
    store.add(
        FeedbackRecord(
            rating="down",
            question="Mijn zoon (BSN 123456782) mag niet naar school, bel 06-12345678",
            remark="Mail me: ouder@example.nl",
        )
    )
    (row,) = store.export()
    assert row.question == "Mijn zoon (BSN [nummer]) mag niet naar school, bel [telefoon]"
    assert row.remark == "Mail me: [e-mail]"
