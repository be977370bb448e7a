"""The Dutch analyser behind BM25: stemming, stop words and compound splitting."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import Stemmer
from hypothesis import given
from hypothesis import strategies as st

from indexer.lexical import STOPWORDS, DutchAnalyzer, LexicalIndex, _protected_stem, fold, words


@given(st.text())
def test_folding_lower_cases_and_drops_every_combining_mark(text: str) -> None:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    assert fold(text) == "".join(c for c in decomposed if not unicodedata.combining(c))


def test_folding_strips_diacritics_and_leaves_ascii_alone() -> None:
    assert fold("Geïntegreerd ONDERWIJS, één café") == "geintegreerd onderwijs, een cafe"
    assert fold("Zo’n kind") == "zo’n kind"


def test_participles_and_plain_forms_share_a_stem() -> None:
    analyzer = DutchAnalyzer()
    assert analyzer.terms("gefinancierd") == analyzer.terms("financieren")
    assert analyzer.terms("aangemeld") == analyzer.terms("aanmelden")


def test_words_that_only_look_like_participles_keep_their_meaning() -> None:
    analyzer = DutchAnalyzer()
    assert analyzer.terms("begeleiding") != analyzer.terms("beleid")
    assert analyzer.terms("begeleiding") == analyzer.terms("begeleider")
    assert analyzer.terms("gebied") != analyzer.terms("bieden")
    assert analyzer.terms("aangewezen") != analyzer.terms("aanwezig")
    assert analyzer.terms("jeugdbegeleiding") == ["jeugdbegeleid"]


def test_web_chat_fillers_and_family_words_are_stop_words() -> None:
    analyzer = DutchAnalyzer()
    question = analyzer.terms("Mag mijn zoon eigenlijk gewoon thuisblijven?")
    assert question == analyzer.terms("thuisblijven")


def test_compounds_also_yield_their_known_parts() -> None:
    analyzer = DutchAnalyzer.from_texts(["leerplicht leerplicht ontheffing ontheffing"])
    whole, *parts = analyzer.terms("leerplichtontheffing")
    assert parts == analyzer.terms("leerplicht ontheffing")
    assert whole not in parts


def test_a_compound_in_the_question_finds_its_parts_in_the_text() -> None:
    index = LexicalIndex.build(
        [
            "De leerplicht geldt voor ieder kind; een ontheffing is een uitzondering.",
            "Het samenwerkingsverband verdeelt het geld voor ondersteuning.",
            "De leerplicht en de ontheffing staan in de Leerplichtwet.",
        ]
    )
    scores = index.scores("Wanneer krijg je leerplichtontheffing?")
    assert scores[1] == 0.0
    assert scores[0] > 0.0 and scores[2] > 0.0
    assert np.argmax(scores) in (0, 2)


def test_a_footnote_marker_glued_to_a_word_is_not_part_of_it() -> None:
    index = LexicalIndex.build(
        [
            "In dat jaar is de Variawet42 ingevoerd, met ruimte voor maatwerk.",
            "Het samenwerkingsverband verdeelt het geld voor ondersteuning.",
        ]
    )
    assert index.scores("Wat regelt de Variawet?")[0] > 0.0
    analyzer = DutchAnalyzer()
    assert analyzer.terms("onderwijstijd11") == analyzer.terms("onderwijstijd")
    # Two letters are a code with its figure (as the chat reads them), not a marker.
    assert [analyzer.terms(code) for code in ("NT2", "CO2", "GD7")] == [["nt2"], ["co2"], ["gd7"]]
    # Three letters and a digit lose it: in the text and in the question alike.
    assert analyzer.terms("Speerpunt SKA2") == analyzer.terms("speerpunt ska")
    # Four digits are no marker; digits first are no word with a marker.
    assert analyzer.terms("covid1234") == ["covid1234"]
    assert analyzer.terms("2e") == ["2e"]
    # The vocabulary (for compounds) is learned without the markers too.
    learned = DutchAnalyzer.from_texts(["de Variawet42 en de Variawet"], min_count=2)
    assert "variawet" in learned.vocabulary and "variawet42" not in learned.vocabulary


def _uncached_terms(analyzer: DutchAnalyzer, text: str) -> list[str]:
    """`DutchAnalyzer.terms` without its cache of words' terms: text by text."""
    forms: list[str] = []
    for word in words(text):
        word = re.sub(r"^([a-z]{3,})[0-9]{1,3}$", r"\1", word)  # a glued footnote marker
        if word not in STOPWORDS:
            forms += [word, *analyzer.split_compound(word)]
    stems = Stemmer.Stemmer("dutch").stemWords(forms)
    return [_protected_stem(w) or s for w, s in zip(forms, stems, strict=True)]


def test_cached_word_terms_are_the_terms_of_every_passage(engine) -> None:
    analyzer = engine.store.lexical.analyzer
    texts = [c.text for c in engine.store.chunks] + list(engine.store.bank.questions)
    assert len(analyzer.vocabulary) > 1000
    for text in texts:
        assert analyzer.terms(text) == _uncached_terms(analyzer, text)
    # Asked again, from the cache: still the same.
    again = [analyzer.terms(t) for t in texts[:20]]
    assert again == [_uncached_terms(analyzer, t) for t in texts[:20]]


_WORDS = (
    "leerplichtontheffing",
    "ontheffingen",
    "zorgplicht",
    "de",
    "gefinancierd",
    "x" * 45,
    "variawet42",
    "x" * 45 + "12",
    "nt2",
)


@given(
    st.lists(
        st.one_of(
            st.sampled_from(_WORDS), st.text(alphabet="abcdeëfhiklmnoprstuvz0123", max_size=50)
        ),
        max_size=8,
    ).map(" ".join)
)
def test_cached_word_terms_hold_for_any_text(text: str) -> None:
    analyzer = DutchAnalyzer.from_texts(["leerplicht leerplicht ontheffing ontheffing zorg zorg"])
    assert analyzer.terms(text) == _uncached_terms(analyzer, text)
    assert analyzer.terms(text) == _uncached_terms(analyzer, text)
