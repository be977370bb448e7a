"""Schemathesis against the real app's OpenAPI schema, on the session's real index.

Every operation of the schema gets generated requests, valid (positive) and invalid
(negative); the checks: no 5xx, a status code and content type the schema documents, and a
body that matches the schema of that status code.

The session `app` has no admin or feedback-export token, and both token endpoints then answer
503 "this function is off" by design, which `not_a_server_error` would flag on every call.
They are therefore tested on a second app over the same engine with both tokens configured
(`token_app`): generated requests (which lack the right token) and requests with the token.

`schemathesis.pytest.from_fixture` (the lazy loader) does not work with pytest 9.2 (it sets
`request.node._nodeid`, which pytest 9.2 no longer has), so each operation's strategy is run
with hypothesis directly, one pytest subtest per operation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from assistant.api import create_app

ADMIN_TOKEN = "schemathesis-admin"
EXPORT_TOKEN = "schemathesis-export"
TOKEN_PATHS = ("/api/v1/admin/reload", "/api/v1/feedback/export")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Cases per operation and generation mode; 9 operations x 2 modes x 15 cases run in ~20 s.
MAX_EXAMPLES = 15


def _operations(schema: Any) -> list[Any]:
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema has no operations"
    return operations


def _run(
    operation: Any,
    mode: GenerationMode,
    *,
    max_examples: int = MAX_EXAMPLES,
    headers: dict[str, str] | None = None,
    on_response: Callable[[Any], None] | None = None,
) -> None:
    """Generated cases of one operation, each called and validated against the schema."""

    @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call_and_validate(checks=CHECKS)
        if on_response is not None:
            on_response(response)

    try:
        run()
    except Unsatisfiable:
        # Negative mode on an operation whose every input is valid (no body, no constrained
        # parameter): there is nothing invalid to send.
        if mode is not GenerationMode.NEGATIVE:
            raise


@pytest.fixture(scope="module")
def api_schema(app: FastAPI) -> Any:
    """The session app's schema."""
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def token_schema(settings, engine) -> Any:
    """The schema of the real app over the session's engine, with both tokens configured."""
    configured = settings.model_copy(
        # model_copy does not validate: the tokens must be SecretStr already.
        update={"admin_token": SecretStr(ADMIN_TOKEN), "feedback_token": SecretStr(EXPORT_TOKEN)}
    )
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(configured, engine=engine))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_schema(api_schema, mode, subtests) -> None:
    operations = [op for op in _operations(api_schema) if op.path not in TOKEN_PATHS]
    assert {"/api/v1/ask", "/api/v1/search"} <= {op.path for op in operations}
    for operation in operations:
        with subtests.test(msg=operation.label):
            _run(operation, mode)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_token_endpoints_conform_to_their_schema(token_schema, mode, subtests) -> None:
    operations = [op for op in _operations(token_schema) if op.path in TOKEN_PATHS]
    assert {op.path for op in operations} == set(TOKEN_PATHS)
    for operation in operations:
        with subtests.test(msg=operation.label):
            _run(operation, mode)


def test_token_endpoints_with_the_right_token_conform(token_schema, subtests) -> None:
    for operation in _operations(token_schema):
        if operation.path not in TOKEN_PATHS:
            continue
        token = ADMIN_TOKEN if operation.path.endswith("/reload") else EXPORT_TOKEN

        def succeeded(response: Any) -> None:
            assert response.status_code == 200, response.text

        with subtests.test(msg=operation.label):
            _run(
                operation,
                GenerationMode.POSITIVE,
                max_examples=3,
                headers={"authorization": f"Bearer {token}"},
                on_response=succeeded,
            )
