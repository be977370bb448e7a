"""Feedback storage (SQLite) and the /api/v1/feedback endpoints."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.api import feedback as feedback_api
from assistant.api.errors import install_error_handlers
from assistant.feedback import FeedbackRecord, FeedbackStore

TOKEN = "export-sleutel-123"


# --- the store ------------------------------------------------------------------------------


def test_store_creates_parent_dir_and_round_trips(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "nested" / "dir" / "feedback.sqlite3")
    first = store.add(
        FeedbackRecord(
            rating="up",
            question="Wat is zorgplicht?",
            remark="  Duidelijk!  ",
            citation_ids=("doc-a#1", "doc-b#7"),
        )
    )
    second = store.add(FeedbackRecord(rating="down", question="Wat is onderwijstijd?"))
    assert second > first

    rows = store.export()
    assert [r.id for r in rows] == [first, second]
    assert rows[0].rating == "up"
    assert rows[0].remark == "Duidelijk!"
    assert rows[0].question == "Wat is zorgplicht?"
    assert rows[0].citation_ids == ["doc-a#1", "doc-b#7"]
    assert rows[1].remark is None
    assert rows[1].citation_ids == []
    created = datetime.fromisoformat(rows[0].created_at)
    assert created.utcoffset() == UTC.utcoffset(None)
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60
    assert len(store) == 2


def test_store_keeps_only_the_agreed_columns(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    FeedbackStore(path)
    with sqlite3.connect(path) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(feedback)")]
    conn.close()
    assert columns == ["id", "created_at", "rating", "remark", "question", "citation_ids"]


def test_store_persists_across_instances(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    FeedbackStore(path).add(FeedbackRecord(rating="up", question="Vraag één"))
    assert [r.question for r in FeedbackStore(path).export()] == ["Vraag één"]


@pytest.mark.parametrize(
    "record",
    [
        FeedbackRecord(rating="meh", question="Vraag"),  # type: ignore[arg-type]
        FeedbackRecord(rating="up", question="   "),
        FeedbackRecord(rating="up", question="x" * 2001),
        FeedbackRecord(rating="up", question="Vraag", remark="x" * 1001),
        FeedbackRecord(rating="up", question="Vraag", citation_ids=tuple("abcdefghijklmnopqrstu")),
    ],
)
def test_store_rejects_invalid_records(tmp_path: Path, record: FeedbackRecord) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    with pytest.raises(ValueError):
        store.add(record)
    assert store.export() == []


def test_store_is_thread_safe(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    ids: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        try:
            for i in range(20):
                new_id = store.add(FeedbackRecord(rating="up", question=f"Vraag {n}-{i}"))
                with lock:
                    ids.append(new_id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(ids)) == 160
    assert len(store.export()) == 160


# --- the endpoints --------------------------------------------------------------------------


def make_client(tmp_path: Path, token: Any = None, *, with_store: bool = True) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)
    app.state.settings = SimpleNamespace(feedback_token=token)
    if with_store:
        app.state.feedback = FeedbackStore(tmp_path / "feedback.sqlite3")
    app.include_router(feedback_api.router)
    return TestClient(app, raise_server_exceptions=False)


def valid_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "rating": "down",
        "remark": "Ik mis informatie over het samenwerkingsverband.",
        "question": "Wat doet het samenwerkingsverband?",
        "citation_ids": ["doc-a#3", "doc-a#4"],
    }
    body.update(overrides)
    return body


def test_post_feedback_stores_it(tmp_path: Path) -> None:
    client = make_client(tmp_path)
    response = client.post("/api/v1/feedback", json=valid_body())
    assert response.status_code == 201
    new_id = response.json()["id"]
    assert isinstance(new_id, int)

    rows = client.app.state.feedback.export()  # type: ignore[attr-defined]
    assert len(rows) == 1
    assert rows[0].id == new_id
    assert rows[0].rating == "down"
    assert rows[0].citation_ids == ["doc-a#3", "doc-a#4"]

    minimal = client.post("/api/v1/feedback", json={"rating": "up", "question": "Vraag?"})
    assert minimal.status_code == 201
    assert minimal.json()["id"] > new_id


@pytest.mark.parametrize(
    "overrides",
    [
        {"rating": "neutral"},
        {"remark": "x" * 1001},
        {"question": ""},
        {"question": "x" * 2001},
        {"citation_ids": [f"doc#{i}" for i in range(21)]},
        {"ip": "127.0.0.1"},  # nothing beyond the agreed fields is accepted
    ],
)
def test_post_feedback_rejects_invalid_input(tmp_path: Path, overrides: dict[str, Any]) -> None:
    client = make_client(tmp_path)
    response = client.post("/api/v1/feedback", json=valid_body(**overrides))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["message"]
    assert client.app.state.feedback.export() == []  # type: ignore[attr-defined]


def test_blank_question_is_rejected_in_dutch(tmp_path: Path) -> None:
    client = make_client(tmp_path)
    response = client.post("/api/v1/feedback", json=valid_body(question="   "))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_feedback"


def test_feedback_without_store_is_unavailable(tmp_path: Path) -> None:
    client = make_client(tmp_path, with_store=False)
    response = client.post("/api/v1/feedback", json=valid_body())
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "feedback_unavailable"


def test_export_is_off_without_a_token(tmp_path: Path) -> None:
    client = make_client(tmp_path, token=None)
    response = client.get("/api/v1/feedback/export", headers={"Authorization": "Bearer x"})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "export_disabled"
    assert "Export staat uit" in error["message"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer verkeerd"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer sléutel".encode("latin-1")},  # non-ASCII must not crash
    ],
)
@pytest.mark.parametrize("token", [TOKEN, SecretStr(TOKEN)])
def test_export_refuses_a_wrong_or_missing_token(
    tmp_path: Path, headers: dict[str, Any], token: Any
) -> None:
    client = make_client(tmp_path, token=token)
    response = client.get("/api/v1/feedback/export", headers=headers)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden"
    assert "Geen toegang" in error["message"]


@pytest.mark.parametrize("token", [TOKEN, SecretStr(TOKEN)])
def test_export_with_the_right_token(tmp_path: Path, token: Any) -> None:
    client = make_client(tmp_path, token=token)
    client.post("/api/v1/feedback", json=valid_body())
    client.post("/api/v1/feedback", json={"rating": "up", "question": "Tweede vraag"})

    response = client.get("/api/v1/feedback/export", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    data = response.json()
    assert data["count"] == 2
    first, second = data["feedback"]
    assert set(first) == {"id", "created_at", "rating", "remark", "question", "citation_ids"}
    assert first["rating"] == "down"
    assert first["citation_ids"] == ["doc-a#3", "doc-a#4"]
    assert second["remark"] is None
    assert second["question"] == "Tweede vraag"
