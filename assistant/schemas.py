"""Request and response models of the HTTP API (pydantic, API only; internal records differ)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

RetrieverName = Literal["hybrid", "bm25", "dense"]
TopicName = Literal["zorgplicht", "onderwijstijd", "leerplichtontheffing", "financiering", "overig"]
MAX_QUESTION_CHARS = 1000
MAX_HISTORY_TURNS = 10


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class HistoryTurn(_Request):
    """An earlier turn of the conversation, sent back by the client (the service is stateless)."""

    role: Literal["user", "assistant"]
    text: str = Field(min_length=1, max_length=4000)


class AskRequest(_Request):
    """A question, with the earlier turns of the conversation for follow-up questions."""

    question: str = Field(min_length=3, max_length=MAX_QUESTION_CHARS)
    history: list[HistoryTurn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS)
    retriever: RetrieverName = "hybrid"

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "question": "Mijn dochter kan geen hele schooldag aan, mag ze minder uren "
                    "naar school?",
                    "history": [],
                },
                {
                    "question": "En wie betaalt dat dan?",
                    "history": [
                        {"role": "user", "text": "Mijn zoon heeft verpleging nodig op school."}
                    ],
                },
            ]
        }
    )

    @field_validator("question")
    @classmethod
    def _has_letters(cls, value: str) -> str:
        if not any(c.isalpha() for c in value):
            raise ValueError("bevat geen woorden")
        return value


def _require_letters(value: str) -> str:
    if not any(c.isalnum() for c in value):
        raise ValueError("bevat geen woorden")
    return value


class SearchFilters(_Request):
    """Optional filters of a search."""

    doc_ids: list[str] | None = Field(default=None, max_length=20)
    topic: TopicName | None = None


class SearchRequest(_Request):
    """A search for passages (for consultants looking up citations)."""

    query: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    k: int = Field(default=10, ge=1, le=50)
    filters: SearchFilters = Field(default_factory=SearchFilters)
    retriever: RetrieverName = "hybrid"

    @field_validator("query")
    @classmethod
    def _has_words(cls, value: str) -> str:
        return _require_letters(value)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"query": "afwijking onderwijstijd instemming inspectie", "k": 5, "filters": {}},
                {
                    "query": "zorgplicht moederschool",
                    "k": 3,
                    "filters": {"doc_ids": ["plan-passend-onderwijs-brunssum"]},
                },
            ]
        }
    )


def _gaps_field() -> Any:
    """The `gaps` field of every text the API returns (`indexer.figures`)."""
    return Field(
        default_factory=list,
        description="Offsets (in code points) in `text` where the text extraction lost a figure "
        "(a number, a date, a year): show a mark such as [getal] there.",
    )


def _doc_kind_field() -> Any:
    """The `doc_kind` field of every passage the API returns (`corpus/documents.toml`)."""
    return Field(
        default=None,
        description="What kind of document the passage is from: handreiking, werkagenda (the "
        "government's plans), onderzoeksrapport, schoolplan (one school board's plan: it is "
        "about that board's schools only) or web; null when the catalog does not say.",
    )


def _publisher_field() -> Any:
    return Field(default=None, description="Who published the document, as the catalog says.")


class Passage(BaseModel):
    """A passage of a document, citable: title, section, page and its span in the original."""

    chunk_id: str
    doc_id: str
    title: str
    doc_kind: str | None = _doc_kind_field()
    publisher: str | None = _publisher_field()
    section: str
    page: int | None
    page_end: int | None
    text: str
    score: float
    char_start: int
    char_end: int
    links: list[str]
    gaps: list[int] = _gaps_field()


class CorrectionOut(BaseModel):
    """A mistyped word of the question and the documents' word it was read as."""

    typed: str
    read_as: str


class SearchResponse(BaseModel):
    """Passages, best first."""

    passages: list[Passage]
    corrections: list[CorrectionOut] = Field(
        default_factory=list,
        description="Mistyped words of the query, read as the documents' words for the search.",
    )


class AnswerSentenceOut(BaseModel):
    """A sentence of the answer, verbatim from a cited passage."""

    text: str
    citations: list[int]
    gaps: list[int] = _gaps_field()
    addressed_to: str | None = Field(
        default=None,
        description="Whom the part of the document the sentence comes from gives suggestions "
        "to, read from its heading ('scholen' for the werkagenda's 'Suggesties op "
        "schoolniveau'): what that party could do, which is not a parent's step and may not be "
        "a rule. Null for most sentences.",
    )
    municipality: str | None = Field(
        default=None,
        description="The municipality the sentence tells about, as a municipality or a place "
        "('De gemeente Amersfoort heeft …', '… in Rotterdam …'; several as Dutch lists them, "
        "'Rotterdam en Breda'): one municipality's way of working, which others may not share. "
        "Null when it names none.",
    )


class CitationOut(BaseModel):
    """A cited passage; `quote_spans` locate the quoted sentences within `text`."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    doc_kind: str | None = _doc_kind_field()
    publisher: str | None = _publisher_field()
    section: str
    page: int | None
    quote: str
    text: str
    quote_spans: list[tuple[int, int]]
    char_start: int
    char_end: int
    gaps: list[int] = _gaps_field()
    quote_gaps: list[int] = Field(
        default_factory=list,
        description="Offsets (in code points) in `quote` where the text extraction lost a figure.",
    )


class TermOut(BaseModel):
    """A glossary term with its plain-language explanation."""

    term: str
    aliases: list[str]
    explanation: str


QuestionKindName = Literal["yes_no", "who", "action", "definition", "figure", "example", "open"]


class AskResponse(BaseModel):
    """A structured, extractive answer, or `answerable: false` with the closest passages.

    Every sentence is verbatim from a cited passage. Read `short_answer` first, then
    `explanation` and `next_steps`; `answer` holds the same sentences in that order, for clients
    written before the answer was structured.
    """

    answerable: bool
    topic: TopicName
    question_kind: QuestionKindName = Field(
        description="What the question asks: yes_no (mag/moet/kan), who (decides, pays), action "
        "(what can I do, where can I go), definition (wat is), figure (how long, how many hours, "
        "which amount), example, or open."
    )
    message: str
    short_answer: list[AnswerSentenceOut] = Field(
        description="The one or two sentences that answer the question best, best first; a "
        "sentence that points back ('Deze kan …') comes after the sentences before it in its "
        "passage that say what it points at (up to three). At most four sentences."
    )
    explanation: list[AnswerSentenceOut] = Field(
        description="Up to three more sentences that explain the short answer: by passage, the "
        "best ranked first, and in reading order within a passage."
    )
    next_steps: list[AnswerSentenceOut] = Field(
        description="What the sources say a parent can do or whom to turn to, when they say it."
    )
    answer: list[AnswerSentenceOut] = Field(
        description="All answer sentences: short_answer, explanation and next_steps in that "
        "order. Kept for existing clients."
    )
    citations: list[CitationOut]
    rules: list[str]
    parties: list[str]
    confidence: float
    terms: list[TermOut]
    # Up to 4 questions from the question bank to ask next (parents' wording); empty without a
    # bank, or when no cited passage or its neighbour has an entry not asked yet.
    related_questions: list[str] = Field(default_factory=list)
    corrections: list[CorrectionOut] = Field(
        default_factory=list,
        description="Mistyped words of the question, read as the documents' words for the answer.",
    )


class ExampleOut(BaseModel):
    """An example question for the start page, from the question bank."""

    topic: str
    question: str


class ExamplesResponse(BaseModel):
    """One or two example questions per topic."""

    examples: list[ExampleOut]


class DocumentOut(BaseModel):
    """A document of the corpus."""

    doc_id: str
    title: str
    publisher: str | None
    year: int | None
    kind: str | None
    url: str | None
    chunks: int
    pages: int


class DocumentsResponse(BaseModel):
    """All documents of the index."""

    documents: list[DocumentOut]


class DocumentPassage(BaseModel):
    """A passage in the document view; `highlight` marks the one asked for."""

    chunk_id: str
    section: str
    page: int | None
    text: str
    highlight: bool
    gaps: list[int] = _gaps_field()


class DocumentDetail(BaseModel):
    """A document with its passages in order."""

    document: DocumentOut
    passages: list[DocumentPassage]


class GlossaryResponse(BaseModel):
    """The glossary, for explanations in the web chat."""

    terms: list[TermOut]


class Health(BaseModel):
    """Whether the service can answer."""

    status: Literal["ok"]
    index: str
    embedder: str
    documents: int
    chunks: int
    built_at: str


class ErrorDetail(BaseModel):
    """What went wrong, in Dutch for people, with a stable code for programs."""

    code: str
    message: str


class ErrorResponse(BaseModel):
    """The one error shape of the API."""

    error: ErrorDetail
