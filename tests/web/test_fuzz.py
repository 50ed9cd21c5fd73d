"""Property-based fuzzing of every documented endpoint, as every role and anonymously
(schemathesis, a few examples per operation in ``make test``): no answer is a 5xx, and every
error has the one shape. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

schemathesis = pytest.importorskip("schemathesis")

ROLES = ["dep.ames", "sgt.baker", "counsel.cruz", "aud.diaz", "ofc.evans", "pub.fox"]
EXAMPLES = 6
"""Examples per operation (a longer run: raise it)."""


def test_no_server_errors_for_any_role(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    calls = 0

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: Any) -> None:
            nonlocal calls
            for user in [*ROLES, None]:
                headers = {**(case.headers or {}), **(tokens[user] if user else {})}
                response = case.call(headers=headers)
                calls += 1
                assert response.status_code < 500, (
                    user,
                    case.method,
                    case.formatted_path,
                    response.text,
                )
                if response.status_code >= 400:
                    assert set(response.json()) == {"error", "problems"}, response.text

        fuzz()
    assert calls >= len(operations) * len(ROLES)
