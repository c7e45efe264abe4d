"""A small fixed-window rate limit on the Django cache, per principal (user, API client or address).

    result = hit("api", principal_key(request), limit=120, window=60)
    if not result.allowed: return 429 with Retry-After: result.retry_after

or as a view decorator: `@rate_limit("reauth", limit=10, window=300)`. With several web processes the
cache must be shared (CACHES from CHATARCHIEF_CACHE_URL, e.g. the database or Redis); the default
local-memory cache limits per process.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from chatarchief.access import authn


@dataclass(frozen=True)
class RateResult:
    allowed: bool
    count: int
    limit: int
    retry_after: int


def principal_key(request: HttpRequest) -> str:
    """Who is asking: the user when logged in (or an API principal set on the request), else the
    client's address (behind a trusted proxy the forwarded one: `authn.client_address`)."""
    principal = getattr(request, "api_principal", None)
    if principal is not None:
        return f"api:{getattr(principal, 'pk', principal)}"
    user = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return f"ip:{authn.client_address(request)}"


def hit(scope: str, key: str, *, limit: int, window: int, cache_alias: str = "default") -> RateResult:
    """Count one request of `key` in `scope`; allowed while at most `limit` fall in the current window."""
    now = int(time.time())
    start = now - now % window
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}:{start}"
    cache = caches[cache_alias]
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    return RateResult(allowed=count <= limit, count=count, limit=limit, retry_after=start + window - now)


def too_many(result: RateResult) -> HttpResponse:
    response = HttpResponse(
        _("Te veel verzoeken. Probeer het over %(s)d seconden opnieuw.") % {"s": result.retry_after},
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(result.retry_after)
    return response


def rate_limit(scope: str, *, limit: int, window: int, methods: tuple[str, ...] = ("POST",)) -> Callable[..., Any]:
    """View decorator: answer 429 once a principal exceeds `limit` requests per `window` seconds."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                result = hit(scope, principal_key(request), limit=limit, window=window)
                if not result.allowed:
                    return too_many(result)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
