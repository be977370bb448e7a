"""Loading and validating a question set (JSON Lines, one question per line).

Each line is checked on its own: it must be a JSON object with the documented fields (see
`QuestionLine`), its evidence documents must exist and every quote must occur in its document
once whitespace is collapsed. All problems of a file are collected and reported together in one
`QuestionSetError`, each prefixed with the file name and line number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)

from eval.relevance import DocumentTexts, Evidence, QuoteLocator

Audience = Literal["ouder", "consulent"]
Topic = Literal[
    "zorgplicht", "onderwijstijd", "leerplichtontheffing", "financiering", "samenwerking", "overig"
]

DEFAULT_QUESTIONS = Path(__file__).parent / "questions" / "dev.jsonl"

# More problems than this in one file are summarised rather than listed.
_MAX_REPORTED_ERRORS = 20
_QUOTE_PREVIEW_CHARS = 80

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class EvidenceLine(BaseModel):
    """One `{"doc", "quote"}` item of a question line."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    doc: NonEmpty
    quote: NonEmpty


class QuestionLine(BaseModel):
    """The schema of one line of a question file."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: NonEmpty
    question: NonEmpty
    audience: Audience
    topic: Topic
    answerable: bool
    evidence: list[EvidenceLine]
    must_mention: list[NonEmpty]
    note: str = ""

    @model_validator(mode="after")
    def _evidence_matches_answerable(self) -> QuestionLine:
        if self.answerable and not self.evidence:
            raise ValueError("an answerable question needs at least one evidence quote")
        if not self.answerable and (self.evidence or self.must_mention):
            raise ValueError("an unanswerable question must have empty evidence and must_mention")
        return self


@dataclass(frozen=True, slots=True)
class Question:
    """A validated question whose evidence quotes are located in their documents."""

    id: str
    question: str
    audience: Audience
    topic: Topic
    answerable: bool
    evidence: tuple[Evidence, ...]
    must_mention: tuple[str, ...]
    note: str
    line: int


@dataclass(frozen=True, slots=True)
class LineError:
    """One problem of a question file, at a 1-based line number (None: the file as a whole)."""

    line: int | None
    reason: str


class QuestionSetError(Exception):
    """A question file is unreadable or holds invalid lines.

    The message names the file and, for each problem, its line number, for example
    `dev.jsonl line 7: quote not found in aef-onderwijs-zorg-initiatieven: '...'`.
    """

    def __init__(self, path: Path, errors: list[LineError]) -> None:
        self.path = path
        self.errors = tuple(errors)
        lines = [_format_error(path, error) for error in errors[:_MAX_REPORTED_ERRORS]]
        if len(errors) > _MAX_REPORTED_ERRORS:
            lines.append(f"{path.name}: {len(errors) - _MAX_REPORTED_ERRORS} more problems")
        super().__init__("\n".join(lines))

    @property
    def line(self) -> int | None:
        """The line number of the first problem."""
        return self.errors[0].line if self.errors else None


def _format_error(path: Path, error: LineError) -> str:
    where = path.name if error.line is None else f"{path.name} line {error.line}"
    return f"{where}: {error.reason}"


# Sets read only as totals: never fitted on, and no question's text in their reports.
TOTALS_ONLY_SETS = ("blind", "short")


def read_only_as_totals(path: Path) -> bool:
    """A set whose file name holds one of `TOTALS_ONLY_SETS` ("blind.jsonl", "new-short2.jsonl")."""
    return any(name in path.name.lower() for name in TOTALS_ONLY_SETS)


def load_questions(path: Path, texts: DocumentTexts) -> tuple[Question, ...]:
    """Read and validate a question file, locating every evidence quote.

    Blank lines are skipped. Question ids must be unique.

    Args:
        path: The JSON Lines file.
        texts: Gives a document's original text by id, or None for an unknown id.

    Returns:
        The questions in file order.

    Raises:
        QuestionSetError: The file cannot be read, is empty, or has invalid lines; the message
            lists every problem with its line number.
    """
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise QuestionSetError(path, [LineError(None, f"cannot be read ({exc.strerror})")]) from exc
    except UnicodeDecodeError as exc:
        raise QuestionSetError(path, [LineError(None, "is not UTF-8 text")]) from exc
    locator = QuoteLocator(texts)
    questions: list[Question] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for number, text in enumerate(raw.splitlines(), start=1):
        if not text.strip():
            continue
        try:
            question = _parse_line(text, number, locator)
        except _LineInvalid as exc:
            errors.append(LineError(number, str(exc)))
            continue
        if question.id in seen:
            first = seen[question.id]
            errors.append(
                LineError(number, f"duplicate id {question.id!r} (first on line {first})")
            )
            continue
        seen[question.id] = number
        questions.append(question)
    if not questions and not errors:
        errors.append(LineError(None, "holds no questions"))
    if errors:
        raise QuestionSetError(path, errors)
    return tuple(questions)


class _LineInvalid(ValueError):
    """One line failed validation; the message is the reason, without the location."""


def _parse_line(text: str, number: int, locator: QuoteLocator) -> Question:
    """Validate one line and locate its quotes; raise _LineInvalid saying why it is invalid."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _LineInvalid(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise _LineInvalid(f"expected a JSON object, got {type(data).__name__}")
    try:
        line = QuestionLine.model_validate(data)
    except ValidationError as exc:
        raise _LineInvalid(_describe_validation_error(exc)) from exc
    evidence: list[Evidence] = []
    for item in line.evidence:
        occurrences = locator.locate(item.doc, item.quote)
        if occurrences is None:
            raise _LineInvalid(f"unknown document {item.doc!r} in evidence")
        if not occurrences:
            raise _LineInvalid(f"quote not found in {item.doc}: {_preview(item.quote)}")
        evidence.append(Evidence(doc=item.doc, quote=item.quote, occurrences=occurrences))
    return Question(
        id=line.id,
        question=line.question,
        audience=line.audience,
        topic=line.topic,
        answerable=line.answerable,
        evidence=tuple(evidence),
        must_mention=tuple(line.must_mention),
        note=line.note,
        line=number,
    )


def _describe_validation_error(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False):
        location = ".".join(str(part) for part in error["loc"])
        message = str(error["msg"])
        problems.append(f"{location}: {message}" if location else message)
    return "; ".join(problems)


def _preview(quote: str) -> str:
    text = " ".join(quote.split())
    if len(text) > _QUOTE_PREVIEW_CHARS:
        text = text[: _QUOTE_PREVIEW_CHARS - 1] + "…"
    return repr(text)
