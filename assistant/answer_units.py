"""What can be an answer: a chunk's candidate units, and what each one is.

A unit is a whole statement, a list's item, a case sentence, or a list's lead-in together with
its items (a lead-in alone says nothing): `chunk_units`, once per chunk at load. Each one knows
whether it opens by pointing back at the sentence before it ("Deze kan een kind weigeren":
`assistant.answering` then brings that sentence along), whether it is a next step a parent can
take (`is_next_step`). `anchored_sentences` finds, over the whole index, the sentences that are
the anchors of each bank entry. Which units answer a question is `assistant.answering`'s to
decide.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from assistant.addressees import addresses_others
from assistant.answer_model import SentenceCues, sentence_cues
from indexer.chunking import Chunk
from indexer.lexical import DutchAnalyzer
from indexer.sentence_roles import ANSWER_ROLES, LIST_MARKER, SentenceRole
from indexer.store import IndexStore

_MIN_SENTENCE_WORDS = 5
_MAX_SENTENCE_WORDS = 90
_MAX_LIST_WORDS = 120  # a lead-in with its items, cited as one
_WORD = re.compile(r"\w+")
# A sentence that opens by pointing back ("Deze kan een kind weigeren", "Hierdoor kunnen de
# leerlingen …", "Dan gaat het om …") does not stand alone: the sentence before it says what
# "deze", "hierdoor" or "dan" is. Not: additive openers ("Ook", "Daarnaast"), which stand
# alone unless a demonstrative or a pronoun follows among their first words; "Deze
# handreiking", "Dit schooljaar" (the document and its time, not the sentence before); "Op dit
# moment" ("now"); "Dat" opening a clause as a subject ("Dat beide stelsels verschillen, …").
_DOCUMENT_NOUNS = (
    r"handreiking|notitie|document|hoofdstuk|paragraaf|rapport|rapportage|onderzoek|werkagenda|"
    r"tekst|website|site|pagina|bijlage|tabel|figuur|plan|plannen|schooljaar|jaar|jaren|week|"
    r"weken|maand"
)
# "Op dit moment", "in deze tijd": now, not the sentence before.
_NOW = r"(?!(?:dit|deze)\s+(?:moment|ogenblik|tijd)\b)"
# "In dat knooppunt wordt bepaald …", "Voor deze kinderen geldt …": a preposition and a
# demonstrative point back just as a demonstrative alone does.
# The prepositions of "hiervan", "daarop", … (a demonstrative adverb points back too).
# Not "hieronder" and "hierna", which point ahead.
_ADVERB_TAILS = r"van|op|in|aan|mee|bij|door|voor|over|uit|toe|tegen|binnen|om"
_PREPOSITIONS = (
    r"In|Bij|Met|Voor|Na|Naast|Uit|Door|Aan|Over|Tijdens|Vanuit|Via|Binnen|Zonder|Vanaf|Sinds|"
    r"Tot|Vanwege|Ondanks|Naar|Onder|Tussen|Op|Om|Omwille van"
)
# One of those nouns, also in a compound or the plural, in any case: "dit themaonderzoek",
# "deze werkagenda's", "deze Handreiking".
_A_DOCUMENT_NOUN = rf"(?i:\w*(?:{_DOCUMENT_NOUNS})(?:en|s)?\b)"
_ADDITIVES = (
    r"Daarnaast|Verder|Bovendien|Tevens|Ook|Echter|Toch|Vervolgens|Wel|Zo|Daarna|Uiteindelijk"
)
_DAT_VERBS = (
    r"is|was|zijn|waren|betekent|houdt|kan|kon|kunnen|moet|mag|gebeurt|geldt|gold|komt|heeft|"
    r"hebben|wordt|werd|maakt|vraagt|zorgt|gaat|staat|blijkt|lijkt"
)
_LEANS_BACK = re.compile(
    rf"^(?:(?:Deze|Dit|Die)\b(?!\s+{_A_DOCUMENT_NOUN})|Dat\s+(?:{_DAT_VERBS})\b|"
    r"(?:Zij|Ze|Hij|Hun|Beide|Beiden|Hier|Daar|Dan|Zo[’']n)\b|"
    r"Hierdoor|Daardoor|Hiermee|Daarmee|Hiervoor|Daarvoor|Hierbij|Daarbij|Hierin|Daarin|"
    r"Hiertoe|Daartoe|Hieruit|Daaruit|Daarom|Zo niet\b|"
    r"Ook (?:deze|dit|dat|die|zij|ze|hier|daar)\b|Op (?:deze|die) (?:manier|wijze)\b|"
    r"In (?:dat|dit|die|zo[’']n) geval\b|"
    # A condition on the sentence before: "Uiteraard mits dit wordt onderbouwd …", "Tenzij …".
    r"(?:Mits|Tenzij|(?:Uiteraard|Wel|Alleen|Maar|En|Ook|Echter) (?:mits|tenzij))\b|"
    # "Vanaf deze leeftijd", "Om dat te kunnen doen"; not "Op dit moment" (now), nor "Ondanks
    # dat …" (although) and the like, where "dat" opens a clause.
    rf"(?!(?:Ondanks|Zonder|Tot|Na) dat\b)(?:{_PREPOSITIONS}) {_NOW}"
    rf"(?:deze|dit|die|dat|zo[’']n|dergelijke)\s+(?!{_A_DOCUMENT_NOUN})\w|"
    # "Door hen wordt aangegeven", "Ook zijn zij verantwoordelijk", and a "hier-"/"daar-" word
    # early on: "Op basis hiervan wordt besloten", "Vanuit het samenwerkingsverband wordt
    # hierop gestuurd" (not "daarnaast", which adds).
    rf"(?:{_PREPOSITIONS}|Volgens|Van) (?:hen|hem|haar|hun)\b|"
    rf"Ook (?:{_DAT_VERBS}|geldt|gelden|zal|zullen) (?:zij|ze|hij|deze|dit|die|dat)\b|"
    # An additive or a "so" with, among its first words, "deze"/"dit" or a pronoun: "Daarnaast
    # kan dit budget …", "Verder krijgen ze …", "Zo zijn zij verplicht …" (not "die" and "dat",
    # which may start a relative or a "that" clause: "Daarnaast is het belangrijk dat …"); a
    # possessive "hun" only right after the opener's verb ("Ook is hun belastbaarheid …", not
    # "Daarnaast kunnen scholen hun eigen beleid maken").
    rf"(?:{_ADDITIVES}),?\s+(?:(?:\w+\s+){{0,3}}(?:{_NOW}(?:deze|dit)\s+(?!{_A_DOCUMENT_NOUN})\w|"
    r"(?:zij|ze|hij|hen)\b)|\w+\s+hun\b)|"
    rf"(?:\S+\s+){{0,5}}(?:hier|daar)(?!naast\b)(?:{_ADVERB_TAILS})\b)"
)
# A next step ("Wat kun je doen?") says what a parent can do or where to turn: something
# parents or "u" can do ("kunnen ouders zelf een potje meegeven"; not "je", which in these
# documents addresses professionals), or a route ("kunnen dit aanvragen bij de gemeente",
# "terecht kunnen", "contact opnemen met") for a parent or a child, or as an item of a list of
# steps ("Aanvraag doen bij de gemeente."); never a sentence that says what cannot be done
# ("… geldt dat voor deze kinderen vaak niet"), outside a condition it opens with. The action
# cue alone (`sentence_cues`: "vraag", "website", "steunpunt" anywhere) also fires on sentences
# about a research question or what an organisation does.
_PARENT_CAN = re.compile(
    r"\b(?:kunnen|mogen) (?:de )?ouders\b|(?<!met )(?<!met de )\bouders (?:kunnen|mogen)\b|"
    r"\b(?:kunt u|u kunt)\b",
    re.IGNORECASE,
)
_ROUTE = re.compile(
    r"\b(?:aanvragen|aanvraag|aanmelden|melden|meld|wenden|aankloppen|klacht|bezwaar|"
    r"advies vragen|om advies|hulp vragen|neem contact|contact (?:op|opnemen|nemen|zoeken)|"
    r"terecht (?:kunnen|kan|kunt|bij))\b|\b(?:kunnen|kan|kunt)\b[^.;:]{0,60}\bterecht\b",
    re.IGNORECASE,
)
_FOR_PARENT_OR_CHILD = re.compile(
    r"(?<!met )(?<!met de )\b(?:ouders?|verzorgers?|u|uw|kinderen|kind|leerlingen?|jongeren|"
    r"jongvolwassenen)\b",
    re.IGNORECASE,
)
_CANNOT = re.compile(r"\b(?:niet|geen|nooit)\b(?! alleen\b)", re.IGNORECASE)
# "Als er een kind niet op een gewone wc gaat zitten, kunnen ouders …", "Bent u het niet eens
# met het besluit, dan kunt u bezwaar maken", "Lukt het niet, neem dan contact op": a
# condition before the step may say "niet"; the step itself may not. The condition ends at
# the comma before the step's verb, else at its first comma.
_CONDITION = (
    re.compile(
        r"^(?:Als|Wanneer|Indien|Zodra)\b.*?,\s*(?=(?:dan|kunnen|kan|kunt|mogen|mag|moet|"
        r"moeten|is|zijn|wordt|worden|gaat|gaan|krijgt|krijgen|neem|meld|maak|vraag)\b)"
    ),
    re.compile(r"^(?:Als|Wanneer|Indien|Zodra)\b[^,]*,\s*"),
    re.compile(r"^(?:Bent|Is|Zijn|Lukt|Heeft|Hebt|Kan|Kunt|Wil|Wilt)\b[^,]*,\s*(?=dan\b)"),
)
# A chunk sentence is a bank entry's anchor when this share of the shorter one's words, and at
# least this many, are in the other (anchors are original text, chunks cleaned).
_ANCHOR_SHARE = 0.8
_ANCHOR_MIN_WORDS = 4


@dataclass(frozen=True, slots=True)
class Unit:
    """A candidate answer of a chunk: a sentence, or a list's lead-in with its items.

    `first` and `last` are the indices of its sentences in the chunk; `span` its text in
    `chunk.text`, without a leading list marker.
    """

    first: int
    last: int
    span: tuple[int, int]
    role: SentenceRole
    terms: frozenset[str]
    words: frozenset[str]
    word_count: int
    cues: SentenceCues
    leans_back: bool = False  # opens by pointing back at the sentence before (`_LEANS_BACK`)
    # Opens a footnote of a footnote passage: the sentence before it is another note's, so
    # it has none to point back at.
    opens_note: bool = False
    next_step: bool = False  # says what a parent can do or where to turn (`is_next_step`)

    def holds_any(self, sentences: AbstractSet[int]) -> bool:
        """Whether one of its sentences is among `sentences` (indices in the chunk)."""
        return not sentences.isdisjoint(range(self.first, self.last + 1))


def chunk_units(
    chunk: Chunk, analyzer: DutchAnalyzer, addressees: Sequence[str | None] = ()
) -> tuple[Unit, ...]:
    """The candidate answers of a chunk.

    Its whole statements, list items and case sentences, and each list's lead-in together with
    its items (a lead-in alone says nothing). `addressees` holds whom the part each sentence
    stands in gives suggestions to (`assistant.addressees.sentence_addressees`; empty: none).
    """
    spans = chunk.sentences
    roles = chunk.sentence_roles or tuple("statement" for _ in spans)
    units: list[Unit] = []
    for first, role in enumerate(roles):
        if role not in ANSWER_ROLES:
            continue
        last = first
        if role == "lead_in":
            while last + 1 < len(roles) and roles[last + 1] == "item":
                last += 1
        span = _without_list_marker(chunk.text, (spans[first][0], spans[last][1]))
        text = chunk.text[span[0] : span[1]]
        words = len(text.split())
        longest = _MAX_LIST_WORDS if role == "lead_in" else _MAX_SENTENCE_WORDS
        if not _MIN_SENTENCE_WORDS <= words <= longest:
            continue
        units.append(
            Unit(
                first=first,
                last=last,
                span=span,
                role=role,
                terms=frozenset(analyzer.terms(text)),
                words=frozenset(w.lower() for w in _WORD.findall(text)),
                word_count=words,
                cues=sentence_cues(text),
                leans_back=role != "item" and bool(_LEANS_BACK.match(text)),
                opens_note=chunk.kind == "footnote"
                and (first == 0 or "\n" in chunk.text[spans[first - 1][1] : spans[first][0]]),
                # A suggestion to schools is theirs to act on, never a parent's step.
                next_step=is_next_step(text, role)
                and not (first < len(addressees) and addresses_others(addressees[first])),
            )
        )
    return tuple(units)


def _without_list_marker(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span without a leading bullet or list number ("- ", "• ", "2. ")."""
    marker = LIST_MARKER.match(text, span[0], span[1])
    return (marker.end(), span[1]) if marker else span


def _without_condition(text: str) -> str:
    """The sentence after a condition it opens with (`_CONDITION`)."""
    for pattern in _CONDITION:
        if found := pattern.match(text):
            return text[found.end() :]
    return text


def is_next_step(text: str, role: SentenceRole) -> bool:
    """Whether a sentence says what a parent can do or where to turn (`_PARENT_CAN`, `_ROUTE`)."""
    if role == "narrative" or _CANNOT.search(_without_condition(text)):
        return False
    if _PARENT_CAN.search(text):
        return True
    return bool(_ROUTE.search(text)) and (role == "item" or bool(_FOR_PARENT_OR_CHILD.search(text)))


def anchored_sentences(store: IndexStore) -> dict[tuple[str, str], frozenset[int]]:
    """For (chunk id, bank entry id): the chunk's sentences that are the entry's anchors.

    An anchor is a verbatim sentence of the document, but the chunk's text is cleaned: a
    sentence counts as the anchor when most of the shorter one's words are in the other.
    """
    bank = store.bank
    found: dict[tuple[str, str], frozenset[int]] = {}
    if bank is None:
        return found
    for anchored in bank.entries:
        anchors = [frozenset(_WORD.findall(a.lower())) for a in anchored.entry.anchors]
        for row in anchored.chunk_rows:
            chunk = store.chunks[row]
            sentences = {
                i
                for i in range(len(chunk.sentences))
                for words in [frozenset(_WORD.findall(chunk.sentence(i).lower()))]
                if any(_holds(words, anchor) for anchor in anchors)
            }
            if sentences:
                found[(chunk.chunk_id, anchored.entry.entry_id)] = frozenset(sentences)
    return found


def _holds(a: frozenset[str], b: frozenset[str]) -> bool:
    shared = len(a & b)
    return shared >= _ANCHOR_MIN_WORDS and shared >= _ANCHOR_SHARE * min(len(a), len(b))
