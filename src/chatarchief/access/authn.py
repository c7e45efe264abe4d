"""Authentication state of a web session: second factor done, last full authentication, SSO or local.

A session is fully authenticated after password + TOTP (local accounts) or after an OpenID Connect
sign-on (the identity provider does the MFA). `AUTH_AT` holds the moment of the last full
authentication; destructive actions ask for one within `settings.REAUTH_SECONDS`.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from chatarchief.audit import log

AUTH_AT = "chatarchief_auth_at"
LOGIN_AT = "chatarchief_login_at"
OIDC_BACKEND = "chatarchief.access.oidc.OIDCBackend"


def is_sso_session(request: HttpRequest) -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False)) and request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND


def second_factor_done(request: HttpRequest) -> bool:
    """Has this (authenticated) session passed the second factor? TOTP verified, or signed on via OIDC."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return False
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified()) or is_sso_session(request)


def mark_authenticated(request: HttpRequest) -> None:
    """Record a full authentication now (after TOTP, SSO or re-authentication)."""
    request.session[AUTH_AT] = int(time.time())


def has_recent_auth(request: HttpRequest, seconds: int | None = None) -> bool:
    limit = settings.REAUTH_SECONDS if seconds is None else seconds
    at = request.session.get(AUTH_AT)
    return isinstance(at, int) and 0 <= time.time() - at <= limit


def session_too_old(request: HttpRequest) -> bool:
    """Past the absolute session lifetime (the idle timeout is the session cookie age)."""
    at = request.session.get(LOGIN_AT)
    return isinstance(at, int) and time.time() - at > settings.SESSION_ABSOLUTE_SECONDS


def _actor(user: Any) -> str:
    return f"web:{getattr(user, 'username', '') or 'anonymous'}"


@receiver(user_logged_in, dispatch_uid="chatarchief.access.authn.logged_in")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[LOGIN_AT] = int(time.time())
    request.session.pop(AUTH_AT, None)
    if getattr(user, "backend", "") == OIDC_BACKEND:
        mark_authenticated(request)
    log.login(_actor(user), True)


@receiver(user_login_failed, dispatch_uid="chatarchief.access.authn.login_failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    username = str((credentials or {}).get("username") or "")[:150]
    log.login_failed(f"web:{username or 'anonymous'}", str((credentials or {}).get("stage", "password")))
