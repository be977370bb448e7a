"""The harness on a tiny fake engine and a mocked HTTP service: metrics, report and CLI."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from eval import cli
from eval.backends import EngineBackend, HttpBackend
from eval.harness import METRIC_KEYS, run_evaluation
from eval.questions import load_questions, read_only_as_totals
from eval.report import format_table, render_markdown, report_to_dict, write_json, write_markdown
from eval.typos import with_typos

P1 = "Inleiding over passend onderwijs en de rol van het samenwerkingsverband in de regio.\n"
P2 = "Het schoolbestuur bepaalt of het kind wordt\ntoegelaten. Deze kan een kind weigeren.\n"
P3 = "De onderwijstijd kan worden verkort met toestemming van de inspectie.\n"
BETA = "Vrijstelling van de leerplicht vraagt u aan bij de leerplichtambtenaar.\n"
TEXTS = {"alpha": P1 + P2 + P3, "beta": BETA}

Q1 = "Wie beslist over toelating?"
Q2 = "Wat doet het samenwerkingsverband bij toelating?"
Q3 = "Hoeveel kost een taxi naar school?"
# Split across chunks a1 and a2 (at least 30 characters in each): relevant to both.
SPLIT_QUOTE = "rol van het samenwerkingsverband in de regio. Het schoolbestuur bepaalt of het kind"


@dataclass(frozen=True, slots=True)
class FakeChunk:
    chunk_id: str
    doc_id: str
    title: str
    section: str | None
    page: int | None
    text: str
    char_start: int
    char_end: int


@dataclass(frozen=True, slots=True)
class FakeHit:
    chunk: FakeChunk
    score: float


@dataclass(frozen=True, slots=True)
class FakeSentence:
    text: str
    citations: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class FakeCitation:
    n: int
    chunk: FakeChunk
    quote: str


@dataclass(frozen=True, slots=True)
class FakeAnswer:
    answerable: bool
    topic: str
    sentences: tuple[FakeSentence, ...]
    citations: tuple[FakeCitation, ...]
    confidence: float

    @property
    def short_answer(self) -> tuple[FakeSentence, ...]:
        return self.sentences[:1]


def _chunk(chunk_id: str, doc_id: str, start: int, end: int) -> FakeChunk:
    text = TEXTS[doc_id][start:end]
    return FakeChunk(chunk_id, doc_id, doc_id.title(), "Sectie | 1", None, text, start, end)


CHUNKS = {
    "a1": _chunk("a1", "alpha", 0, len(P1)),
    "a2": _chunk("a2", "alpha", len(P1), len(P1) + len(P2)),
    "a3": _chunk("a3", "alpha", len(P1) + len(P2), len(TEXTS["alpha"])),
    "b1": _chunk("b1", "beta", 0, len(BETA)),
}
RANKINGS = {
    ("hybrid", Q1): ["a2", "a1", "b1"],
    ("hybrid", Q2): ["b1", "a3", "a2"],
    ("hybrid", Q3): ["b1"],
    ("bm25", Q1): ["b1", "a3"],
    ("bm25", Q2): ["a1"],
    ("bm25", Q3): [],
}
# (answerable, text, cited chunk ids)
ANSWERS = {
    ("hybrid", Q1): (True, "Het schoolbestuur bepaalt of het kind wordt toegelaten.", ["a2", "b1"]),
    # Two sentences ("|"): only the second, the explanation, holds the evidence.
    ("hybrid", Q2): (
        True,
        "Lees eerst de inleiding.|Het samenwerkingsverband in de regio.",
        ["a1"],
    ),
    ("hybrid", Q3): (False, "Daarover zeggen de documenten niets.", []),
    ("bm25", Q1): (False, "Daarover zeggen de documenten niets.", []),
    ("bm25", Q2): (True, "Vraag het de leerplichtambtenaar.", ["b1", "b1"]),
    ("bm25", Q3): (True, "Een taxi is gratis.", ["b1"]),
}


class FakeEngine:
    def search(self, query: str, k: int = 10, mode: str = "hybrid") -> list[FakeHit]:
        ids = RANKINGS[(mode, query)][:k]
        return [FakeHit(CHUNKS[c], 1.0 / rank) for rank, c in enumerate(ids, start=1)]

    def ask(self, question: str, history: Sequence[str] = (), mode: str = "hybrid") -> FakeAnswer:
        answerable, text, cited = ANSWERS[(mode, question)]
        citations = tuple(FakeCitation(n, CHUNKS[c], "") for n, c in enumerate(cited, start=1))
        numbers = tuple(c.n for c in citations)
        sentences = tuple(FakeSentence(part, numbers) for part in text.split("|"))
        return FakeAnswer(answerable, "zorgplicht", sentences, citations, 0.5)

    def document_text(self, doc_id: str) -> str:
        return TEXTS[doc_id]


def _question_file(tmp_path: Path) -> Path:
    def line(
        qid: str, question: str, audience: str, topic: str, quotes: list[str], must: list[str]
    ) -> str:
        return json.dumps(
            {
                "id": qid,
                "question": question,
                "audience": audience,
                "topic": topic,
                "answerable": bool(quotes),
                "evidence": [{"doc": "alpha", "quote": q} for q in quotes],
                "must_mention": must,
                "note": "",
            }
        )

    path = tmp_path / "mini.jsonl"
    path.write_text(
        "\n".join(
            [
                line(
                    "q1",
                    Q1,
                    "consulent",
                    "zorgplicht",
                    ["Het schoolbestuur bepaalt of het kind wordt toegelaten."],
                    ["schoolbestuur", "toegelaten"],
                ),
                # This quote is split across chunks a1 and a2: both are relevant.
                line("q2", Q2, "ouder", "samenwerking", [SPLIT_QUOTE], ["samenwerkingsverband"]),
                line("q3", Q3, "ouder", "overig", [], []),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def _engine_backend() -> EngineBackend:
    return EngineBackend(FakeEngine(), chunks=list(CHUNKS.values()))


def _run(tmp_path: Path, backend: Any) -> Any:
    questions = load_questions(_question_file(tmp_path), backend.document_text)
    return run_evaluation(backend, questions, retrievers=["hybrid", "bm25"], k=10)


def test_metrics_of_a_known_run(tmp_path: Path) -> None:
    report = _run(tmp_path, _engine_backend())
    assert report.relevance == "exhaustive"
    hybrid, bm25 = (run.summary.metrics for run in report.runs)
    ideal_2 = 1 + 1 / math.log2(3)
    expected_hybrid = {
        "recall@1": 0.5,
        "recall@3": 1.0,
        "recall@5": 1.0,
        "recall@10": 1.0,
        "quote_recall@5": 1.0,
        "mrr@10": (1 + 1 / 3) / 2,
        "ndcg@10": (1 + (1 / math.log2(4)) / ideal_2) / 2,
        "citation_precision": 2 / 3,
        # Both answers hold their evidence (Q2's found although cleaned), Q2's not first.
        "answer_evidence": 1.0,
        "first_sentence_evidence": 0.5,
        "must_mention": 1.0,
        "abstain_accuracy": 1.0,
        "refused_answerable": 0.0,
        "refused_unanswerable": 1.0,
    }
    expected_bm25 = {
        "recall@1": 0.5,
        "recall@3": 0.5,
        "recall@5": 0.5,
        "recall@10": 0.5,
        "quote_recall@5": 0.5,
        "mrr@10": 0.5,
        "ndcg@10": (0 + 1 / ideal_2) / 2,
        "citation_precision": 0.0,
        "answer_evidence": 0.0,
        "first_sentence_evidence": 0.0,
        "must_mention": 0.0,
        "abstain_accuracy": 1 / 3,
        "refused_answerable": 0.5,
        "refused_unanswerable": 0.0,
    }
    for key, value in expected_hybrid.items():
        assert hybrid[key] == pytest.approx(value), key
    for key, value in expected_bm25.items():
        assert bm25[key] == pytest.approx(value), key
    assert list(hybrid) == list(METRIC_KEYS)
    assert hybrid["latency_ms_p50"] is not None and hybrid["latency_ms_p50"] >= 0
    run = report.runs[0]
    assert [r.first_relevant_rank for r in run.results] == [1, 3, None]
    assert [r.n_relevant for r in run.results] == [1, 2, 0]
    assert set(run.by_topic) == {"zorgplicht", "samenwerking", "overig"}
    assert run.by_audience["ouder"].metrics["recall@1"] == 0.0
    assert run.by_topic["overig"].metrics["recall@5"] is None  # no answerable question
    assert run.summary.recall_curve[:3] == (0.5, 0.5, 1.0)


def test_pooled_relevance_without_a_chunk_list(tmp_path: Path) -> None:
    exhaustive = _run(tmp_path, _engine_backend())
    pooled = _run(tmp_path, EngineBackend(FakeEngine()))
    assert pooled.relevance == "pooled"
    for a, b in zip(exhaustive.runs, pooled.runs, strict=True):
        assert a.summary.metrics["ndcg@10"] == pytest.approx(b.summary.metrics["ndcg@10"])


def test_cutoffs_beyond_k_are_undefined(tmp_path: Path) -> None:
    backend = _engine_backend()
    questions = load_questions(_question_file(tmp_path), backend.document_text)
    report = run_evaluation(backend, questions, retrievers=["hybrid"], k=3)
    values = report.runs[0].summary.metrics
    assert values["recall@3"] == 1.0
    assert values["recall@5"] is None and values["ndcg@10"] is None
    with pytest.raises(ValueError, match="distinct"):
        run_evaluation(backend, questions, retrievers=["hybrid", "hybrid"])
    with pytest.raises(ValueError, match="k must be"):
        run_evaluation(backend, questions, k=0)


def test_report_json_markdown_and_plot(tmp_path: Path) -> None:
    report = _run(tmp_path, _engine_backend())
    data = report_to_dict(report)
    assert set(data) >= {"questions", "k", "index", "retrievers", "relevance"}
    hybrid = data["retrievers"]["hybrid"]
    assert set(METRIC_KEYS) <= set(hybrid)
    assert set(hybrid["by_topic"]["zorgplicht"]) >= set(METRIC_KEYS)
    row = hybrid["per_question"][1]
    assert row["id"] == "q2" and row["first_relevant_rank"] == 3
    assert {"answered", "cited_relevant", "must_mention", "audience", "topic"} <= set(row)
    write_json(report, tmp_path / "out" / "report.json")
    assert json.loads((tmp_path / "out" / "report.json").read_text())["k"] == 10

    write_markdown(report, tmp_path / "out" / "report.md", tmp_path / "out" / "report.png")
    assert (tmp_path / "out" / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "![Recall@k per retriever](report.png)" in markdown
    assert "| metric | hybrid | bm25 |" in markdown
    misses = markdown.split("## Misses", 1)[1].split("## Abstention errors")[0]
    bm25_misses = misses.split("### bm25", 1)[1]
    assert "**q1**" in bm25_misses and "Het schoolbestuur bepaalt" in bm25_misses
    assert "`beta` · Sectie \\| 1" not in bm25_misses  # pipes are only escaped in tables
    assert "**q1**" not in misses.split("### bm25", 1)[0]
    assert "none relevant returned" in bm25_misses
    assert render_markdown(report).count("![") == 0
    assert read_only_as_totals(Path("eval/questions/blind.jsonl"))
    assert all(map(read_only_as_totals, [Path("new-short2.jsonl"), Path("Blind_v2.jsonl")]))
    assert not read_only_as_totals(Path("dev.jsonl"))
    totals = render_markdown(report, totals_only=True)
    assert "## Summary" in totals and "per audience" in totals
    assert "## Misses" not in totals and "## Abstention errors" not in totals
    assert not any(text in totals for text in ("**q1**", Q1, Q2, "Het schoolbestuur"))
    table = format_table(report)
    assert table.splitlines()[0].split() == ["metric", "hybrid", "bm25"]


def _mock_service(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    engine = FakeEngine()

    def passage(chunk: FakeChunk) -> dict[str, Any]:
        return {
            "chunk_id": chunk.chunk_id,
            "doc_id": chunk.doc_id,
            "title": chunk.title,
            "section": chunk.section,
            "page": chunk.page,
            "text": chunk.text,
            "char_start": chunk.char_start,
            "char_end": chunk.char_end,
        }

    if request.url.path == "/api/v1/search":
        hits = engine.search(body["query"], body["k"], body["retriever"])
        return httpx.Response(
            200, json={"passages": [{**passage(h.chunk), "score": h.score} for h in hits]}
        )
    answer = engine.ask(body["question"], mode=body["retriever"])
    return httpx.Response(
        200,
        json={
            "answerable": answer.answerable,
            "topic": answer.topic,
            "answer": [{"text": s.text, "citations": list(s.citations)} for s in answer.sentences],
            "citations": [
                {**passage(c.chunk), "n": c.n, "quote": c.quote} for c in answer.citations
            ],
            "rules": [],
            "parties": [],
            "confidence": answer.confidence,
        },
    )


def test_http_backend_gives_the_same_results(tmp_path: Path) -> None:
    client = httpx.Client(transport=httpx.MockTransport(_mock_service))
    with HttpBackend(
        "http://service/", TEXTS.get, chunks=list(CHUNKS.values()), client=client
    ) as backend:
        over_http = _run(tmp_path, backend)
    in_process = _run(tmp_path, _engine_backend())
    for a, b in zip(over_http.runs, in_process.runs, strict=True):
        for key in METRIC_KEYS:
            if not key.startswith("latency"):
                assert a.summary.metrics[key] == b.summary.metrics[key], key


def test_cli_run_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_engine_backend", lambda index, corpus: _engine_backend())
    out = tmp_path / "reports"
    status = cli.main(
        [
            "run",
            "--questions",
            str(_question_file(tmp_path)),
            "--index",
            str(tmp_path / "none"),
            "--retriever",
            "hybrid,bm25",
            "--retriever",
            "bm25",
            "--json",
            str(out / "r.json"),
            "--md",
            str(out / "r.md"),
        ]
    )
    assert status == 0
    stdout = capsys.readouterr().out
    assert stdout.splitlines()[0].split() == ["metric", "hybrid", "bm25"]
    data = json.loads((out / "r.json").read_text(encoding="utf-8"))
    assert list(data["retrievers"]) == ["hybrid", "bm25"]
    assert data["index"] is None
    assert (out / "r.png").exists()
    markdown = (out / "r.md").read_text(encoding="utf-8")
    assert "(r.png)" in markdown and "## Misses" in markdown
    blind = _question_file(tmp_path).rename(tmp_path / "blind.jsonl")
    arguments = ["--index", str(tmp_path / "none"), "--md", str(out / "blind.md")]
    assert cli.main(["run", "--questions", str(blind), *arguments]) == 0
    blind_markdown = (out / "blind.md").read_text(encoding="utf-8")
    assert "## Summary" in blind_markdown and "## Misses" not in blind_markdown
    assert Q1 not in blind_markdown


def test_cli_run_with_typos(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = _question_file(tmp_path)
    engine = FakeEngine()
    loaded = load_questions(questions, engine.document_text)
    typed = with_typos(loaded, [3, 4])
    meant = {t.question: q.question for q, t in zip([*loaded, *loaded], typed, strict=True)}
    assert not set(meant) & {Q1, Q2}  # each got its mistake
    asked: list[str] = []
    ask, search = engine.ask, engine.search

    def answer_as_meant(question: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(question)
        return ask(meant[question], *args, **kwargs)

    def search_as_meant(query: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(query)
        return search(meant[query], *args, **kwargs)

    monkeypatch.setattr(engine, "ask", answer_as_meant)
    monkeypatch.setattr(engine, "search", search_as_meant)
    backend = EngineBackend(engine, chunks=list(CHUNKS.values()))
    monkeypatch.setattr(cli, "_engine_backend", lambda index, corpus: backend)
    out = tmp_path / "typos.json"
    arguments = ["--index", str(tmp_path / "none"), "--typos", "3,4", "--json", str(out)]
    assert cli.main(["run", "--questions", str(questions), *arguments]) == 0
    capsys.readouterr()
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["questions"].endswith("(one typo each, seeds 3,4)")
    assert report["retrievers"]["hybrid"]["questions"] == 2 * len(loaded)
    assert set(asked) == set(meant)


@pytest.mark.parametrize("seeds", ["1,x", "2,2", ""])
def test_cli_typos_wants_distinct_whole_numbers(
    seeds: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        cli.main(["run", "--typos", seeds])
    assert raised.value.code == 2
    assert "--typos" in capsys.readouterr().err
