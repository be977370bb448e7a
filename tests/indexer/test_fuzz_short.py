"""A short run of the fuzzer (scripts/fuzz.py): ~100 malformed PDFs and ~200 odd texts.

Each input goes through `read_document`, `clean` and `chunk_document` in a worker process with
a time and memory limit; anything but a `DocumentReadError` is a failure.
"""

from __future__ import annotations

from pathlib import Path

from scripts import fuzz


def test_malformed_pdfs_and_odd_texts_are_read_or_refused_cleanly(tmp_path: Path) -> None:
    summary = fuzz.run_fuzz(
        seconds=40,
        seed=20240611,
        out_dir=tmp_path / "fuzz",
        max_pdfs=100,
        max_texts=200,
        huge_pages=30,
    )
    report = fuzz.format_summary(summary, 20240611)
    assert summary.failed == 0, report
    assert sum(summary.tried.values()) >= 250, report  # the time cap was not hit early
    assert sum(summary.rejected.values()) > 0 and sum(summary.ok.values()) > 0, report


def test_the_sandbox_reports_a_hang_as_a_failure(tmp_path: Path) -> None:
    with fuzz.Sandbox(time_limit=0.5) as sandbox:
        # Many tiny lines read quickly; the limit is what is under test, so make it tiny.
        path = tmp_path / "groot.txt"
        path.write_text("Een zin.\n" * 3_000_000, encoding="utf-8")
        outcome = sandbox.run(path)
        assert outcome.status == "failure" and "time limit" in outcome.detail
        small = tmp_path / "klein.txt"
        small.write_text("Een korte zin over de school.", encoding="utf-8")
        assert sandbox.run(small).status == "ok"  # a fresh worker after the failure


def test_an_encrypted_pdf_is_refused_not_failed(tmp_path: Path) -> None:
    encrypted = tmp_path / "geheim.pdf"
    encrypted.write_bytes(fuzz.make_encrypted_pdf(tmp_path))
    with fuzz.Sandbox() as sandbox:
        outcome = sandbox.run(encrypted)
    assert outcome.status == "rejected", outcome
    assert "encrypted" in outcome.detail


def test_the_sandbox_reports_running_out_of_memory_as_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "groot.txt"
    path.write_text("Een zin over de school en de gemeente.\n" * 200_000, encoding="utf-8")
    with fuzz.Sandbox(memory_mb=300) as sandbox:
        outcome = sandbox.run(path)
    assert outcome.status == "failure", outcome
    assert "MemoryError" in outcome.detail or "worker died" in outcome.detail
