"""What parents type never reaches the logs unmasked, and by default not at all."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.privacy import mask_personal_data

BSN = "123456782"
QUESTION = f"Mijn zoon (BSN {BSN}, mail ouder@example.nl, tel 06-12345678) mag niet naar school."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BSN 123456782", "BSN [nummer]"),
        ("bsn: 1234.56.782 en 123 456 782", "bsn: [nummer] en [nummer]"),
        ("mail naar a.b-c@school.example.nl", "mail naar [e-mail]"),
        ("bel 06-12345678 of +31 6 1234 5678", "bel [telefoon] of [telefoon]"),
        ("In 2023 had hij 12 uur les", "In 2023 had hij 12 uur les"),
    ],
)
def test_personal_numbers_and_addresses_are_masked(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


def _log_to_file(path: Path) -> logging.Handler:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG)
    return handler


@pytest.mark.parametrize("log_questions", [False, True])
def test_a_bsn_typed_in_a_question_never_reaches_the_log_file(
    settings, engine, tmp_path, log_questions
) -> None:
    log_file = tmp_path / "service.log"
    handler = _log_to_file(log_file)
    try:
        app = create_app(
            settings.model_copy(update={"log_questions": log_questions}), engine=engine
        )
        with TestClient(app) as client:
            assert client.post("/api/v1/ask", json={"question": QUESTION}).status_code == 200
            assert client.post("/api/v1/search", json={"query": QUESTION}).status_code == 200
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    logged = log_file.read_text(encoding="utf-8")
    assert "POST /api/v1/ask 200" in logged  # the log works and was written
    assert BSN not in logged
    assert "ouder@example.nl" not in logged and "12345678" not in logged
    assert ("[nummer]" in logged) is log_questions
