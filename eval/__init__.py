"""Evaluation harness: question sets, relevance on original text spans, metrics and reports.

Run it with `python -m eval run` (and fit with `fit-answers`, `fit-fusion`); see
`eval.cli`. The pieces:

- `eval.questions`: load and validate a JSON Lines question set, locating every quote;
- `eval.relevance`: which passages count as relevant (overlap with a located quote);
- `eval.metrics`: pure metric functions (recall, MRR, nDCG, must-mention, percentiles);
- `eval.backends`: the in-process engine or a running service (HTTP) as a `Backend`;
- `eval.harness`: run questions through a backend and score them;
- `eval.report`: JSON, Markdown and the recall@k plot;
- `eval.typos`: one typing mistake in every question, for the speller's measurement;
- `eval.answer_fit` and `eval.fusion_fit`: the answer model and a fusion weight, fitted with
  cross-validation (never on the blind and short sets).
"""
