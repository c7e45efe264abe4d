"""Rendering the compliance dashboard as an admin who sees everyone (view and template), for the
benchmarks that report its time (bench_dashboard, bench_ministry). Django must be set up."""

from __future__ import annotations

import time


def dashboard_timings(runs: int, username: str = "bench-admin") -> list[float]:
    """Milliseconds of `runs` renders, after one warm-up render (templates, translations) not counted."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from chatarchief.access.constants import Role
    from chatarchief.access.services import grant
    from chatarchief.compliance import views

    admin, _ = get_user_model().objects.get_or_create(username=username)
    grant(admin, Role.ADMIN)  # no organisation: sees everyone
    factory = RequestFactory()
    timings = []
    for _ in range(runs + 1):
        request = factory.get("/naleving/")
        request.user = admin
        request._messages = []  # type: ignore[attr-defined]
        start = time.perf_counter()
        response = views.compliance_dashboard(request)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return timings[1:]
