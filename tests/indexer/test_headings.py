"""What a line opens (`indexer.headings`), on lines of the corpus's documents."""

from __future__ import annotations

import pytest

from indexer.cleaning import clean
from indexer.headings import (
    broken_headings,
    chapter_numbers,
    heading_level,
    line_kind,
    name_words,
    numbered_runs,
    section_number,
    title_tail,
)
from indexer.lines import Line, ends, split_lines


def _lines(text: str) -> list[Line | None]:
    """The lines of `text`, a blank line read as a break (None), as cleaning hands them over."""
    return [line if line.text.strip() else None for line in split_lines(text)]


def _content(lines: list[Line | None]) -> list[int]:
    return [i for i, line in enumerate(lines) if line is not None]


@pytest.mark.parametrize(
    ("heading", "parts"),
    [
        ("9.1.1. Regionale maatregelen", ("9", "1", "1")),
        ("2 Fasering", ("2",)),
        (". Aanleiding", ()),  # the extraction lost the number's digits
        ("Aanleiding", ()),
    ],
)
def test_section_number_reads_the_number_a_heading_opens_with(
    heading: str, parts: tuple[str, ...]
) -> None:
    assert section_number(heading) == parts


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("C. INTEGRAAL ARRANGEREN EN FINANCIEREN", 1),
        ("9.1. Toerusten school en personeel", 2),
        ("3.1.1 Fase voorbereiden", 3),
        ("Wie betaalt wat?", 0),  # asks without a number: a sentence
        ("De gemeente betaalt het vervoer.", 0),
        ("Samenwerking tussen onderwijs en zorg,", 0),  # goes on
    ],
)
def test_heading_level(line: str, level: int) -> None:
    assert heading_level(line, None, None) == level


def _kind(text: str, after: str | None, *, opens_block: bool = True) -> tuple[str | None, int]:
    line = Line(text, 0, page_break_before=False)
    nxt = None if after is None else Line(after, 40, page_break_before=False)
    return line_kind(line, nxt, nxt, opens_block=opens_block)


def test_an_appendix_heads_what_follows_even_without_a_break() -> None:
    assert _kind("Bijlage 1 Het kind in de startklas", "Doel:") == ("heading", 2)
    assert _kind("Bijlage 4 het clusterondersteuningsprofiel", None) == ("heading", 2)
    assert _kind("BIJLAGE 1 TIJDPAD", "Doel:") == ("heading", 2)  # not a chapter in capitals
    # The appendices' chapter is a chapter however it is written.
    assert heading_level("Bijlages", None, None) == 1
    assert heading_level("7. Bijlagen", None, None) == 1


@pytest.mark.parametrize(
    ("text", "after", "opens_block"),
    [
        ("Bijlage 1 Tijdpad landelijke maatregel", "(pagina 39) en is leidend.", False),
        ("Bijlage 3 bevat een overzicht van de", "OOGO-afspraken per gemeente.", True),
        ("Bijlage 1 en 2 laten zien dat de", "OOGO-afspraken werken.", True),
        ("Bijlage 3 bevat de volgende onderdelen", "• een tijdpad", True),
        ("Bijlage 2: zie hieronder", "De tabel geeft de taken.", True),
        ("Bijlage 1: Kamerbrief over de werkagenda", "Bijlage 2: Tijdpad", True),
        ("Bijlage 1 Tijdpad landelijke maatregel 39", "Bijlage 2 Monitor 41", True),
        ("Bijlage 3 geeft een overzicht", "van de taken per school", True),
    ],
)
def test_a_line_about_appendices_is_no_appendix_heading(
    text: str, after: str, opens_block: bool
) -> None:
    assert _kind(text, after, opens_block=opens_block)[0] != "heading"


def test_appendices_hang_under_their_chapter_not_the_last_section() -> None:
    text = (
        "9.6. Normaliseren inclusief onderwijs\n\nDe werkagenda loopt tot 2035.\n\n"
        "Bijlages\n\nBijlage 1 Tijdpad landelijke maatregel\nFormaliseren verwachtingen.\n"
    )
    cleaned = clean(text)
    headings = [
        (b.level, cleaned.text[b.start : b.end]) for b in cleaned.blocks if b.kind == "heading"
    ]
    assert headings == [
        (2, "9.6. Normaliseren inclusief onderwijs"),
        (1, "Bijlages"),
        (2, "Bijlage 1 Tijdpad landelijke maatregel"),
    ]


def test_a_heading_continued_in_lower_case_is_a_sentence() -> None:
    after = Line("verloopt niet altijd soepel.", 40, page_break_before=False)
    assert heading_level("Samenwerking met de gemeente", after, after) == 0


def test_a_short_line_right_above_its_paragraph_is_a_run_in_title() -> None:
    title = Line("Hordes in de schoolloopbaan", 0, page_break_before=False)
    text = Line(
        "Kinderen uit beide doelgroepen lopen tegen hordes aan.", 28, page_break_before=False
    )
    assert line_kind(title, text, text, opens_block=True) == ("title", 0)
    # In the middle of a paragraph, the same line goes on its sentence.
    assert line_kind(title, text, text, opens_block=False) == (None, 0)


def test_a_sentence_wrapped_before_a_name_is_no_title() -> None:
    line = Line("Het samenwerkingsverband werkt samen met de gemeente", 0, page_break_before=False)
    after = Line("Brunssum en Landgraaf aan een dekkend netwerk.", 52, page_break_before=False)
    names = frozenset({"Brunssum"})
    assert line_kind(line, after, after, opens_block=True, names=names) == (None, 0)


def test_lines_numbered_one_after_the_other_are_a_list_not_chapters() -> None:
    lines = _lines("Ontwikkellijnen:\n\n1. Toerusten school\n\n2. Laagdrempelige hulp\n\nTekst.")
    assert numbered_runs(lines, _content(lines)) == {2, 4}


def test_chapters_are_the_numbers_their_sections_carry() -> None:
    lines = _lines("3 Tijdsbeheersing\n3.1 Planning\nTekst.\n12 Kamerbrief over de wet.")
    assert chapter_numbers(lines, _content(lines)) == frozenset({"3"})


def test_a_section_heading_broken_over_two_lines_is_one() -> None:
    text = "Tekst.\n\n9.1. Toerusten school en personeel t.b.v. onderwijs aan\ndiverse groep\n\nDe"
    lines = _lines(text)
    assert broken_headings(lines, _content(lines)) == {2: ((3,), 2)}


def test_a_run_in_title_broken_over_lines_ends_where_its_text_begins() -> None:
    lines = _lines(
        "Het duurt soms even voor de combinatie van onderwijs en zorg geboden kan\n"
        "worden\n"
        "Ook als er een passende mogelijkheid is, duurt het even.\n"
    )
    assert title_tail(lines, 0, frozenset()) == 1
    assert title_tail(lines, 1, frozenset()) == 0  # its second line opens nothing


def test_name_words_are_capitalised_within_sentences_and_never_in_lower_case() -> None:
    lines = [
        Line("De scholen in Brunssum en Landgraaf werken samen.", 0, page_break_before=False),
        Line("Het plan van de gemeente Brunssum is klaar. Samen lukt het.", 51, False),
        Line("Ouders en scholen werken samen.", 112, page_break_before=False),
        # "Passend" within a sentence, but the text writes "passend" too: no name.
        Line("Het plan Passend onderwijs helpt, want passend onderwijs telt.", 144, False),
    ]
    assert name_words(lines) == frozenset({"Brunssum", "Landgraaf"})


@pytest.mark.parametrize(
    ("text", "ended"),
    [
        ("… die op deze punten al lopen.20", True),  # ended by its footnote's number
        ("De school moet dat doen.", True),
        ("“Zo ging het.”", True),
        ("Tevens moeten scholen beschrijven welke", False),
        ("zie paragraaf 5.3", False),
    ],
)
def test_ends(text: str, ended: bool) -> None:
    assert ends(text) is ended
