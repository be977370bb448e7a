"""Real PDF files for the tests, generated with fpdf2 (core fonts, so Latin-1 text only)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF


def write_pdf(path: Path, pages: Sequence[Sequence[str]], *, footer: bool = True) -> Path:
    """Write one PDF page per item of `pages`, one text line per string, and a page number."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for line in lines:
            pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        if footer:
            pdf.set_y(-20)
            pdf.cell(0, 7, str(number), align="C")
    pdf.output(str(path))
    return path


def write_encrypted_pdf(path: Path) -> Path:
    """A PDF that needs a password to open."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 7, "Vertrouwelijk verslag over leerlingenvervoer.")
    pdf.set_encryption(owner_password="eigenaar", user_password="geheim")
    pdf.output(str(path))
    return path


# A three-page policy text with a heading, a word hyphenated over a line break, a bullet list
# and page numbers: what a real extracted PDF looks like.
POLICY_PAGES: list[list[str]] = [
    [
        "1. Leerlingenvervoer in de regio",
        "",
        "De gemeente regelt het leerlingenvervoer voor kinderen die door hun beperking",
        "niet zelfstandig naar school kunnen reizen. Ouders vragen het vervoer aan bij de",
        "gemeente van hun woonplaats. De gemeente en de samenwerkings-",
        "verbanden maken hierover afspraken in het op overeenstemming gericht overleg.",
    ],
    [
        "2. Aanvraag en bezwaar",
        "",
        "Een aanvraag voor aangepast vervoer met een taxibusje wordt binnen acht weken",
        "beoordeeld door het team leerlingenvervoer van de gemeente. Tegen een besluit over",
        "het vervoer kunnen ouders binnen zes weken bezwaar maken bij de gemeente.",
        "- Ouders voegen een verklaring van de school toe.",
        "- De gemeente kan een medisch advies vragen aan de jeugdarts.",
    ],
    [
        "3. Vergoeding",
        "",
        "Wanneer ouders hun kind zelf met de auto brengen, vergoedt de gemeente een",
        "kilometervergoeding volgens de verordening leerlingenvervoer van de gemeente.",
    ],
]
