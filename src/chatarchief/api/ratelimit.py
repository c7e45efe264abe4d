"""Requests per token, counted in the Django cache (LocMem by default; a shared cache such as Redis
or the database cache when several processes serve the API). Fixed windows with an atomic
increment, so concurrent requests are counted exactly."""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'120/min' -> (120, 60)."""
    count, _, unit = rate.partition("/")
    return int(count), PERIODS[unit.strip() or "min"]


class TokenRateThrottle(BaseThrottle):
    """`API_RATE_LIMIT` (default 120/min) per service account; the rate is read on every request."""

    def allow_request(self, request: HttpRequest) -> bool:
        account = getattr(request, "auth", None)
        if account is None:
            return True
        limit, period = parse_rate(getattr(settings, "API_RATE_LIMIT", "120/min"))
        now = time.time()
        key = f"chatarchief:api-rate:{account.token_prefix}:{int(now // period)}"
        cache.add(key, 0, period + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, period + 1)
            used = 1
        request.rate_limit_retry_after = math.ceil(period - now % period)  # type: ignore[attr-defined]
        return used <= limit
