"""Web security glue: the second-factor gate, re-authentication, and hostile-text defences.

- `SecondFactorMiddleware`: a logged-in session that has not passed TOTP (or SSO) reaches nothing but
  the views marked `otp_exempt` (the OTP pages and logout) and public views; it also ends sessions
  past their absolute lifetime.
- `require_recent_auth`: a destructive view asks for password + TOTP again when the last full
  authentication is older than `settings.REAUTH_SECONDS`.
- `PrivateNoStoreMiddleware`: pages for a logged-in user (message content, media, metadata) are never
  stored by browsers or proxies (Cache-Control: private, no-store).
- `RevealBidiOverridesMiddleware`: U+202D/U+202E (bidi overrides, used to spoof file names such as
  "factuur<RLO>fdp.exe") are shown as visible markers in every HTML page instead of reordering text.
- `RequestBodyLimitMiddleware` and `accepts_upload`: a request body is refused before anything reads
  it when it is larger than the view takes (see its docstring and the middleware order in settings).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chatarchief.access import authn, otp

BIDI_OVERRIDES = {"\u202d": "⟦U+202D⟧", "\u202e": "⟦U+202E⟧"}


def otp_exempt(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view reachable before the second factor (the OTP pages themselves, logout)."""
    view.otp_exempt = True  # type: ignore[attr-defined]
    return view


def safe_next(request: HttpRequest, candidate: str | None, default: str = "/") -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _redirect_with_next(name: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': next_url})}")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if not getattr(user, "is_authenticated", False):
            return None
        if authn.session_too_old(request):
            setattr(request, authn.LOGOUT_REASON, "session_expired")
            logout(request)
            return _redirect_with_next("login", request.get_full_path())
        if getattr(view_func, "otp_exempt", False) or not getattr(view_func, "login_required", True):
            return None
        if authn.second_factor_done(request):
            return None
        target = "otp_verify" if otp.is_enrolled(user) else "otp_setup"
        return _redirect_with_next(target, request.get_full_path())


def require_recent_auth(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ask for password + TOTP again (or SSO again) unless fully authenticated in the last few minutes."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if authn.has_recent_auth(request):
            return view(request, *args, **kwargs)
        if request.method == "GET":
            back = request.get_full_path()
        else:  # a POST cannot be replayed after the detour: go back to the page that posted it
            back = safe_next(request, request.META.get("HTTP_REFERER"), reverse("home"))
            flash.info(request, _("Bevestig eerst opnieuw wie u bent en voer de handeling daarna opnieuw uit."))
        return _redirect_with_next("reauth", back)

    wrapped.requires_recent_auth = True  # type: ignore[attr-defined]
    return wrapped


class RevealBidiOverridesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if response.streaming or not content_type.startswith("text/html"):
            return response
        text = response.content.decode(response.charset or "utf-8", errors="replace")
        if any(ch in text for ch in BIDI_OVERRIDES):
            for ch, marker in BIDI_OVERRIDES.items():
                text = text.replace(ch, marker)
            response.content = text.encode(response.charset or "utf-8")
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response


class PrivateNoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(getattr(request, "user", None), "is_authenticated", False):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


# --- request bodies --------------------------------------------------------------------------------

MULTIPART_ALLOWANCE = 64 * 1024  # boundaries and form fields around the files of one upload


def accepts_upload(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view that takes bodies up to `settings.MAX_UPLOAD_SIZE` (CHATARCHIEF_MAX_UPLOAD_BYTES).
    A view that requires login takes them only from a session past the second factor; a view that
    authenticates itself (the API's bearer token) must refuse before it reads the body."""
    view.accepts_upload = True  # type: ignore[attr-defined]
    return view


def body_limit(request: HttpRequest, view: Any) -> int:
    """The largest body `view` may receive from this request (in bytes)."""
    if getattr(view, "accepts_upload", False):
        needs_login = getattr(view, "login_required", True)
        if not needs_login or authn.second_factor_done(request):
            return int(settings.MAX_UPLOAD_SIZE) + MULTIPART_ALLOWANCE
    return int(settings.MAX_FORM_BODY_SIZE)


def _refusal(request: HttpRequest, status: int, code: str, nl: str, en: str) -> HttpResponse:
    english = (get_language() or "nl").startswith("en")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "detail": en if english else nl}, status=status)
    return HttpResponse(en if english else nl, status=status, content_type="text/plain; charset=utf-8")


class RequestBodyLimitMiddleware:
    """Refuse a request body before anything reads it (and spools it to disk).

    Placed after the login and second-factor checks and before the CSRF middleware (the first one
    that reads `request.POST`): an anonymous request to a page that needs login has been sent to the
    login page by then, unread. Here a declared `Content-Length` above the view's limit is answered
    413; a body without a length (`Transfer-Encoding: chunked`) is answered 411, because Django's WSGI
    handler reads no more than `Content-Length` bytes and would take it for empty. So no request makes
    the server read more than the limit of the view it asks for. (Django's ASGI handler spools a
    whole body before any middleware runs: serve chatarchief through WSGI.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        declared = request.META.get("CONTENT_LENGTH") or ""
        if not declared.strip():
            if request.META.get("HTTP_TRANSFER_ENCODING"):
                return _refusal(
                    request,
                    411,
                    "request.length_required",
                    "Stuur de lengte van het verzoek mee (Content-Length); verzoeken zonder lengte worden geweigerd.",
                    "Send the length of the request (Content-Length); requests without one are refused.",
                )
            return None
        try:
            length = int(declared)
        except ValueError:
            return None  # Django reads no body it cannot measure
        limit = body_limit(request, view_func)
        if length > limit:
            return _refusal(
                request,
                413,
                "request.too_large",
                f"Het verzoek is groter dan de toegestane {limit} bytes.",
                f"The request is larger than the allowed {limit} bytes.",
            )
        return None
