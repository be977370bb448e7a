"""A short soak (scripts/soak.py): 4 clients for ~8 s against a live uvicorn server on the real
index, with an index reload midway; no 5xx and no lost request."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from assistant.api import create_app
from scripts import soak
from scripts.loadtools import questions, serve_in_thread

TOKEN = "soak-test-token"


@pytest.fixture
def admin_app(settings, engine) -> FastAPI:
    """The real app over the session's engine, with an admin token (the session app has none)."""
    # model_copy does not validate: the token must already be a SecretStr.
    return create_app(settings.model_copy(update={"admin_token": SecretStr(TOKEN)}), engine=engine)


def test_a_short_soak_with_a_reload_loses_no_request(admin_app: FastAPI) -> None:
    with serve_in_thread(admin_app) as url:
        result = soak.run_load(
            url,
            seconds=8,
            clients=4,
            pool=questions(2000, seed=3),
            admin_token=TOKEN,
            reload_at=3,
            timeout=30,
        )
    report = soak.markdown(result)
    assert result.reload is not None and result.reload.status == 200, report
    assert result.server_errors == 0, report
    assert result.lost == 0, report
    assert result.failed == 0, report
    assert result.total >= 20, report
    assert {s.endpoint for s in result.samples} == set(soak.ENDPOINTS), report
    assert result.around_reload(), report  # requests really ran while the index was swapped
