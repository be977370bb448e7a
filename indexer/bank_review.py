"""The editor's tools for the question bank: coverage per document, and suggestions from traffic.

`coverage` lists, per document, the passages that state rules (by the retriever's rule prior)
and have no bank entry yet. `suggest` groups the questions of a feedback export (thumbs down,
and refused answers, which the chat sends as thumbs down without citations) by similarity
and proposes, per group, the nearest entry to add them to, or a new entry near the closest
passage; an editor accepts a proposal by editing the bank file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.bank import AnchoredEntry, BankIndex
from indexer.chunking import Chunk
from indexer.embedding import Embedder, Vectors
from indexer.errors import IndexerError

# Two questions whose e5 cosine is at least this are one group. e5 cosines of unrelated
# questions are high too (often above 0.85), so the bar is high.
GROUP_COSINE = 0.92
# A group this close to a bank question is proposed as more wording for that question's entry.
ENTRY_COSINE = 0.9


@dataclass(frozen=True, slots=True)
class DocumentCoverage:
    """How many of a document's rule-stating passages have bank entries."""

    doc_id: str
    passages: int
    rule_passages: int
    covered: int
    uncovered: tuple[Chunk, ...]


def coverage(
    chunks: Sequence[Chunk], anchored: Sequence[AnchoredEntry], states_rule: Callable[[str], bool]
) -> list[DocumentCoverage]:
    """Per document, its rule-stating passages and which of them no entry is anchored in."""
    covered_rows = {r for a in anchored for r in a.chunk_rows}
    result: list[DocumentCoverage] = []
    for doc_id in dict.fromkeys(c.doc_id for c in chunks):
        rows = [r for r, c in enumerate(chunks) if c.doc_id == doc_id]
        rules = [r for r in rows if states_rule(chunks[r].text)]
        result.append(
            DocumentCoverage(
                doc_id=doc_id,
                passages=len(rows),
                rule_passages=len(rules),
                covered=sum(r in covered_rows for r in rules),
                uncovered=tuple(chunks[r] for r in rules if r not in covered_rows),
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class FeedbackQuestion:
    """A question from the feedback export, masked, with why it is there."""

    question: str
    refused: bool  # the answer cited nothing ("niet in de bronnen")
    remark: str | None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A group of similar questions and what to do with them."""

    questions: tuple[FeedbackQuestion, ...]
    entry_id: str | None  # add to this entry; None: write a new one
    entry_doc: str | None
    nearest_question: str | None
    cosine: float
    passage: Chunk | None  # for a new entry: the closest passage


def read_feedback(path: Path, mask: Callable[[str], str]) -> list[FeedbackQuestion]:
    """The thumbs-down questions of an export, masked with `mask`.

    The export is the JSON of `GET /api/v1/feedback/export`, or one of its items a line.

    Raises:
        IndexerError: the file is missing or not an export.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise IndexerError(f"Cannot read the feedback export {path}: {exc}") from exc
    try:
        stripped = text.strip()
        if stripped.startswith("{") and '"feedback"' in stripped.split("\n", 1)[0]:
            items = json.loads(stripped)["feedback"]
        else:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        questions = [
            FeedbackQuestion(
                question=mask(str(item["question"])).strip(),
                refused=not item.get("citation_ids"),
                remark=mask(str(item["remark"])) if item.get("remark") else None,
            )
            for item in items
            if item.get("rating") == "down" and str(item.get("question", "")).strip()
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexerError(
            f"{path} is not a feedback export (JSON from /api/v1/feedback/export, or one item a "
            f"line): {exc}"
        ) from exc
    return questions


def suggest(
    questions: Sequence[FeedbackQuestion],
    embedder: Embedder,
    bank: BankIndex,
    chunks: Sequence[Chunk],
    passage_vectors: Callable[[Vectors], int],
) -> list[Suggestion]:
    """Group similar questions; per group the nearest bank entry, or a passage for a new one.

    `passage_vectors` returns the chunk row nearest to a question vector.
    """
    if not questions:
        return []
    vectors = np.stack([embedder.embed_query(q.question) for q in questions]).astype(np.float32)
    suggestions: list[Suggestion] = []
    for group in _groups(vectors):
        centre = vectors[group].mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-9)
        members = tuple(questions[i] for i in group)
        if len(bank.questions):
            cosines = bank.vectors @ centre
            best = int(np.argmax(cosines))
            cosine = float(cosines[best])
        else:
            best, cosine = -1, 0.0
        if best >= 0 and cosine >= ENTRY_COSINE:
            entry = bank.entries[int(bank.question_entry[best])].entry
            suggestions.append(
                Suggestion(
                    members, entry.entry_id, entry.doc_id, bank.questions[best], cosine, None
                )
            )
        else:
            passage = chunks[passage_vectors(centre)]
            nearest = bank.questions[best] if best >= 0 else None
            suggestions.append(Suggestion(members, None, None, nearest, cosine, passage))
    return sorted(suggestions, key=lambda s: -len(s.questions))


def _groups(vectors: Vectors) -> list[list[int]]:
    """Greedy single-pass grouping.

    Each question joins the first group whose first member is `GROUP_COSINE` close, or
    starts a new one.
    """
    groups: list[list[int]] = []
    for i, vector in enumerate(vectors):
        for group in groups:
            if float(vectors[group[0]] @ vector) >= GROUP_COSINE:
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


def format_suggestion(number: int, suggestion: Suggestion) -> str:
    """A proposal as the editor reads it: TOML to paste, with comments."""
    refused = sum(q.refused for q in suggestion.questions)
    lines = [
        f"# group {number}: {len(suggestion.questions)} question(s), {refused} refused "
        f"('niet in de bronnen'), {len(suggestion.questions) - refused} thumbs down"
    ]
    lines += [f"#   remark: {q.remark}" for q in suggestion.questions if q.remark]
    quoted = [json.dumps(q.question, ensure_ascii=False) for q in suggestion.questions]
    if suggestion.entry_id is not None:
        lines.append(
            f"# nearest entry: {suggestion.entry_id} in questions/{suggestion.entry_doc}.toml "
            f"(cosine {suggestion.cosine:.2f} to {suggestion.nearest_question!r}):"
        )
        lines.append(
            "# if it answers them, add to its parents (short questions, 2-5) or its situations"
            " (a message that tells the situation first, 0-3), in your own words:"
        )
        lines += [f"#   {q}," for q in quoted]
    else:
        passage = suggestion.passage
        assert passage is not None
        lines.append(
            f"# no entry is close (best cosine {suggestion.cosine:.2f}); a new entry in "
            f"questions/{passage.doc_id}.toml, if its passage answers them:"
        )
        lines.append(
            f"#   closest passage ({passage.section or passage.title}): {passage.text[:160]!r}"
        )
        lines += [
            "[[entry]]",
            f'id = "{passage.doc_id[:3]}-NEW"',
            'topic = "overig"',
            'anchors = ["<a verbatim sentence of the passage>"]',
            "parents = [" + ", ".join(quoted) + "]",
            'consultants = ["<the question in the professional\'s terms>"]',
            "# situations = [<a long message that tells the situation first goes here>]",
        ]
    return "\n".join(lines)
