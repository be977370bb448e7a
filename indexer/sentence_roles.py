"""What each sentence of a passage is: a statement, a list item, a case story, a footnote, ...

Computed once at index time and stored with every chunk. The answer composer cites only whole
statements (and list items, and a list's lead-in together with its items); a case story or an
interview quote only when the question asks for an example or an experience. Footnote texts
that name a source, URL lines, fragments cut off at a page break, questions and near-duplicates
stay in the passage for the source view but are never answer sentences; a footnote that
explains ("Een persoonsgebonden budget (pgb) is een bedrag …") is read like any sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Literal

SentenceRole = Literal[
    "statement",  # an ordinary sentence
    "item",  # an item of a list
    "lead_in",  # the sentence that opens a list ("… de volgende punten:")
    "narrative",  # a case story, an interview quote, a sentence about a named child
    "question",  # a question in the text asks; it does not answer
    "footnote",  # a footnote's text, or a footnote line left in the body
    "link",  # a URL, or a line that is mostly one
    "fragment",  # cut off (a page break lost the rest), a table cell, a heading
    "duplicate",  # the same sentence, or nearly, stood earlier in the document
]
# Roles that may be an answer sentence (a narrative one only for examples and experiences).
ANSWER_ROLES: frozenset[SentenceRole] = frozenset({"statement", "item", "lead_in", "narrative"})

# A bullet or list number that opens a list item ("• ", "o ", "2. ", "b) "); private-use
# bullets (U+F0B7) are cleaned into "•", but an index of older text may still hold them.
LIST_MARKER = re.compile(r"(?:[•▪●◦○■□➢►\-–*\uf0b7]|o(?=\s)|\d{1,2}[.)]|[a-z][.)])\s+")
_TERMINAL = re.compile(r"[.!?…;]['’”\")\]]*\d{0,3}$")  # a footnote marker may follow
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# "7 Zie www…", "50 https://…", "12 Kamerstukken, …": a footnote line left in the body.
_FOOTNOTE_LINE = re.compile(
    r"^\d{1,3}\s+(?:zie\b|https?://|www\.|kamerstuk|kamerbrief|artikel\b|art\.|wetten\.nl)",
    re.IGNORECASE,
)
# A footnote's sentence that names a source rather than explains (`_explains`): an address,
# a reference's word, a source's date in brackets whose figures the extraction lost ("(juni )",
# "( november )"; the AEF's sources are dated so).
_SOURCE = re.compile(
    r"https?://|www\.|\b[\w-]+\.(?:nl|be|eu|com|org|net|int|info)\b|\b(?:kamerstukken|ecli|"
    r"staatscourant|laatst geraadpleegd|mvt|vergaderjaar)\b|\(\s*(?:januari|februari|maart|"
    r"april|mei|juni|juli|augustus|september|oktober|november|december)\s*\)",
    re.IGNORECASE,
)
# An opening that refers ("Zie …", "Artikel …", "Rb. Den Haag …", "Bijv. de opdracht …"), or a
# one-word heading run into its text ("Tijdsbeheersing In dit hoofdstuk …", a chapter's title
# that a number made look like a note).
_REFERS = re.compile(
    r"(?i:(?:zie|bron|kamerbrief|kamerstukken|artikel|uitspraak|idem|ibid)\b|(?:art|rb|bijv)\.)"
    r"|\w+ (?:In|Hier|De|Het|Dit|Deze|Er|We|Wij)\b"
)
# A verb that states (a footnote's explanation has one; a title of a source has none).
_STATES = re.compile(
    r"\b(?:is|zijn|wordt|worden|werd|werden|kan|kunnen|moet|moeten|mag|mogen|heeft|hebben|"
    r"had|hadden|zal|zullen|gaat|gaan|geeft|geven|laat|laten|valt|vallen|biedt|bieden|"
    r"bepaalt|bepalen|betreft|blijkt|staat|staan|komt|komen|krijgt|krijgen|geldt|gelden|"
    r"hoeft|hoeven|wil|willen|sluit|sluiten|bestaat|bestaan)\b",
    re.IGNORECASE,
)
_NOTE_STATEMENT_WORDS = 6
# A sentence that opens in lower case is the rest of one whose opening stands elsewhere (a
# page break, a table) or was lost; not a name that is written so ("iPad", "e-mail", "’s").
_OPENS_LOWER = re.compile(r"[a-zà-ÿ](?![A-Z])(?!-)[a-zà-ÿ]")
_QUOTE_MARKS = re.compile(r"[“”„\"]")
_FIRST_PERSON = re.compile(r"\b(?:ik|mijn|me|mij|wij|ons|onze)\b", re.IGNORECASE)
_SPEECH = re.compile(r"\b(?:vertelt|vertelde|zegt|zei|aldus)\b", re.IGNORECASE)
# Near-duplicates: this share of words in common (Jaccard), in sentences of this many words.
_DUPLICATE_JACCARD = 0.75
_DUPLICATE_MIN_WORDS = 6
# Each sentence is compared with at most this many earlier ones sharing a key word (the most
# recent): repeats stand close together, and a huge text of look-alikes stays linear.
_DUPLICATE_BUCKET = 32
_WORDS = re.compile(r"\w+")

# Person names: a capitalised word used as the subject of these verbs at least twice, never
# written in lower case anywhere, never after an article or as a place ("in", "te").
_NARRATIVE_VERBS = (
    r"is|zit|zat|heeft|had|wordt|werd|krijgt|kreeg|gaat|ging|kan|kon|woont|maakt|vindt|vond|"
    r"vertelt|zegt|zei|was|wil|wilde|loopt|komt|kwam|leert|volgt|speelt|geniet"
)
_NAME_AS_SUBJECT = re.compile(rf"\b([A-Z][a-zëéï]{{2,}})\s+(?:{_NARRATIVE_VERBS})\b")
_NOT_A_PERSON = re.compile(r"\b(?:de|het|een|deze|die|dit|in|te|uit|regio|gemeente)\s+([A-Z]\w+)")
_MIN_NAME_USES = 2
# Adverbs that open many sentences, so that a line break lost before them hides the stop.
# fmt: off
_SENTENCE_ADVERBS = frozenset((
    "Daarnaast", "Daarom", "Daarbij", "Daardoor", "Daarna", "Daarmee", "Daarvoor", "Bovendien",
    "Verder", "Ook", "Tevens", "Hierbij", "Hierdoor", "Hiermee", "Hiervoor", "Vervolgens",
    "Echter", "Tegelijkertijd", "Uiteindelijk", "Inmiddels", "Momenteel", "Onlangs", "Soms",
    "Vaak", "Eerst", "Toen", "Nu", "Zo", "Dan", "Wel", "Nog", "Al",
))
# fmt: on


def person_names(document_text: str) -> frozenset[str]:
    """The first names of the people a document tells about (the children of its case stories).

    A word the document also writes in lower case ("onderwijs") is no name, nor one only ever
    used at the start of a sentence ("Tegelijkertijd is …").
    """
    text = " ".join(document_text.split())
    lower_case = {w for w in _WORDS.findall(text) if w.islower()}
    uses = Counter(match.group(1) for match in _NAME_AS_SUBJECT.finditer(text))
    not_people = {m.group(1) for m in _NOT_A_PERSON.finditer(text)}
    return frozenset(
        name
        for name, n in uses.items()
        if n >= _MIN_NAME_USES
        and name not in _SENTENCE_ADVERBS
        and name.lower() not in lower_case
        and name not in not_people
        and _used_mid_sentence(text, name)
    )


def _used_mid_sentence(text: str, word: str) -> bool:
    """Whether `word` stands right after a lower-case word somewhere ("vertelt Julia")."""
    return bool(re.search(rf"\b[a-zë]+ {re.escape(word)}\b", text))


def sentence_roles(
    sentences: Sequence[str], *, footnotes: bool, names: frozenset[str] = frozenset()
) -> tuple[SentenceRole, ...]:
    """The role of each sentence of one passage, in order (duplicates: `mark_duplicates`).

    Args:
        sentences: The passage's sentences, in order.
        footnotes: The passage is a footnote passage: a sentence that names a source is a
            footnote's text, one that explains (`_explains`) is read like any other.
        names: Person names of the document (`person_names`).
    """
    roles: list[SentenceRole] = []
    for index, sentence in enumerate(sentences):
        later = sentences[index + 1] if index + 1 < len(sentences) else None
        if footnotes and not _explains(sentence):
            roles.append("footnote")
        else:
            roles.append(_role(sentence, later, names))
    return tuple(roles)


def _explains(sentence: str) -> bool:
    """Whether a footnote's sentence explains (a statement) rather than names a source.

    "Een persoonsgebonden budget (pgb) is een bedrag waarmee iemand zelf zorg of ondersteuning
    inkoopt." explains; "Kamerstukken II / , , nr. (MvT), p. .", "Zie www…", "Actieplan
    Ontwikkeling en onderwijs voor kinderen met EMB (juni )." and "Artikel . lid Jw." name a
    source: an address, a reference's word, a source's date in brackets, an opening that
    refers (or a one-word heading run into its text), too few words, or no verb that states.
    """
    text = sentence.strip()
    return (
        len(text.split()) >= _NOTE_STATEMENT_WORDS
        and not _SOURCE.search(text)
        and not _REFERS.match(text)
        and bool(_STATES.search(text))
    )


def _role(sentence: str, later: str | None, names: frozenset[str]) -> SentenceRole:
    text = sentence.strip()
    if _FOOTNOTE_LINE.match(text):
        return "footnote"
    url_chars = sum(len(m.group()) for m in _URL.finditer(text))
    if url_chars and url_chars >= 0.5 * len(text.replace(" ", "")):
        return "link"
    if text.endswith("?"):
        return "question"
    if _is_narrative(text, names):
        return "narrative"
    if LIST_MARKER.match(text):
        return "item"
    if text.endswith(":"):
        return "lead_in" if later is not None and LIST_MARKER.match(later.strip()) else "fragment"
    if not _TERMINAL.search(text) or _OPENS_LOWER.match(text):
        return "fragment"  # cut off at its end, or its opening lost ("kinderen een … gaan.")
    return "statement"


def _is_narrative(text: str, names: frozenset[str]) -> bool:
    if names and any(word in names for word in _WORDS.findall(text)):
        return True
    if _QUOTE_MARKS.search(text) and (_FIRST_PERSON.search(text) or _SPEECH.search(text)):
        return True
    # "ik" and "mijn" are the voice of an interview; "wij"/"ons" alone are often the authors'.
    return bool(re.search(r"\b(?:ik|mijn)\b", text, re.IGNORECASE))


def mark_duplicates(
    passages: Sequence[Sequence[str]], roles: Sequence[tuple[SentenceRole, ...]]
) -> list[tuple[SentenceRole, ...]]:
    """Mark sentences that repeat an earlier one of the same document, nearly word for word.

    `passages` are one document's passages in order, each a list of its sentences; `roles`
    their roles from `sentence_roles`. Only answer candidates are compared and marked.
    """
    earlier: list[frozenset[str]] = []
    by_word: dict[str, list[int]] = {}
    marked: list[tuple[SentenceRole, ...]] = []
    for sentences, passage_roles in zip(passages, roles, strict=True):
        out: list[SentenceRole] = []
        for sentence, role in zip(sentences, passage_roles, strict=True):
            words = frozenset(w.lower() for w in _WORDS.findall(sentence))
            if role not in ANSWER_ROLES or len(words) < _DUPLICATE_MIN_WORDS:
                out.append(role)
                continue
            keys = sorted(words, key=lambda w: (-len(w), w))[:2]
            seen = {i for key in keys for i in by_word.get(key, [])[-_DUPLICATE_BUCKET:]}
            if any(_jaccard(words, earlier[i]) >= _DUPLICATE_JACCARD for i in seen):
                out.append("duplicate")
                continue
            for key in keys:
                by_word.setdefault(key, []).append(len(earlier))
            earlier.append(words)
            out.append(role)
        marked.append(tuple(out))
    return marked


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0
