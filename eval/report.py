"""Writing an evaluation report: JSON for scripts, Markdown and a PNG plot for people.

The JSON keys are stable so that a script can hold a run against thresholds:
`retrievers.<name>.<metric>` for every key of `eval.harness.METRIC_KEYS`, `by_topic`,
`by_audience` and `per_question` rows with the rank of the first relevant passage.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from eval.backends import Passage
from eval.harness import (
    METRIC_KEYS,
    EvaluationReport,
    QuestionResult,
    RetrieverRun,
    Summary,
)

MISS_CUTOFF = 5  # a miss: no relevant passage in the top 5 (the headline recall@5)
# What a reader gets, per audience: answers that hold the evidence, first of all.
ANSWER_KEYS = ("answer_evidence", "first_sentence_evidence", "must_mention", "refused_answerable")
_RETURNED_SHOWN = 3
_SNIPPET_CHARS = 120
_QUOTE_CHARS = 160


# ---------------------------------------------------------------------------------------------
# JSON


def report_to_dict(report: EvaluationReport) -> dict[str, Any]:
    """The report as JSON-ready data with stable keys."""
    return {
        "questions": report.questions_path,
        "k": report.k,
        "relevance": report.relevance,
        "created": report.created,
        "index": dict(report.index) if report.index is not None else None,
        "retrievers": {run.retriever: _run_to_dict(run) for run in report.runs},
    }


def _summary_to_dict(summary: Summary) -> dict[str, Any]:
    return {"questions": summary.questions, "answerable": summary.answerable, **summary.metrics}


def _run_to_dict(run: RetrieverRun) -> dict[str, Any]:
    return {
        **_summary_to_dict(run.summary),
        "recall_curve": list(run.summary.recall_curve),
        "by_topic": {name: _summary_to_dict(s) for name, s in run.by_topic.items()},
        "by_audience": {name: _summary_to_dict(s) for name, s in run.by_audience.items()},
        "per_question": [_question_row(result) for result in run.results],
    }


def _question_row(result: QuestionResult) -> dict[str, Any]:
    question = result.question
    return {
        "id": question.id,
        "audience": question.audience,
        "topic": question.topic,
        "answerable": question.answerable,
        "first_relevant_rank": result.first_relevant_rank,
        "n_relevant": result.n_relevant,
        "answered": result.answer.answerable,
        "cited": len(result.answer.cited),
        "cited_relevant": result.cited_relevant,
        "must_mention": result.must_mention,
        "answer_evidence": result.answer_evidence,
        "first_sentence_evidence": result.first_sentence_evidence,
        "latency_ms": result.ask_ms,
        "retrieved": [
            {"rank": rank, "chunk_id": p.chunk_id, "doc_id": p.doc_id, "relevant": relevant}
            for rank, (p, relevant) in enumerate(
                zip(result.passages, result.relevant, strict=True), start=1
            )
        ],
    }


def write_json(report: EvaluationReport, path: Path) -> None:
    """Write the report as indented UTF-8 JSON, creating the parent folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report_to_dict(report), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Terminal table


def format_value(key: str, value: float | None) -> str:
    """A metric value for display: milliseconds with one decimal, shares with three."""
    if value is None:
        return "–"
    return f"{value:.1f}" if key.startswith("latency") else f"{value:.3f}"


def format_table(report: EvaluationReport) -> str:
    """A compact plain-text table: one row per metric, one column per retriever."""
    names = [run.retriever for run in report.runs]
    width = max(len(key) for key in METRIC_KEYS)
    column = max(8, *(len(name) for name in names))
    lines = [f"{'metric':<{width}}  " + "  ".join(f"{n:>{column}}" for n in names)]
    for key in METRIC_KEYS:
        cells = [format_value(key, run.summary.metrics[key]) for run in report.runs]
        lines.append(f"{key:<{width}}  " + "  ".join(f"{c:>{column}}" for c in cells))
    first = report.runs[0].summary
    lines.append(f"({first.questions} questions, {first.answerable} answerable, k={report.k})")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Plot


def plot_recall_curves(report: EvaluationReport, path: Path) -> None:
    """Write recall@k curves (k = 1 … report.k), one line per retriever, as a PNG."""
    figure = Figure(figsize=(6.4, 4.0), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    ks = list(range(1, report.k + 1))
    for run in report.runs:
        values = [float("nan") if v is None else v for v in run.summary.recall_curve]
        axes.plot(ks, values, marker="o", markersize=3, label=run.retriever)
    axes.set_xlabel("k (passages retrieved)")
    axes.set_ylabel("recall@k (evidence in top k)")
    axes.set_ylim(0.0, 1.02)
    axes.set_xlim(1, max(report.k, 2))
    axes.grid(True, alpha=0.3)
    axes.legend(loc="lower right")
    axes.set_title("Recall@k per retriever")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")


# ---------------------------------------------------------------------------------------------
# Markdown


def render_markdown(
    report: EvaluationReport, plot: str | None = None, *, totals_only: bool = False
) -> str:
    """The Markdown report: summary, recall@5 and answer metrics per group, plot, misses.

    Args:
        report: The evaluation report.
        plot: Path of the PNG plot relative to the Markdown file, or None for no plot.
        totals_only: Leave out every question's text (the misses and abstention errors): a
            blind or short set is read only as totals, also by whoever reads its report.

    Returns:
        The Markdown text.
    """
    names = [run.retriever for run in report.runs]
    first = report.runs[0].summary
    out = ["# Evaluation report", ""]
    out.append(
        f"Questions: `{report.questions_path or '?'}` ({first.questions} questions, "
        f"{first.answerable} answerable) · k = {report.k} · relevant sets: {report.relevance}"
        f" · {report.created}"
    )
    if report.index:
        out.append("")
        out.append("Index: " + ", ".join(f"{k}: `{v}`" for k, v in report.index.items()))
    out += ["", "## Summary", ""]
    out += _table(
        ["metric", *names],
        [
            [key, *(format_value(key, r.summary.metrics[key]) for r in report.runs)]
            for key in METRIC_KEYS
        ],
    )
    for title, groups in (
        ("topic", lambda run: run.by_topic),
        ("audience", lambda run: run.by_audience),
    ):
        out += ["", f"## Recall@{MISS_CUTOFF} per {title}", ""]
        out += _group_table(report.runs, title, groups, f"recall@{MISS_CUTOFF}")
    for key in ANSWER_KEYS:
        out += ["", f"## {key} per audience", ""]
        out += _group_table(report.runs, "audience", lambda run: run.by_audience, key)
    if plot is not None:
        out += ["", "## Recall@k", "", f"![Recall@k per retriever]({plot})"]
    if totals_only:
        out += ["", "Misses and abstention errors are left out: this set is read only as totals."]
        return "\n".join(out) + "\n"
    out += ["", f"## Misses (no evidence in the top {min(MISS_CUTOFF, report.k)})"]
    for run in report.runs:
        out += _misses(run, min(MISS_CUTOFF, report.k))
    out += ["", "## Abstention errors"]
    for run in report.runs:
        out += _abstention_errors(run)
    return "\n".join(out) + "\n"


def write_markdown(
    report: EvaluationReport, path: Path, plot: Path | None = None, *, totals_only: bool = False
) -> None:
    """Write the Markdown report, and the plot when a PNG path is given.

    Args:
        report: The evaluation report.
        path: The Markdown file.
        plot: Where to write the PNG plot (referenced relative to the Markdown file), or None.
        totals_only: See `render_markdown`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    reference = None
    if plot is not None:
        plot_recall_curves(report, plot)
        reference = _relative(plot, path.parent)
    path.write_text(render_markdown(report, reference, totals_only=totals_only), encoding="utf-8")


def _relative(target: Path, folder: Path) -> str:
    try:
        return target.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return target.resolve().as_posix()


def _group_table(
    runs: Sequence[RetrieverRun],
    title: str,
    groups: Callable[[RetrieverRun], Mapping[str, Summary]],
    key: str,
) -> list[str]:
    base = groups(runs[0])
    rows = [
        [name, f"{s.answerable}/{s.questions}"]
        + [format_value(key, groups(run)[name].metrics[key]) for run in runs]
        for name, s in base.items()
    ]
    return _table([title, "answerable/n", *(run.retriever for run in runs)], rows)


def _misses(run: RetrieverRun, cutoff: int) -> list[str]:
    misses = [
        r
        for r in run.results
        if r.question.answerable and (r.first_relevant_rank or cutoff + 1) > cutoff
    ]
    answerable = sum(r.question.answerable for r in run.results)
    out = ["", f"### {run.retriever}: {len(misses)} of {answerable} answerable questions", ""]
    if not misses:
        return [*out, "None."]
    for result in misses:
        question = result.question
        rank = result.first_relevant_rank
        found = f"first relevant at rank {rank}" if rank else "none relevant returned"
        out.append(
            f"- **{question.id}** ({question.audience}, {question.topic}; {found}): "
            f"{_inline(question.question)}"
        )
        out.append("  - expected:")
        out += [f"    - `{e.doc}`: “{_shorten(e.quote, _QUOTE_CHARS)}”" for e in question.evidence]
        out.append("  - returned:")
        out += [
            f"    {i}. {_passage_line(p)}"
            for i, p in enumerate(result.passages[:_RETURNED_SHOWN], start=1)
        ] or ["    (nothing)"]
    return out


def _abstention_errors(run: RetrieverRun) -> list[str]:
    wrong = [r for r in run.results if not r.abstained_correctly]
    out = ["", f"### {run.retriever}: {len(wrong)} of {len(run.results)} questions", ""]
    if not wrong:
        return [*out, "None."]
    rows = [
        [
            r.question.id,
            "answer" if r.question.answerable else "refuse",
            "answered" if r.answer.answerable else "refused",
            _shorten(r.question.question, _SNIPPET_CHARS),
        ]
        for r in wrong
    ]
    return out + _table(["id", "expected", "got", "question"], rows)


def _passage_line(passage: Passage) -> str:
    section = f" · {_inline(passage.section)}" if passage.section else ""
    return f"`{passage.doc_id}`{section}: {_shorten(passage.text, _SNIPPET_CHARS)}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join(" --- " for _ in header) + "|")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _cell(text: str) -> str:
    return _inline(text).replace("|", "\\|")


def _inline(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int) -> str:
    flat = _inline(text)
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
