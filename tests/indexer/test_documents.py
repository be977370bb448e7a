from __future__ import annotations

from pathlib import Path

import pytest

from indexer.cleaning import clean
from indexer.documents import discover, load_catalog, read_document
from indexer.errors import CorpusError, DocumentReadError
from tests.pdfs import POLICY_PAGES, write_encrypted_pdf, write_pdf


def _source(path: Path):
    return next(s for s in discover(path.parent) if s.path == path)


def test_pdf_pages_are_kept_and_every_character_has_its_page(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "regeling.pdf", POLICY_PAGES)
    document = read_document(_source(pdf))
    assert document.page_count == 3
    assert document.page_at(document.text.index("Leerlingenvervoer in de regio")) == 1
    assert document.page_at(document.text.index("Aanvraag en bezwaar")) == 2
    assert document.page_at(document.text.index("kilometervergoeding")) == 3


def test_corrupt_pdf_error_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "kapot.pdf"
    broken.write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    with pytest.raises(DocumentReadError) as info:
        read_document(_source(broken))
    assert str(info.value).startswith("kapot.pdf: ")
    assert "\n" not in str(info.value)


def test_encrypted_pdf_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    locked = write_encrypted_pdf(tmp_path / "beveiligd.pdf")
    with pytest.raises(DocumentReadError, match=r"beveiligd\.pdf: the PDF is encrypted"):
        read_document(_source(locked))


def test_text_files_have_no_pages_and_keep_their_text(tmp_path: Path) -> None:
    path = tmp_path / "notitie.md"
    path.write_text("# Kop\r\nRegel één.\r\n", encoding="utf-8")
    document = read_document(_source(path))
    assert document.text == "# Kop\nRegel één.\n"
    assert document.page_at(3) is None


def test_non_utf8_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("café".encode("latin-1"))
    with pytest.raises(DocumentReadError, match="not UTF-8"):
        read_document(_source(path))


def test_discover_lists_supported_files_sorted_with_stable_hashes(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("b", encoding="utf-8")
    (tmp_path / "a.md").write_text("a", encoding="utf-8")
    (tmp_path / "plaatje.png").write_bytes(b"\x89PNG")
    first, second = discover(tmp_path), discover(tmp_path)
    assert [s.doc_id for s in first] == ["a", "b"]
    assert first == second


def test_missing_corpus_folder_is_a_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        discover(tmp_path / "nergens")


def test_catalog_gives_titles_and_a_file_without_entry_keeps_its_name(tmp_path: Path) -> None:
    (tmp_path / "documents.toml").write_text(
        '[handreiking]\ntitle = "Een handreiking"\nyear = 2022\nkind = "handreiking"\n',
        encoding="utf-8",
    )
    catalog = load_catalog(tmp_path)
    assert catalog["handreiking"].title == "Een handreiking"
    assert catalog["handreiking"].year == 2022
    (tmp_path / "los.txt").write_text("Losse tekst.", encoding="utf-8")
    assert read_document(_source(tmp_path / "los.txt")).meta.title == "los"


def test_real_catalog_describes_all_seven_documents() -> None:
    corpus = Path(__file__).resolve().parents[2] / "corpus"
    catalog = load_catalog(corpus)
    assert {s.doc_id for s in discover(corpus)} == set(catalog)
    assert all(meta.kind for meta in catalog.values())


def test_a_pdfs_running_header_and_footer_stay_out_of_the_passages(tmp_path: Path) -> None:
    pages = [
        ["Regeling leerlingenvervoer", *lines, f"Versie 2024 - pagina {n}"]
        for n, lines in enumerate(POLICY_PAGES * 2, start=1)
    ]
    document = read_document(_source(write_pdf(tmp_path / "regeling.pdf", pages, footer=False)))
    cleaned = clean(document.text)
    assert document.text.count("Regeling leerlingenvervoer") == 6
    assert "Regeling leerlingenvervoer" not in cleaned.text
    assert "Versie 2024" not in cleaned.text
    assert "kilometervergoeding" in cleaned.text
