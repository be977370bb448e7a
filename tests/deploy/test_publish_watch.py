"""`EngineHolder.reload_if_published` and `PublishWatcher`: what each worker runs to notice a
newly published index."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.engine import Engine, EngineHolder, PublishWatcher
from assistant.errors import IndexUnavailableError
from indexer.store import CHUNKS_DB, builds_root, publish


@pytest.fixture
def private(small_index: Settings, tmp_path: Path) -> Settings:
    """The small index, published once more under this test's own directory."""
    settings = small_index.model_copy(update={"index_dir": tmp_path / "index"})
    first = builds_root(settings.index_dir) / "first"
    shutil.copytree(small_index.index_dir.resolve(), first)
    publish(first, settings.index_dir)
    return settings


def _copy_build(settings: Settings, name: str) -> Path:
    copy = builds_root(settings.index_dir) / name
    shutil.copytree(settings.index_dir.resolve(), copy)
    return copy


def test_only_a_newly_published_index_is_loaded_and_a_damaged_one_is_tried_once(
    private: Settings, embedder
) -> None:
    holder = EngineHolder(Engine.load(private, embedder=embedder), private)
    assert holder.reload_if_published() is None  # nothing new
    fresh = _copy_build(private, "watch-fresh")
    publish(fresh, private.index_dir)
    loaded = holder.reload_if_published()
    assert loaded is not None and loaded.store.path == fresh
    assert holder.engine is loaded

    damaged = _copy_build(private, "watch-damaged")
    with (damaged / CHUNKS_DB).open("ab") as fh:
        fh.write(b"corruption")
    publish(damaged, private.index_dir)
    with pytest.raises(IndexUnavailableError, match="Checksum mismatch"):
        holder.reload_if_published()
    assert holder.reload_if_published() is None  # refused once, not retried every poll
    assert holder.engine is loaded


def test_the_watcher_thread_swaps_the_engine(private: Settings, embedder) -> None:
    holder = EngineHolder(Engine.load(private, embedder=embedder), private)
    watcher = PublishWatcher(holder, interval=0.1)
    watcher.start()
    try:
        fresh = _copy_build(private, "watch-thread")
        publish(fresh, private.index_dir)
        deadline = time.monotonic() + 30
        while holder.engine.store.path != fresh:
            assert time.monotonic() < deadline, "the watcher did not load the new index"
            time.sleep(0.05)
    finally:
        watcher.stop()


def test_a_zero_interval_watches_nothing(private: Settings, embedder) -> None:
    holder = EngineHolder(Engine.load(private, embedder=embedder), private)
    watcher = PublishWatcher(holder, interval=0)
    watcher.start()
    assert watcher._thread is None
    watcher.stop()
