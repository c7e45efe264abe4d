from __future__ import annotations

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from chatarchief.access.ratelimit import hit, principal_key, rate_limit


@pytest.fixture(autouse=True)
def _clear() -> None:
    cache.clear()


def test_fixed_window_per_key() -> None:
    results = [hit("api", "user:1", limit=3, window=60) for _ in range(5)]
    assert [r.allowed for r in results] == [True, True, True, False, False]
    assert results[-1].count == 5 and 0 < results[-1].retry_after <= 60
    assert hit("api", "user:2", limit=3, window=60).allowed  # another principal has its own budget
    assert hit("other", "user:1", limit=3, window=60).allowed  # and another scope too


def test_decorator_answers_429_with_retry_after() -> None:
    @rate_limit("t", limit=2, window=60)
    def view(request):  # type: ignore[no-untyped-def]
        return HttpResponse("ok")

    factory = RequestFactory()
    statuses = [view(factory.post("/", REMOTE_ADDR="10.0.0.1")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert view(factory.get("/", REMOTE_ADDR="10.0.0.1")).status_code == 200  # GET not limited by default
    blocked = view(factory.post("/", REMOTE_ADDR="10.0.0.1"))
    assert "Te veel verzoeken" in blocked.content.decode() and int(blocked["Retry-After"]) > 0


def test_principal_key_prefers_api_principal_then_user_then_address() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    assert principal_key(request) == "ip:10.1.2.3"
    request.api_principal = type("Account", (), {"pk": 7})()
    assert principal_key(request) == "api:7"
