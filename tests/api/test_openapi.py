"""The committed OpenAPI schema is the served one, and the API survives schema-driven fuzzing."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from chatarchief.api.schema import dumps
from tests.api.conftest import World
from tests.paths import REPO_ROOT

COMMITTED = REPO_ROOT / "docs" / "openapi.json"


@pytest.mark.django_db
def test_committed_schema_equals_the_served_one(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = response.json()
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == served, (
        "docs/openapi.json is stale: run `.venv/bin/python -m chatarchief.api.schema`"
    )
    assert COMMITTED.read_text(encoding="utf-8") == dumps(served)
    assert set(served["paths"]) == {
        "/api/v1/deliveries",
        "/api/v1/deliveries/{pk}",
        "/api/v1/custodians",
        "/api/v1/custodians/{slug}/compliance",
    }
    assert served["components"]["securitySchemes"]["ServiceToken"] == {"type": "http", "scheme": "bearer"}


schema = schemathesis.openapi.from_path(str(COMMITTED))
schema.app = get_wsgi_application()


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Like django.test.Client: a request through the bare WSGI app must not close the test's
    database connection (it holds the test transaction; PostgreSQL would lose it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_token(world: World, settings, wsgi_keeps_the_test_connection) -> str:
    settings.API_RATE_LIMIT = "100000/min"
    settings.API_MAX_UPLOAD_SIZE = 64 * 1024
    return world.token("fuzzer", ["deliver", "read_status", "read_compliance"])


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case, api_token):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {api_token}"}
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
