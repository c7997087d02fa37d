"""Schemathesis throws generated and hostile requests at every API operation: never a 500.

Every generated response must also match the documented schema (status codes and bodies).
One check is left out: "schema-valid data is accepted". The contract allows a pain map whose
intensities are all 0, and the app answers it with a 422 naming `pain` (there is nothing to
treat), which is the behaviour we want.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from backpoints.settings import Settings
from backpoints.web.app import create_app


def test_no_input_breaks_the_api(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            response = case.call()
            assert response.status_code < 500, (case.method, case.path, response.text)
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

        check()


def test_no_input_breaks_the_api_in_server_mode(tmp_path: Path) -> None:
    """The same, in server mode, logged in as a client (bearer token), account routes included."""
    from fastapi.testclient import TestClient

    app = create_app(Settings(data_dir=tmp_path / "data", server_mode=True))
    with TestClient(app) as client:
        body = {"email": "fuzz@example.org", "password": "a long enough password"}
        token = client.post("/api/v1/auth/register", json=body).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    skipped = {"/api/v1/auth/logout", "/api/v1/account/delete", "/api/v1/account/password"}
    for operation in operations:
        if operation.path in skipped:  # would end the very log-in the fuzzing uses
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.path, response.text)
            if not case.path.startswith("/api/v1/auth/"):
                assert response.status_code != 401, (case.method, case.path)
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

        check()
