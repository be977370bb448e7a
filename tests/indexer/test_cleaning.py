from __future__ import annotations

from pathlib import Path

import pytest

from indexer.cleaning import clean, stands_for

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _block_texts(text: str) -> list[tuple[str, str]]:
    cleaned = clean(text)
    return [(b.kind, cleaned.text[b.start : b.end]) for b in cleaned.blocks]


def test_words_hyphenated_over_a_line_break_are_joined() -> None:
    cleaned = clean("De samenwerkings-\nverbanden maken afspraken.\n")
    assert cleaned.text == "De samenwerkingsverbanden maken afspraken."


def test_suspended_compounds_and_real_hyphens_are_kept() -> None:
    cleaned = clean("binnen de huidige wet-\nen regelgeving in Zuid-\nLimburg.\n")
    assert cleaned.text == "binnen de huidige wet- en regelgeving in Zuid- Limburg."


def test_url_lines_become_links_and_leave_the_text() -> None:
    cleaned = clean("Zie de website voor meer.\nhttps://www.example.nl/pagina\n")
    assert "https" not in cleaned.text
    assert [link.url for link in cleaned.links] == ["https://www.example.nl/pagina"]


def test_a_line_repeated_after_a_page_break_is_dropped() -> None:
    text = (
        "Kinderen met een beperking krijgen een kans om te leren.\n\n"
        "Daarna volgt een nieuwe alinea.\n\f"
        "Kinderen met een beperking krijgen een kans om te leren.\n"
    )
    cleaned = clean(text)
    assert cleaned.text.count("Kinderen met een beperking") == 1


def test_page_numbers_and_toc_leaders_are_dropped() -> None:
    cleaned = clean("Inhoud .......... 3\nEen echte zin.\n12\n")
    assert cleaned.text == "Een echte zin."


def test_footnotes_move_after_the_body_and_the_sentence_they_broke_is_joined() -> None:
    text = (
        "Het schoolbestuur bepaalt of het kind wordt\n"
        "\n"
        "4  Zie artikel 40 van de wet.\n"
        "\n"
        "toegelaten tot de school.\n"
    )
    blocks = _block_texts(text)
    assert blocks[0] == (
        "paragraph",
        "Het schoolbestuur bepaalt of het kind wordt toegelaten tot de school.",
    )
    assert blocks[-1] == ("footnote", "4 Zie artikel 40 van de wet.")


def test_headings_bullets_and_numbered_sections_are_recognised() -> None:
    text = "1.1 Inleiding\nDe tekst begint hier.\n\n• eerste punt\n• tweede punt\n"
    kinds = [kind for kind, _ in _block_texts(text)]
    assert kinds == ["heading", "paragraph", "item", "item"]


def test_every_cleaned_character_maps_to_the_same_character_of_the_original() -> None:
    for path in sorted(CORPUS.glob("*.txt")):
        original = path.read_text(encoding="utf-8")
        cleaned = clean(original)
        assert len(cleaned.origin) == len(cleaned.text) + 1
        for i, char in enumerate(cleaned.text):
            if not char.isspace():
                assert stands_for(char, original[cleaned.origin[i]]), (path.name, i)


def test_handreiking_repeated_fragments_occur_once() -> None:
    original = (CORPUS / "samen-naar-school-handreiking.txt").read_text(encoding="utf-8")
    cleaned = clean(original).text
    for fragment in (
        "Normaliseren en omarmen van diversiteit",
        "onderwijs met zorg op maat wordt geboden aan kinderen",
        "Om formeel deel te kunnen nemen aan het onderwijs",
    ):
        assert original.count(fragment) == 2
        assert cleaned.count(fragment) == 1


def _paged(pages: list[list[str]]) -> str:
    return "\f".join("\n".join(lines) for lines in pages)


def test_running_headers_and_numbered_footers_are_dropped() -> None:
    body = [
        "De gemeente regelt het vervoer van leerlingen.",
        "Ouders vragen het aan bij de gemeente.",
        "Het samenwerkingsverband maakt daarover afspraken.",
    ]
    pages = [["Werkagenda 2035", line, f"Pagina {n} van 4"] for n, line in enumerate(body * 2, 1)]
    cleaned = clean(_paged(pages[:4]))
    assert "Werkagenda" not in cleaned.text
    assert "Pagina" not in cleaned.text
    for line in body:
        assert line in cleaned.text


def test_a_line_at_the_top_of_only_a_few_pages_is_kept() -> None:
    pages = [[f"Alinea {n} over de zorgplicht van de school."] * 3 for n in range(1, 7)]
    pages[0].insert(0, "Samenvatting")
    pages[3].insert(0, "Samenvatting")
    cleaned = clean(_paged(pages))
    assert cleaned.text.count("Samenvatting") == 2


def test_text_without_page_breaks_has_no_running_headers() -> None:
    text = "\n".join(["Werkagenda 2035", "Een zin over onderwijs en zorg."] * 4)
    assert clean(text).text.count("Werkagenda 2035") == 4


def test_numbered_lines_one_after_the_other_are_a_list_not_chapters() -> None:
    text = (
        "4. Richting en koers\n"
        "De werkagenda kent zes lijnen, die hieronder staan.\n\n"
        "Ontwikkellijnen werkagenda:\n"
        "1. Toerusten van school en personeel\n"
        "2. Laagdrempelige hulp in en nabij de school\n\n"
        "3. Organiseren van een dekkend aanbod\n\n"
        "De zes lijnen brengen ook de maatregelen samen.\n\n"
        "5. Fasering en ijkmomenten\n"
        "De werkagenda kent drie fasen tot 2035.\n"
    )
    cleaned = clean(text)
    blocks = [(b.kind, cleaned.text[b.start : b.end].split(" ")[0]) for b in cleaned.blocks]
    assert ("heading", "4.") in blocks and ("heading", "5.") in blocks  # text between them
    assert [k for k, first in blocks if first in {"1.", "2.", "3."}] == ["item"] * 3


@pytest.mark.parametrize("glyph", ["q", "ü"])
def test_a_checkbox_drawn_by_a_symbol_font_is_no_word_of_the_step_it_opens(glyph: str) -> None:
    text = (
        "Stappenplan voor een nieuw initiatief.\n\n"
        f"                        {glyph} \n"
        "                 Elk initiatief begint met een goed idee.\n"
    )
    words = clean(text).text.split()
    assert glyph not in words
    assert " ".join(words).endswith("initiatief. Elk initiatief begint met een goed idee.")


def test_a_section_heading_broken_over_two_lines_is_one_heading() -> None:
    text = (
        "9.1. Toerusten school en personeel t.b.v. onderwijs aan\n\n"
        "diverse groep\n\n"
        "9.1.1. Landelijke maatregelen\n"
        "Scholen krijgen meer tijd voor de ondersteuning van leerlingen.\n\n"
        "4. Het plan gaat over de\n\n"
        "school en de gemeente.\n"
    )
    blocks = _block_texts(text)
    assert ("heading", "9.1. Toerusten school en personeel t.b.v. onderwijs aan diverse groep") in (
        blocks
    )
    assert ("heading", "9.1.1. Landelijke maatregelen") in blocks
    # One number may be a list item that goes on, and a sentence's end is no heading's.
    assert not any(kind == "heading" and t.startswith("4.") for kind, t in blocks)


@pytest.mark.parametrize(
    "line",
    [
        "Tijdpad: 2023",  # a field of a table and its value
        "Actienemer: OCW en VWS",
        "Naar Inclusiever Onderwijs (zie website",  # a bracket the next line closes
        "Bestuursakkoord Lerarenopleidingen), de werkagenda onderwijs-zorg, de",
        "Gemiddeld Range Gemiddeld Range",  # a table's header row
        "Fase 1 Fase 2 Fase 3 Fase 4",
    ],
)
def test_a_table_row_or_a_sentence_fragment_standing_alone_is_no_heading(line: str) -> None:
    text = f"Leerlingenvervoer\n\n{line}\n\nDe gemeente regelt het vervoer naar school.\n"
    blocks = _block_texts(text)
    assert blocks[0] == ("heading", "Leerlingenvervoer")  # the same line shape is one
    assert all(kind != "heading" for kind, _ in blocks[1:])
    assert line in " ".join(t for _, t in blocks)  # the text stays, as text


def test_a_title_with_a_colon_or_brackets_is_still_a_heading() -> None:
    for title in (
        "Uitwerking KD4: Versterken executieve functies",
        "Stakeholdersanalyse (optioneel)",
    ):
        assert _block_texts(f"{title}\n\nDe school maakt een plan.\n")[0] == ("heading", title)


def test_a_run_in_title_is_a_block_of_its_own() -> None:
    text = (
        "Het samenwerkingsverband maakt een plan.\n\n"
        "Hordes in de schoolloopbaan\n"
        "Kinderen kunnen hordes tegenkomen tijdens hun route binnen het onderwijs.\n"
    )
    assert _block_texts(text) == [
        ("paragraph", "Het samenwerkingsverband maakt een plan."),
        ("title", "Hordes in de schoolloopbaan"),
        ("paragraph", "Kinderen kunnen hordes tegenkomen tijdens hun route binnen het onderwijs."),
    ]


def test_a_run_in_title_may_stand_over_a_field() -> None:
    text = (
        "7. Bijlagen\n\n"
        "Het kind in de startklas\n"
        "Doel:\n"
        "Leerlingen behouden binnen het reguliere basisonderwijs.\n"
    )
    assert _block_texts(text)[1:] == [
        ("title", "Het kind in de startklas"),
        ("paragraph", "Doel: Leerlingen behouden binnen het reguliere basisonderwijs."),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # a sentence wrapped before a name, an acronym or a word with a bracket
        "Dit kan leiden tot een Veilig\nThuis melding, wat de situatie verder verergert.\n",
        "Dat vraagt niet alleen\nOOGO-afspraken met het samenwerkingsverband.\n",
        "Dat vraagt niet alleen\nOOGO met het samenwerkingsverband.\n",
        # before a name the text writes as one within a sentence
        "De scholen in Brunssum werken samen.\nDit geldt voor alle scholen in de gemeente\n"
        "Brunssum en Landgraaf krijgen extra geld.\n",
        "Lees de Handreiking ontwikkelagenda\nInclusiever Onderwijs voor gemeenten.\n",
        "Twee scholen (waaronder Bs\nSchinveld) doen ook mee.\n",
        # a line that ends in a word no title ends in
        "De leerlingen van de school in\nBrunssum krijgen extra hulp.\n",
        # a dash after quotation marks that names no speaker: a term in quotation marks, a
        # dash that goes on, straight quotation marks (they open as well as close)
        "Het zogeheten “thuiszitterspact” – samen met\nIngrado en de PO-Raad is afgesproken.\n",
        "“Dit is wat wij echt vinden” - samen met\nOuders en Onderwijs gaan we verder.\n",
        '"dat klopt niet" - volgens de\nInspectie van het Onderwijs is het anders.\n',
    ],
)
def test_a_sentence_wrapped_over_two_lines_stays_one_sentence(text: str) -> None:
    assert _block_texts(text) == [("paragraph", " ".join(text.split()))]


def test_a_run_in_title_may_be_a_sentence_without_a_full_stop() -> None:
    title = "Het is niet vanzelfsprekend dat kinderen een vorm van onderwijs kunnen volgen"
    text = f"Dat zagen we al.\n{title}\nVoor deze kinderen is het niet vanzelfsprekend.\n"
    assert ("title", title) in _block_texts(text)
    fourteen = "De overstap van de ene naar de andere school vraagt veel van een leerling"
    text = f"Dat zagen we al.\n{fourteen}\nBinnen het onderwijs zijn er overgangen.\n"
    assert ("title", fourteen) in _block_texts(text)
    # Seventeen words and more, or more than 90 characters, are a sentence's line, whatever
    # follows.
    for longer in (
        "Dit is het en zo is het nu al heel lang in de regio voor hen ook",  # 17 words
        "Samenwerkingsverbanden ondersteuningsprofielen onderwijszorgarrangementen "
        "jeugdhulpaanbieders gemeentelijke verantwoordelijkheden",  # 6 words, 128 characters
    ):
        text = f"Dat zagen we al.\n{longer}\nVoor hen niet.\n"
        assert ("title", longer) not in _block_texts(text)


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (
            ["Het duurt soms even voor de combinatie van onderwijs en zorg geboden kan", "worden"],
            "Het duurt soms even voor de combinatie van onderwijs en zorg geboden kan worden",
        ),
        (
            [
                "Een gezamenlijke visie maakt samenwerking makkelijker, maar is niet",
                "eenvoudig te realiseren",
            ],
            "Een gezamenlijke visie maakt samenwerking makkelijker, maar is niet eenvoudig te "
            "realiseren",
        ),
        (  # a narrow column
            ["Thema’s voor", "de gezamenlijke", "ontwikkelagenda", "voor inclusie", "onderwijs"],
            "Thema’s voor de gezamenlijke ontwikkelagenda voor inclusie onderwijs",
        ),
    ],
)
def test_a_run_in_title_broken_over_lines_is_one_title(lines: list[str], title: str) -> None:
    body = "Ook als er een passende plek is, duurt het soms even."
    text = "Dat zagen we al.\n\n" + "\n".join(lines) + f"\n{body}\n"
    assert _block_texts(text) == [
        ("paragraph", "Dat zagen we al."),
        ("title", title),
        ("paragraph", body),
    ]


@pytest.mark.parametrize(
    "lines",
    [
        ["Het duurt soms even voor de combinatie van onderwijs en zorg", "er is."],  # a sentence
        ["Het duurt soms even voor de combinatie van onderwijs", "en zorg geboden kan worden"],
        ["Het duurt soms even voor de combinatie van onderwijs en zorg,", "er is"],
        ["Dit betekent voor scholen:", "meer tijd", "minder regels"],  # a lead-in and its items
        ["Het onderzoek is in de zomer van dat jaar gehouden.34", "en niet later"],
        ["Het duurt soms even voor", "de combinatie.", "van zorg"],
        ["Het duurt soms even voor de combinatie van onderwijs en zorg", "Ouders"],
        ["Het duurt soms even voor de combinatie van onderwijs en zorg", "", "worden"],
        ["Thema’s voor", "de", "ge", "zamen", "lijke", "ont", "wikkel", "agenda"],  # 7 more lines
    ],
)
def test_lines_that_do_not_make_a_title_are_not_joined_into_one(lines: list[str]) -> None:
    text = "Dat zagen we al.\n\n" + "\n".join(lines) + "\nOok als er een plek is.\n"
    *_, before, last = [line for line in lines if line]
    joined = f"{before} {last}"
    assert not any(kind == "title" and joined in text for kind, text in _block_texts(text))


def test_a_short_line_after_a_footnote_goes_on_the_footnote_rather_than_titling() -> None:
    text = (
        "Het rapport is openbaar.\n\n"
        "12 Kamerbrief over passend onderwijs, 2023.\n"
        "Zie voor meer informatie het rapport\n"
        "van de inspectie\n"
        "Jaarlijks komt er een nieuwe versie.\n"
    )
    blocks = _block_texts(text)
    assert all(kind != "title" for kind, _ in blocks)
    assert any(
        kind == "footnote" and "het rapport van de inspectie" in text for kind, text in blocks
    )


def test_a_lost_digit_section_heading_over_three_lines_is_one_heading() -> None:
    text = (
        "Dit kost veel tijd, maar met resultaat.\n"
        " .  Kinderen die normaal tot hoogbegaafd zijn en door een\n"
        "beperking slechts een deel van het onderwijsprogramma\n"
        "kunnen volgen\n\n"
        "De groep is gevarieerd.\n"
    )
    assert _block_texts(text) == [
        ("paragraph", "Dit kost veel tijd, maar met resultaat."),
        (
            "heading",
            ". Kinderen die normaal tot hoogbegaafd zijn en door een beperking slechts een deel "
            "van het onderwijsprogramma kunnen volgen",
        ),
        ("paragraph", "De groep is gevarieerd."),
    ]


def test_a_title_broken_at_a_hyphen_is_one_heading_but_a_suspended_compound_is_not() -> None:
    title = "Jeugdhulp/zorg in de ondersteunings-\nstructuur van het onderwijs\n\nDe zorg groeit.\n"
    assert _block_texts(title)[0] == (
        "heading",
        "Jeugdhulp/zorg in de ondersteuningsstructuur van het onderwijs",
    )
    suspended = "Nieuwe wet-\nen regelgeving\n\nDe zorg groeit.\n"
    assert all(kind != "heading" for kind, _ in _block_texts(suspended))


def test_a_sentence_a_break_cut_before_a_figure_goes_on_but_a_footnote_does_not() -> None:
    text = (
        "- Een voltijdsbaan in het onderwijs is 1659 uur. In de zorg is dat\n\n"
        "1.878 uur per jaar. Leraren zijn vrij in de vakanties.\n\n"
        "Onderwijsconsulenten zijn niet door iedereen tijdig\n\n"
        "51 https://www.example.nl/leerplicht\n"
    )
    texts = [t for _, t in _block_texts(text)]
    assert any("In de zorg is dat 1.878 uur per jaar." in t for t in texts)
    assert not any("tijdig 51" in t for t in texts)


def test_a_note_that_opens_with_its_address_is_a_footnote_and_the_cut_sentence_joins() -> None:
    text = (
        "zoals de monitor passend onderwijs, wachtlijsten, het\n\n"
        "                         \n"
        "9  statement-op-weg-naar-inclusief-onderwijs.htm (fontys.nl)\n\n"
        "https://fontys.nl/statement-op-weg-naar-inclusief-onderwijs.htm\n"
        " aantal thuiszitters en het aantal vrijstellingen.\n\n"
        "Dat is nu niet gedaan. Er is meer praktijkervaring en meer\n\n"
        "10 https://www.slo.nl/thema/meer/inclusiever-onderwijs/\n"
        "11  Aan de Onderwijs-Zorgtafel nemen deel: OCW, VWS, Iederin,\n"
        "BMK, VNG en de samenwerkingsverbanden\n\n"
        " tijd nodig voor een onderbouwde concretisering.\n"
    )
    assert _block_texts(text) == [
        (
            "paragraph",
            "zoals de monitor passend onderwijs, wachtlijsten, het aantal thuiszitters en het "
            "aantal vrijstellingen.",
        ),
        (
            "paragraph",
            "Dat is nu niet gedaan. Er is meer praktijkervaring en meer tijd nodig voor een "
            "onderbouwde concretisering.",
        ),
        ("footnote", "9 statement-op-weg-naar-inclusief-onderwijs.htm (fontys.nl)"),
        ("footnote", "10 https://www.slo.nl/thema/meer/inclusiever-onderwijs/"),
        (
            "footnote",
            "11 Aan de Onderwijs-Zorgtafel nemen deel: OCW, VWS, Iederin, BMK, VNG en de "
            "samenwerkingsverbanden",
        ),
    ]


def test_the_next_pages_first_line_after_the_notes_leaves_them() -> None:
    # One space before the line and no empty line: the text of the next page, which goes on
    # with the sentence the page cut (whatever its first word) or opens a paragraph.
    text = (
        "Deze regio's lopen niet gelijk met die van de samenwerkingsverbanden.\n\n"
        "12 https://www.rijksoverheid.nl/onderwerpen/passend-onderwijs,\n"
        "laatst geraadpleegd: juli\n"
        " De gemeente is op grond van de Jeugdwet verantwoordelijk voor de hulp.\n\n"
        "drie opleidingen die de opleiding Master\n\n"
        "8 Deelnemende schoolleiders en schoolbesturen.\n"
        " Educational Needs verzorgen samen op.\n\n"
        "We sluiten aan bij de opleidingen die al lopen.20\n\n"
        "20 Bijv. de opdracht van het overleg.\n"
        " Actienemer(s): OCW en opleiders.\n"
    )
    assert _block_texts(text) == [
        ("paragraph", "Deze regio's lopen niet gelijk met die van de samenwerkingsverbanden."),
        ("paragraph", "De gemeente is op grond van de Jeugdwet verantwoordelijk voor de hulp."),
        (
            "paragraph",
            "drie opleidingen die de opleiding Master Educational Needs verzorgen samen op.",
        ),
        ("paragraph", "We sluiten aan bij de opleidingen die al lopen.20"),
        ("paragraph", "Actienemer(s): OCW en opleiders."),
        (
            "footnote",
            "12 https://www.rijksoverheid.nl/onderwerpen/passend-onderwijs, laatst "
            "geraadpleegd: juli",
        ),
        ("footnote", "8 Deelnemende schoolleiders en schoolbesturen."),
        ("footnote", "20 Bijv. de opdracht van het overleg."),
    ]


def test_after_the_notes_only_a_paragraph_goes_on_and_a_note_keeps_its_own_lines() -> None:
    # An item does not go on with the next page's first line; a sentence ended by its
    # footnote's number has ended, so a line in lower case after the notes is the note's own.
    text = (
        "De volgende wetten gelden:\n\n"
        "• Wmo\n\n"
        "12 Zie de brief van de minister.\n"
        " De gemeente is verantwoordelijk voor de zorg.\n\n"
        "Dit is de tekst.3\n\n"
        "3 Zie de brief van de minister over de\n"
        " regeling van de onderwijstijd.\n"
    )
    assert _block_texts(text) == [
        ("paragraph", "De volgende wetten gelden:"),
        ("item", "• Wmo"),
        ("paragraph", "De gemeente is verantwoordelijk voor de zorg."),
        ("paragraph", "Dit is de tekst.3"),
        ("footnote", "12 Zie de brief van de minister."),
        ("footnote", "3 Zie de brief van de minister over de regeling van de onderwijstijd."),
    ]


def test_a_chapter_numbered_without_a_dot_is_a_heading_not_a_footnote() -> None:
    # Sections numbered under it follow, or the chapter before it was a heading; a note with
    # the same look in a document without such sections stays a note.
    text = (
        "Aanvullen?\n\n"
        " 2 Fasering\n\n"
        "2.1 Inhoudelijke onderbouwing\n"
        "In de volgende hoofdstukken komt dit naar voren.\n\n"
        "- Maken beschrijving bijbehorende leiderschap\n\n"
        "3 Tijdsbeheersing\n"
        "In dit hoofdstuk wordt de planning omschreven.\n\n"
        "3.1.1 Fase voorbereiden\n"
        "De voorbereiding loopt tot de zomer.\n\n"
        "4 Geldbeheersing\n"
        "Hier een stukje geschiedenis.\n"
    )
    kinds = _block_texts(text)
    assert ("heading", "2 Fasering") in kinds
    assert ("heading", "3 Tijdsbeheersing") in kinds
    assert ("heading", "4 Geldbeheersing") in kinds
    assert ("paragraph", "In dit hoofdstuk wordt de planning omschreven.") in kinds
    assert not [t for k, t in kinds if k == "footnote"]
    note = "Het kind gaat naar school.\n\n3 Lokale Educatieve Agenda\n"
    assert _block_texts(note)[-1] == ("footnote", "3 Lokale Educatieve Agenda")


def test_a_note_that_lost_its_number_keeps_the_next_pages_text_out() -> None:
    text = (
        "DOnderwijsinspectie, . https://www.onderwijsinspectie.nl/onderwerpen/staat-van-\n"
        "het-onderwijs/speciaal-onderwijs/het-speciaal-onderwijs-groeit\n"
        " Deelnemers van het onderzoek geven aan dat de doorstroom niet gemakkelijk is.\n"
    )
    texts = [t for _, t in _block_texts(text)]
    assert texts[-1] == (
        "Deelnemers van het onderzoek geven aan dat de doorstroom niet gemakkelijk is."
    )


def test_a_line_ending_in_a_comma_goes_on_whatever_its_next_word() -> None:
    text = (
        "Partners (OCW, PO Raad, VO Raad, AOb, FNV O&O, CNV Onderwijs,\n\n"
        "FvOv en AVS, in samenwerking met Platform VVVO, BVMBO, SPV,\n\n"
        "Het Lerarencollectief en de sectorraden).\n\n"
        "Een nieuwe alinea.\n"
    )
    assert [t for _, t in _block_texts(text)] == [
        "Partners (OCW, PO Raad, VO Raad, AOb, FNV O&O, CNV Onderwijs, FvOv en AVS, in "
        "samenwerking met Platform VVVO, BVMBO, SPV, Het Lerarencollectief en de sectorraden).",
        "Een nieuwe alinea.",
    ]


def test_the_aef_reports_rules_after_its_notes_are_body_text() -> None:
    cleaned = clean((CORPUS / "aef-onderwijs-zorg-initiatieven.txt").read_text(encoding="utf-8"))
    kinds = {cleaned.text[b.start : b.end][:60]: b.kind for b in cleaned.blocks}
    for opening in (
        "De gemeente is op grond van de Jeugdwet verantwoordelijk",
        "De gemeente is verder verantwoordelijk voor de indicering",
        "De kinderen uit deze doelgroepen vragen om een andere omgang",
    ):
        assert [kind for text, kind in kinds.items() if text.startswith(opening)] == ["paragraph"]
    notes = [cleaned.text[b.start : b.end] for b in cleaned.blocks if b.kind == "footnote"]
    assert "22 Rb. Den Haag juli , ECLI:NL:RBDHA: : ." in notes


def test_a_dash_inside_an_open_bracket_goes_on_the_item_and_opens_no_new_one() -> None:
    text = (
        "• De samenhang is maar zeer beperkt gerealiseerd (plaatsing\n"
        "– volgen – terugplaatsing).\n"
        "– Een nieuw punt van de lijst.\n"
    )
    assert _block_texts(text) == [
        (
            "item",
            "• De samenhang is maar zeer beperkt gerealiseerd (plaatsing – volgen – "
            "terugplaatsing).",
        ),
        ("item", "– Een nieuw punt van de lijst."),
    ]


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        # a numbered heading that asks, standing alone
        (
            "Dat zagen we.\n\n3. Hoe is de gewenste situatie te bereiken?\n\nDe tekst.\n",
            "3. Hoe is de gewenste situatie te bereiken?",
        ),
        # a heading in capitals over two lines
        (
            "C. INTEGRAAL ARRANGEREN EN FINANCIEREN VAN ONDERWIJS, JEUGDHULP\nEN ZORG\n\n"
            "De tekst.\n",
            "C. INTEGRAAL ARRANGEREN EN FINANCIEREN VAN ONDERWIJS, JEUGDHULP EN ZORG",
        ),
    ],
)
def test_headings_that_ask_or_run_over_two_lines_in_capitals(text: str, heading: str) -> None:
    assert ("heading", heading) in _block_texts(text)


def test_a_question_in_the_text_is_no_heading() -> None:
    text = "Dat zagen we.\n\nHoe is de gewenste situatie te bereiken?\n\nDe tekst.\n"
    assert all(kind != "heading" for kind, _ in _block_texts(text))


def test_a_heading_in_capitals_takes_one_line_more_only_while_it_stays_a_heading() -> None:
    table = "1. LEERLINGEN\nAANTAL PO VO\nTOTAAL 120 130\n"
    assert ("heading", "1. LEERLINGEN AANTAL PO VO TOTAAL 120 130") not in _block_texts(table)
    two = _block_texts("CONTOUREN\nWERKAGENDA ROUTE\nNAAR INCLUSIEF\n\nDe tekst.\n")
    assert two[0] == ("heading", "CONTOUREN WERKAGENDA ROUTE")


def test_a_superscript_footnote_number_does_not_go_on_the_sentence() -> None:
    text = "De cao van het onderwijs geldt ook zo en meer\n\n¹ Zie de cao van de zorg.\n"
    assert not any("meer ¹" in t for _, t in _block_texts(text))


@pytest.mark.parametrize(
    ("speaker", "quote_end"),
    [
        # the speaker on the quote's last line, and on a dash line of its own
        ("samenwerkingsverband", "Alle kinderen zijn leerbaar.” -\nsamenwerkingsverband"),
        ("beleidsmedewerker gemeente", "zien het nut ervan in.”\n – beleidsmedewerker gemeente"),
    ],
)
def test_a_quotes_speaker_ends_it_so_a_run_in_title_may_follow(
    speaker: str, quote_end: str
) -> None:
    title = "Onduidelijkheid over minimumeisen aan de onderwijstijd werken beperkend"
    text = f"“Het is zo. {quote_end}\n {title}\nVoor sommige kinderen is minder uren wenselijk.\n"
    blocks = _block_texts(text)
    assert ("title", title) in blocks
    assert blocks[-1] == ("paragraph", "Voor sommige kinderen is minder uren wenselijk.")
    assert any(t.endswith(speaker) for _, t in blocks)


def test_a_speaker_after_a_quotation_without_marks_ends_it_too() -> None:
    text = (
        "Andere gemeenten willen de voorziening niet altijd betalen. Daardoor moeten kinderen\n"
        "in die gevallen geweigerd worden. – samenwerkingsverband\n"
        " Op verschillende manieren proberen gemeenten de discussie op te lossen:\n"
        "- De gemeenten in Zuid Limburg hebben een matrix opgesteld.\n"
    )
    assert _block_texts(text)[:2] == [
        (
            "paragraph",
            "Andere gemeenten willen de voorziening niet altijd betalen. Daardoor moeten kinderen "
            "in die gevallen geweigerd worden. – samenwerkingsverband",
        ),
        ("paragraph", "Op verschillende manieren proberen gemeenten de discussie op te lossen:"),
    ]
    # On a line of its own, the sentence and its speaker are no title for what follows.
    text = "Dat is zo. – samenwerkingsverband\nOp verschillende manieren lossen ze het op.\n"
    assert all(kind != "title" for kind, _ in _block_texts(text))
    # A dash after a sentence that names no one goes on ("… – samen met").
    text = "Dat is zo. – samen met\nOuders en Onderwijs gaan we verder.\n"
    assert [k for k, _ in _block_texts(text)] == ["paragraph"]


def test_a_lower_case_line_after_a_quotes_speaker_goes_on_its_sentence() -> None:
    text = "Hij zei: “Het is zo.” - een ouder\nen daarna ging hij naar huis.\n"
    assert [k for k, _ in _block_texts(text)] == ["paragraph"]


def test_a_sentence_after_a_quotes_speaker_opens_a_paragraph_of_its_own() -> None:
    text = (
        "“Zij gaan nu proactiever om tafel met thuiszitters.” – beleidsmedewerker\n"
        "gemeente\n"
        " In de wetten wordt geen gedetailleerde definitie gegeven van begeleiding en\n"
        "ondersteuning.\n"
    )
    assert _block_texts(text) == [
        (
            "paragraph",
            "“Zij gaan nu proactiever om tafel met thuiszitters.” – beleidsmedewerker gemeente",
        ),
        (
            "paragraph",
            "In de wetten wordt geen gedetailleerde definitie gegeven van begeleiding en "
            "ondersteuning.",
        ),
    ]


def test_a_dash_item_after_no_quotation_keeps_its_next_line() -> None:
    text = "De scholen zijn:\n– scholen in de gemeente\nSittard-Geleen, Beek en Stein doen mee.\n"
    assert _block_texts(text)[-1] == (
        "item",
        "– scholen in de gemeente Sittard-Geleen, Beek en Stein doen mee.",
    )
